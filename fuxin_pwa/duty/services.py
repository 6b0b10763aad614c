"""Duty rosters, the writing side: building a roster by rule, changing one shift, standby
groups, swaps between two people, and calling a standby group up onto an incident.

Rules kept here:
- A roster by rule: each shift takes the next `per_shift` people of the rotation, in the
  order the leader gave, so the load is even and the grid reads as a rotation.
- A swap is one shift handed over: asked by the person on it, accepted by the other; applied
  then, or after a leader's approval where the roster requires it. A shift already begun or
  the other already on it cannot be swapped.
- Calling up a group sends each member as the dispatch board sends one person (its service),
  so each gets the incident's card on their home; someone already sent stays where they are."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..auth.models import FIELD_ROLES, User
from ..domain import DomainError
from ..extensions import db
from ..timeutil import to_utc_naive, utcnow
from .models import (ACCEPTED, APPLIED, ASKED, DECLINED, Roster, Shift, ShiftPerson, StandbyGroup, StandbyMember,
                     SwapRequest)

MAX_DAYS = 92  # a quarter: the flood season or a long holiday, never a year of rows by mistake


class DutyRefused(DomainError):
    """A change the roster does not allow, with the sentence that says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ShiftRule:
    label: str
    starts: time
    ends: time  # before `starts`: the next day (a night shift); equal: 24 hours (standby)


@dataclass
class RosterRule:
    kind: str
    name: str
    place_id: int | None
    starts_on: date
    days: int
    shifts: list[ShiftRule]
    per_shift: int
    member_ids: list[int]
    swap_needs_approval: bool = False


def duty_staff() -> list[User]:
    """Who may be put on duty: active field staff, by team then name."""
    return db.session.scalars(sa.select(User).where(User.active, User.role.in_(FIELD_ROLES))
                              .order_by(User.team, User.name, User.id)).all()


def shift_times(day: date, rule: ShiftRule) -> tuple[datetime, datetime]:
    """The shift's start and end in naive UTC, from local times on a local day."""
    start = datetime.combine(day, rule.starts)
    end = datetime.combine(day + timedelta(days=1) if rule.ends <= rule.starts else day, rule.ends)
    return to_utc_naive(start), to_utc_naive(end)


def build_roster(user, rule: RosterRule) -> Roster:
    """The roster and all its shifts, the people rotating through them; commits."""
    roster = roster_from_rule(user, rule)
    db.session.add(roster)
    db.session.commit()
    return roster


def roster_from_rule(user, rule: RosterRule) -> Roster:
    """The roster built by the rule, not yet added (the demo loads it in its own transaction)."""
    members = list(dict.fromkeys(rule.member_ids))
    if rule.per_shift > len(members):
        raise DutyRefused(_("每班人数不能多于轮换人员数"))
    roster = Roster(kind=rule.kind, name=rule.name.strip(), place_id=rule.place_id, starts_on=rule.starts_on,
                    ends_on=rule.starts_on + timedelta(days=rule.days - 1),
                    swap_needs_approval=rule.swap_needs_approval, created_by_id=user.id)
    for offset in range(rule.days):
        day = rule.starts_on + timedelta(days=offset)
        # Each day starts the rotation one shift's worth further on: with two shifts a day,
        # who was on days goes on nights the next day, instead of the same pairs every day.
        turn = offset * rule.per_shift
        for shift_rule in rule.shifts:
            starts_at, ends_at = shift_times(day, shift_rule)
            shift = Shift(label=shift_rule.label.strip(), starts_at=starts_at, ends_at=ends_at)
            for _i in range(rule.per_shift):
                shift.people.append(ShiftPerson(user_id=members[turn % len(members)]))
                turn += 1
            roster.shifts.append(shift)
    return roster


