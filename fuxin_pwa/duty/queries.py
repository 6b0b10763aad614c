"""Duty rosters, the read side: whose rosters a person sees, a roster as its grid (days ×
shifts), my next shift, who is on duty now, each shift's evidence, the swaps waiting on me.

Field staff see the rosters they are on (a shift or a standby group) and, of who is on duty,
only the shifts they share; leaders and admins see everything. Phones are the leader's: the
templates mask them for everyone else."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ..domain import NotFound
from ..extensions import db
from ..timeutil import to_local, utcnow
from .models import ACCEPTED, ASKED, Roster, Shift, ShiftPerson, StandbyGroup, StandbyMember, SwapRequest


def _mine(user):
    """Roster ids this person is on, by a shift or a standby group."""
    on_shift = sa.select(Shift.roster_id).join(ShiftPerson, ShiftPerson.shift_id == Shift.id) \
        .where(ShiftPerson.user_id == user.id)
    in_group = sa.select(StandbyGroup.roster_id).join(StandbyMember, StandbyMember.group_id == StandbyGroup.id) \
        .where(StandbyMember.user_id == user.id)
    return sa.union(on_shift, in_group)


def rosters_for(user) -> list[Roster]:
    stmt = sa.select(Roster).order_by(Roster.ends_on.desc(), Roster.id.desc())
    if not user.sees_all:
        stmt = stmt.where(Roster.id.in_(_mine(user)))
    return db.session.scalars(stmt).all()


def get_roster(roster_id: int, user) -> Roster:
    """A roster the person is on (any, for leaders); NotFound otherwise."""
    roster = db.session.get(Roster, roster_id)
    if roster is None or not (user.sees_all or db.session.scalar(
            sa.select(sa.exists().where(_mine(user).subquery().c.roster_id == roster_id)))):
        raise NotFound()
    return roster


def get_shift(shift_id: int) -> Shift:
    shift = db.session.get(Shift, shift_id)
    if shift is None:
        raise NotFound()
    return shift


def get_swap(swap_id: int) -> SwapRequest:
    swap = db.session.get(SwapRequest, swap_id)
    if swap is None:
        raise NotFound()
    return swap


def get_group(group_id: int) -> StandbyGroup:
    group = db.session.get(StandbyGroup, group_id)
    if group is None:
        raise NotFound()
    return group


def local_day(shift: Shift) -> date:
    return to_local(shift.starts_at).date()


@dataclass
class Grid:
    days: list[date]
    labels: list[str]
    cells: dict = field(default_factory=dict)  # (day, label) -> [Shift]


def roster_grid(roster: Roster) -> Grid:
    """The familiar grid: a row per day, a column per shift label, in the order first met."""
    shifts = db.session.scalars(sa.select(Shift).where(Shift.roster_id == roster.id)
                                .options(selectinload(Shift.people).selectinload(ShiftPerson.user))
                                .order_by(Shift.starts_at, Shift.id)).all()
    cells = defaultdict(list)
    days, labels = [], []
    for shift in shifts:
        day = local_day(shift)
        days.append(day)
        labels.append(shift.label)
        cells[(day, shift.label)].append(shift)
    return Grid(sorted(set(days)), list(dict.fromkeys(labels)), cells)


def next_shift(user) -> Shift | None:
    """The shift I am on now, or my next one."""
    return db.session.scalar(
        sa.select(Shift).join(ShiftPerson, ShiftPerson.shift_id == Shift.id)
        .where(ShiftPerson.user_id == user.id, Shift.ends_at > utcnow())
        .options(joinedload(Shift.roster).joinedload(Roster.place))  # the home names both: one query
        .order_by(Shift.starts_at, Shift.id).limit(1))


def on_duty_now(user) -> list[Shift]:
    """Shifts under way: every one for leaders; the ones I am on, for field staff."""
    now = utcnow()
    stmt = (sa.select(Shift).where(Shift.starts_at <= now, Shift.ends_at > now)
            .options(selectinload(Shift.people).selectinload(ShiftPerson.user), selectinload(Shift.roster))
            .order_by(Shift.starts_at, Shift.id))
    if not user.sees_all:
        stmt = stmt.where(Shift.id.in_(sa.select(ShiftPerson.shift_id).where(ShiftPerson.user_id == user.id)))
    return db.session.scalars(stmt).all()


def evidence(shifts) -> dict[int, dict[int, object]]:
    """{shift id: {user id: first check-in at the roster's place during the shift}}: shown by
    the name as the shift's evidence, never counted or scored."""
    from ..field.models import CheckIn  # field/ builds on nothing of this area's
    from ..places.services import with_descendants

    found: dict[int, dict[int, object]] = defaultdict(dict)
    by_place = defaultdict(list)
    for shift in shifts:
        if shift.roster.place_id is not None:
            by_place[shift.roster.place_id].append(shift)
    for place_id, items in by_place.items():
        places = with_descendants({place_id})
        users = {p.user_id for s in items for p in s.people}
        if not users:
            continue
        rows = db.session.scalars(
            sa.select(CheckIn).where(CheckIn.place_id.in_(places), CheckIn.user_id.in_(users),
                                     CheckIn.occurred_at >= min(s.starts_at for s in items),
                                     CheckIn.occurred_at < max(s.ends_at for s in items))
            .order_by(CheckIn.occurred_at)).all()
        for shift in items:
            on = {p.user_id for p in shift.people}
            for row in rows:
                if row.user_id in on and shift.starts_at <= row.occurred_at < shift.ends_at:
                    found[shift.id].setdefault(row.user_id, row)
    return found


def swaps_waiting(user) -> list[SwapRequest]:
    """Swaps asked of me; for leaders, also those agreed and waiting for approval."""
    now = utcnow()
    mine = sa.and_(SwapRequest.to_user_id == user.id, SwapRequest.state == ASKED)
    which = sa.or_(mine, SwapRequest.state == ACCEPTED) if user.sees_all else mine
    return db.session.scalars(sa.select(SwapRequest).join(Shift, Shift.id == SwapRequest.shift_id)
                              .where(which, Shift.starts_at > now)
                              .options(joinedload(SwapRequest.shift).joinedload(Shift.roster),
                                       joinedload(SwapRequest.exchange_shift),
                                       joinedload(SwapRequest.from_user), joinedload(SwapRequest.to_user))
                              .order_by(Shift.starts_at, SwapRequest.id)).all()


def my_swaps(user) -> list[SwapRequest]:
    """The swaps I asked for that are not settled."""
    return db.session.scalars(sa.select(SwapRequest).where(SwapRequest.from_user_id == user.id,
                                                           SwapRequest.state.in_((ASKED, ACCEPTED)))
                              .options(joinedload(SwapRequest.shift), joinedload(SwapRequest.exchange_shift),
                                       joinedload(SwapRequest.to_user))
                              .order_by(SwapRequest.id)).all()


def my_shifts(user, limit: int = 30) -> list[Shift]:
    return db.session.scalars(
        sa.select(Shift).join(ShiftPerson, ShiftPerson.shift_id == Shift.id)
        .where(ShiftPerson.user_id == user.id, Shift.ends_at > utcnow())
        .options(selectinload(Shift.roster)).order_by(Shift.starts_at, Shift.id).limit(limit)).all()


def standby_groups() -> list[StandbyGroup]:
    """Every standby group, for the incident board's call-up, by roster then order."""
    return db.session.scalars(sa.select(StandbyGroup).join(Roster, Roster.id == StandbyGroup.roster_id)
                              .where(Roster.ends_on >= to_local(utcnow()).date())
                              .options(selectinload(StandbyGroup.members))
                              .order_by(Roster.id, StandbyGroup.sort, StandbyGroup.id)).all()


def exchange_offers(shift: Shift, user) -> list[Shift]:
    """Shifts of the same roster, not yet begun and without me, that I might take in exchange
    for `shift` (overlaps are refused when asked, with the sentence that says so)."""
    return db.session.scalars(
        sa.select(Shift).where(Shift.roster_id == shift.roster_id, Shift.id != shift.id, Shift.starts_at > utcnow(),
                               ~Shift.id.in_(sa.select(ShiftPerson.shift_id).where(ShiftPerson.user_id == user.id)))
        .options(selectinload(Shift.people).selectinload(ShiftPerson.user))
        .order_by(Shift.starts_at, Shift.id)).all()


def roster_groups(roster: Roster) -> list[StandbyGroup]:
    """A roster's standby groups with leaders and members, in a fixed number of queries."""
    return db.session.scalars(sa.select(StandbyGroup).where(StandbyGroup.roster_id == roster.id)
                              .options(joinedload(StandbyGroup.leader),
                                       selectinload(StandbyGroup.members).selectinload(StandbyMember.user))
                              .order_by(StandbyGroup.sort, StandbyGroup.id)).all()
