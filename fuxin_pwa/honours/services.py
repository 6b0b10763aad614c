"""Contests, results and honours, interest teams and their events. Raises nothing HTTP: the
forms have checked what came in."""
from datetime import date

import sqlalchemy as sa

from ..extensions import db
from .models import Contest, ContestEntry, Honour, InterestTeam, InterestTeamMember, TeamEvent


def create_contest(user, kind: str, title: str, held_on: date) -> Contest:
    contest = Contest(kind=kind, title=title.strip(), held_on=held_on, created_by_id=user.id)
    db.session.add(contest)
    db.session.commit()
    return contest


def add_entry(contest: Contest, user_id: int | None, team_id: int | None) -> ContestEntry:
    """An entrant once: entering the same person or team again returns the entry already there."""
    for entry in contest.entries:
        if (user_id is not None and entry.user_id == user_id) or (team_id is not None and entry.team_id == team_id):
            return entry
    entry = ContestEntry(contest=contest, user_id=user_id, team_id=team_id)
    db.session.add(entry)
    db.session.commit()
    return entry


def record_result(recorder, entry: ContestEntry, result: str) -> Honour:
    """The jury's result, and with it the entrant's honour ("<contest><result>"), kept in step:
    a corrected result corrects the honour rather than adding a second."""
    entry.result = result.strip()
    contest = entry.contest
    honour = db.session.scalar(sa.select(Honour).where(Honour.entry_id == entry.id))
    if honour is None:
        honour = Honour(entry_id=entry.id, recorded_by_id=recorder.id)
    honour.title = f"{contest.title}{entry.result}"
    honour.awarded_on = contest.held_on
    honour.user_id, honour.team_id = entry.user_id, entry.team_id
    db.session.add(honour)
    db.session.commit()
    return honour


def add_honour(recorder, title: str, awarded_on: date, user_id: int | None, team_id: int | None) -> Honour:
    honour = Honour(title=title.strip(), awarded_on=awarded_on, user_id=user_id, team_id=team_id,
                    recorded_by_id=recorder.id)
    db.session.add(honour)
    db.session.commit()
    return honour


def create_team(name: str, note: str | None) -> InterestTeam:
    team = InterestTeam(name=name.strip(), note=(note or "").strip() or None)
    db.session.add(team)
    db.session.commit()
    return team


def name_taken(name: str) -> bool:
    return db.session.scalar(sa.select(InterestTeam.id).where(InterestTeam.name == name.strip())) is not None


def add_members(team: InterestTeam, user_ids: list[int]) -> int:
    have = {m.user_id for m in team.members}
    new = [uid for uid in dict.fromkeys(user_ids) if uid not in have]
    team.members.extend(InterestTeamMember(user_id=uid) for uid in new)
    db.session.commit()
    return len(new)


def add_event(team: InterestTeam, title: str, held_on: date, place_id: int | None) -> TeamEvent:
    event = TeamEvent(team=team, title=title.strip(), held_on=held_on, place_id=place_id)
    db.session.add(event)
    db.session.commit()
    return event
