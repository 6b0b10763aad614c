"""What the honours pages and the profile read: bounded, a few queries each."""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..extensions import db
from ..places.models import GRID_HOME, Place
from .models import Contest, ContestEntry, Honour, InterestTeam, InterestTeamMember

LIST_LIMIT = 200


def contests() -> list[Contest]:
    return db.session.scalars(sa.select(Contest).order_by(Contest.held_on.desc(), Contest.id.desc())
                              .limit(LIST_LIMIT)).all()


def contest_entries(contest_id: int) -> list[ContestEntry]:
    return db.session.scalars(sa.select(ContestEntry).where(ContestEntry.contest_id == contest_id)
                              .options(selectinload(ContestEntry.user), selectinload(ContestEntry.team))
                              .order_by(ContestEntry.id)).all()


def teams() -> list[tuple[InterestTeam, int]]:
    """Every interest team with its number of members, by name."""
    counts = (sa.select(InterestTeamMember.team_id, sa.func.count().label("n"))
              .group_by(InterestTeamMember.team_id).subquery())
    return db.session.execute(sa.select(InterestTeam, sa.func.coalesce(counts.c.n, 0))
                              .outerjoin(counts, counts.c.team_id == InterestTeam.id)
                              .order_by(InterestTeam.name)).all()


def team_members(team_id: int) -> list[User]:
    return db.session.scalars(sa.select(User).join(InterestTeamMember, InterestTeamMember.user_id == User.id)
                              .where(InterestTeamMember.team_id == team_id).order_by(User.name, User.id)).all()


def honours_of_person(user_id: int) -> list[Honour]:
    return db.session.scalars(sa.select(Honour).where(Honour.user_id == user_id)
                              .order_by(Honour.awarded_on.desc(), Honour.id.desc())).all()


def honours_of_team(team_id: int) -> list[Honour]:
    return db.session.scalars(sa.select(Honour).where(Honour.team_id == team_id)
                              .order_by(Honour.awarded_on.desc(), Honour.id.desc())).all()


def teams_of_person(user_id: int) -> list[InterestTeam]:
    return db.session.scalars(sa.select(InterestTeam).join(InterestTeamMember)
                              .where(InterestTeamMember.user_id == user_id).order_by(InterestTeam.name)).all()


def honours_between(user_ids, start: date, end: date) -> dict[int, list[Honour]]:
    """Each person's honours in a period, their teams' included (a choir's prize is each
    singer's too): for the evaluation's evidence panel."""
    ids = list(user_ids)
    out: dict[int, list[Honour]] = {uid: [] for uid in ids}
    if not ids:
        return out
    in_period = sa.and_(Honour.awarded_on >= start, Honour.awarded_on <= end)
    for honour in db.session.scalars(sa.select(Honour).where(in_period, Honour.user_id.in_(ids))):
        out[honour.user_id].append(honour)
    rows = db.session.execute(sa.select(InterestTeamMember.user_id, Honour)
                              .join(Honour, Honour.team_id == InterestTeamMember.team_id)
                              .where(in_period, InterestTeamMember.user_id.in_(ids))).all()
    for uid, honour in rows:
        out[uid].append(honour)
    return out


def grid_homes() -> list[Place]:
    return db.session.scalars(sa.select(Place).where(Place.active, Place.kind == GRID_HOME)
                              .order_by(Place.name)).all()


def people() -> list[User]:
    return db.session.scalars(sa.select(User).where(User.active).order_by(User.name, User.id)).all()