def set_shift_people(shift: Shift, user_ids) -> None:
    """One shift's people, as the leader lists them now; commits. Open swaps of someone taken
    off it lapse: there is nothing left for them to hand over."""
    wanted = list(dict.fromkeys(user_ids))
    current = {p.user_id: p for p in shift.people}
    for user_id, row in current.items():
        if user_id not in wanted:
            shift.people.remove(row)
    shift.people.extend(ShiftPerson(user_id=uid) for uid in wanted if uid not in current)
    db.session.execute(sa.update(SwapRequest).where(
        SwapRequest.shift_id == shift.id, SwapRequest.state.in_((ASKED, ACCEPTED)),
        SwapRequest.from_user_id.not_in(wanted or [0])).values(state=DECLINED, answered_at=utcnow()))
    db.session.commit()


def add_group(roster: Roster, name: str, leader_id: int | None, member_ids) -> StandbyGroup:
    """A standby group of the roster; its leader is one of its members. Commits."""
    members = list(dict.fromkeys(member_ids))
    if leader_id is not None and leader_id not in members:
        members.insert(0, leader_id)
    group = StandbyGroup(name=name.strip(), leader_id=leader_id, sort=len(roster.groups) + 1,
                         members=[StandbyMember(user_id=uid) for uid in members])
    roster.groups.append(group)
    db.session.commit()
    return group


# --- Swaps -------------------------------------------------------------------------------------

def _on_shift(shift: Shift, user_id: int) -> bool:
    return any(p.user_id == user_id for p in shift.people)


def ask_swap(shift: Shift, user, to_user_id: int) -> SwapRequest:
    if shift.starts_at <= utcnow():
        raise DutyRefused(_("该班次已开始，不能再换班"))
    if not _on_shift(shift, user.id):
        raise DutyRefused(_("您不在该班次上"))
    if to_user_id == user.id or _on_shift(shift, to_user_id):
        raise DutyRefused(_("对方已在该班次上，请另选一人"))
    swap = SwapRequest(shift_id=shift.id, from_user_id=user.id, to_user_id=to_user_id, state=ASKED)
    db.session.add(swap)
    db.session.commit()
    return swap


def _apply(swap: SwapRequest) -> None:
    shift = swap.shift
    if shift.starts_at <= utcnow():
        raise DutyRefused(_("该班次已开始，不能再换班"))
    if not _on_shift(shift, swap.from_user_id):
        raise DutyRefused(_("提出换班的人已不在该班次上"))
    if _on_shift(shift, swap.to_user_id):
        raise DutyRefused(_("对方已在该班次上，请另选一人"))
    for row in shift.people:
        if row.user_id == swap.from_user_id:
            row.user_id = swap.to_user_id
    swap.state = APPLIED


def answer_swap(swap: SwapRequest, accept: bool) -> SwapRequest:
    """The asked person's answer; commits. Accepted: applied, or waiting for a leader."""
    if swap.state != ASKED:
        raise DutyRefused(_("该换班申请已处理"))
    swap.answered_at = utcnow()
    if not accept:
        swap.state = DECLINED
    elif swap.shift.roster.swap_needs_approval:
        swap.state = ACCEPTED
    else:
        _apply(swap)
    db.session.commit()
    return swap


def approve_swap(swap: SwapRequest, approve: bool) -> SwapRequest:
    """A leader's word on a swap both people agreed; commits."""
    if swap.state != ACCEPTED:
        raise DutyRefused(_("该换班申请已处理"))
    if approve:
        _apply(swap)
    else:
        swap.state = DECLINED
    db.session.commit()
    return swap


# --- Calling a standby group up ---------------------------------------------------------------

def call_up(group: StandbyGroup, incident, by) -> int:
    """Send every member of the group to the incident, one by one through dispatch's service
    (未分岗: the board places them on posts). Returns how many were sent now."""
    from ..dispatch import services as dispatch  # dispatch builds on nothing of this area's
    from ..dispatch.models import Deployment

    already = set(db.session.scalars(sa.select(Deployment.user_id).where(Deployment.incident_id == incident.id)))
    sent = 0
    for member in group.members:
        if member.user_id in already or not member.user.active:
            continue
        dispatch.assign(incident, by, user_id=member.user_id, post_id=None)
        sent += 1
    return sent
