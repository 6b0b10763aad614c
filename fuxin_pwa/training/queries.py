"""What training's pages, the profile, and other areas read.

Public functions other packages call (the grade ladder, evaluations' evidence panel):

- hours_for(user_ids, start, end) -> {user id: hours}: training hours attended in the days
  start..end inclusive, every id asked for present (0.0 when none). One query.
- education_of(user_id) / qualification_of(user_id) -> Held | None: the highest level held,
  with the date it was obtained (the earliest, if entered twice). One query each.
- highest_for(user_ids, kind) -> {user id: Held}: the same for many people at once (the grade
  ledger), only those holding one present. One query.

Counts here are evidence (hours of training attended, certificates held), never a score or
an order of people: lists are by team and name."""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..extensions import db
from .models import EDUCATION, LEVELS, QUALIFICATION, Credential, TrainingAttendance, TrainingSession, rank


def hours_for(user_ids, start: date, end: date) -> dict[int, float]:
    ids = list(user_ids)
    found = {uid: 0.0 for uid in ids}
    if not ids:
        return found
    rows = db.session.execute(
        sa.select(TrainingAttendance.user_id, sa.func.sum(TrainingSession.hours))
        .join(TrainingSession, TrainingSession.id == TrainingAttendance.session_id)
        .where(TrainingAttendance.user_id.in_(ids), TrainingAttendance.attended,
               TrainingSession.held_on >= start, TrainingSession.held_on <= end)
        .group_by(TrainingAttendance.user_id)).all()
    for uid, hours in rows:
        found[uid] = round(float(hours or 0), 1)
    return found


@dataclass(frozen=True)
class Held:
    level: str
    label: str
    obtained_on: date
    rank: int  # 1 for the lowest level of its kind


def _highest(user_id: int, kind: str) -> Held | None:
    rows = db.session.execute(sa.select(Credential.level, Credential.obtained_on)
                              .where(Credential.user_id == user_id, Credential.kind == kind)).all()
    best = None
    for level, obtained_on in rows:
        key = (rank(kind, level), -obtained_on.toordinal())
        if rank(kind, level) and (best is None or key > best[0]):
            best = (key, level, obtained_on)
    if best is None:
        return None
    _key, level, obtained_on = best
    return Held(level, str(LEVELS[kind][level]), obtained_on, rank(kind, level))


def highest_for(user_ids, kind: str) -> dict[int, Held]:
    ids = list(user_ids)
    if not ids:
        return {}
    best: dict[int, tuple] = {}
    for uid, level, obtained_on in db.session.execute(
            sa.select(Credential.user_id, Credential.level, Credential.obtained_on)
            .where(Credential.user_id.in_(ids), Credential.kind == kind)):
        key = (rank(kind, level), -obtained_on.toordinal())
        if rank(kind, level) and (uid not in best or key > best[uid][0]):
            best[uid] = (key, level, obtained_on)
    return {uid: Held(level, str(LEVELS[kind][level]), obtained_on, rank(kind, level))
            for uid, (_key, level, obtained_on) in best.items()}


def education_of(user_id: int) -> Held | None:
    return _highest(user_id, EDUCATION)


def qualification_of(user_id: int) -> Held | None:
    return _highest(user_id, QUALIFICATION)


def credentials_of(user_id: int) -> list[Credential]:
    return list(db.session.scalars(sa.select(Credential).where(Credential.user_id == user_id)
                                   .order_by(Credential.obtained_on.desc(), Credential.id.desc())).all())


def sessions_attended(user_id: int, start: date, end: date) -> list[TrainingSession]:
    return list(db.session.scalars(
        sa.select(TrainingSession).join(TrainingAttendance, TrainingAttendance.session_id == TrainingSession.id)
        .where(TrainingAttendance.user_id == user_id, TrainingAttendance.attended,
               TrainingSession.held_on >= start, TrainingSession.held_on <= end)
        .order_by(TrainingSession.held_on.desc(), TrainingSession.id.desc())).all())


def sessions_in(year: int) -> list[TrainingSession]:
    return list(db.session.scalars(
        sa.select(TrainingSession).where(TrainingSession.held_on >= date(year, 1, 1),
                                         TrainingSession.held_on <= date(year, 12, 31))
        .order_by(TrainingSession.held_on.desc(), TrainingSession.id.desc())
        .options(selectinload(TrainingSession.expected))).all())


def attendance_of(session_id: int) -> list[TrainingAttendance]:
    """The expected list, by name: the organiser finds each person and taps once."""
    return list(db.session.scalars(
        sa.select(TrainingAttendance).join(User, User.id == TrainingAttendance.user_id)
        .where(TrainingAttendance.session_id == session_id).order_by(User.name, User.id)
        .options(selectinload(TrainingAttendance.user))).all())


@dataclass
class TeamHours:
    people: list[tuple[User, float]]  # by name, never by hours

    @property
    def none_yet(self) -> list[User]:
        return [person for person, hours in self.people if not hours]


def team_hours(team: str, year: int) -> TeamHours:
    people = db.session.scalars(sa.select(User).where(User.team == team, User.active)
                                .order_by(User.name, User.id)).all()
    hours = hours_for([p.id for p in people], date(year, 1, 1), date(year, 12, 31))
    return TeamHours([(p, hours[p.id]) for p in people])


def certificate_counts() -> dict[str, int]:
    """How many people hold each social-work certificate (each person under their highest)."""
    return _highest_counts(QUALIFICATION, None)


def _highest_counts(kind: str, before: date | None) -> dict[str, int]:
    rows = db.session.execute(sa.select(Credential.user_id, Credential.level)
                              .where(Credential.kind == kind)
                              .where(Credential.obtained_on < before if before else sa.true())).all()
    best: dict[int, str] = {}
    for uid, level in rows:
        if rank(kind, level) > rank(kind, best.get(uid, "")):
            best[uid] = level
    counts = {level: 0 for level in LEVELS[kind]}
    for level in best.values():
        counts[level] += 1
    return counts


def education_raised(year: int) -> dict[str, int]:
    """How many people raised their education in `year`, by the level reached: a degree
    obtained that year above every degree they held before it (the report's "21 obtained a
    bachelor's degree"). One query."""
    rows = db.session.execute(sa.select(Credential.user_id, Credential.level, Credential.obtained_on)
                              .where(Credential.kind == EDUCATION, Credential.obtained_on <= date(year, 12, 31))
                              .order_by(Credential.obtained_on)).all()
    before: dict[int, int] = {}
    reached: dict[int, str] = {}
    start = date(year, 1, 1)
    for uid, level, obtained_on in rows:
        r = rank(EDUCATION, level)
        if obtained_on < start:
            before[uid] = max(before.get(uid, 0), r)
        elif r > max(before.get(uid, 0), rank(EDUCATION, reached.get(uid, ""))):
            reached[uid] = level
    counts = {level: 0 for level in LEVELS[EDUCATION]}
    for level in reached.values():
        counts[level] += 1
    return counts
