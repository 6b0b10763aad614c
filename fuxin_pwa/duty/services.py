"""Duty rosters, the writing side: building a roster by rule, changing one shift, standby
groups, swaps between two people, and calling a standby group up onto an incident.

Rules kept here:
- A roster by rule: each shift takes the next `per_shift` people of the rotation, in the
  order the leader gave, so the load is even and the grid reads as a rotation.
- A swap is one shift handed over: asked by the person on it, accepted by the other; applied
  then, or after a leader's approval where the roster requires it. A shift already begun or
  the other already on it cannot be swapped.
- An exchange (互换) is two shifts changing hands at once: mine to the other, theirs to me,
  in one transaction, refused if either has begun, either person is no longer on theirs, or
  someone would end up on two overlapping shifts.
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
from .models import (ACCEPTED, APPLIED, ASKED, DECLINED, Holiday, Roster, Shift, ShiftPerson, StandbyGroup, StandbyMember,
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


def build_roster(user, rule: RosterRule, holidays_only: bool = False) -> Roster:
    """The roster and all its shifts, the people rotating through them; commits."""
    roster = roster_from_rule(user, rule, holidays_only)
    db.session.add(roster)
    db.session.commit()
    return roster


def roster_from_rule(user, rule: RosterRule, holidays_only: bool = False) -> Roster:
    """The roster built by the rule, not yet added (the demo loads it in its own transaction).
    Holidays only: the days of the period that are in the holiday calendar, the others empty."""
    members = list(dict.fromkeys(rule.member_ids))
    if rule.per_shift > len(members):
        raise DutyRefused(_("每班人数不能多于轮换人员数"))
    roster = Roster(kind=rule.kind, name=rule.name.strip(), place_id=rule.place_id, starts_on=rule.starts_on,
                    ends_on=rule.starts_on + timedelta(days=rule.days - 1),
                    swap_needs_approval=rule.swap_needs_approval, created_by_id=user.id,
                    holidays_only=holidays_only,
                    rule={"shifts": [[s.label.strip(), f"{s.starts:%H:%M}", f"{s.ends:%H:%M}"] for s in rule.shifts],
                          "per_shift": rule.per_shift, "member_ids": members, "turn": 0})
    if not fill_days(roster, rule.starts_on, rule.days):
        raise DutyRefused(_("所选期间没有节假日，请先在节假日安排中录入"))
    return roster


def shift_rules(roster: Roster) -> list[ShiftRule]:
    return [ShiftRule(label, time.fromisoformat(starts), time.fromisoformat(ends))
            for label, starts, ends in roster.rule["shifts"]]


def holiday_days(first: date, last: date) -> set[date]:
    return set(db.session.scalars(sa.select(Holiday.day).where(Holiday.day.between(first, last))))


def fill_days(roster: Roster, first: date, days: int) -> int:
    """Shifts for `days` days from `first` by the roster's rule, the rotation going on from
    where it stood (rule["turn"]); returns how many days got shifts."""
    rule = dict(roster.rule)
    members, per_shift = rule["member_ids"], rule["per_shift"]
    holidays = holiday_days(first, first + timedelta(days=days - 1)) if roster.holidays_only else None
    built = 0
    for offset in range(days):
        day = first + timedelta(days=offset)
        if holidays is not None and day not in holidays:
            continue
        # Each day starts the rotation one shift's worth further on: with two shifts a day,
        # who was on days goes on nights the next day, instead of the same pairs every day.
        turn = rule["turn"]
        for shift_rule in shift_rules(roster):
            starts_at, ends_at = shift_times(day, shift_rule)
            shift = Shift(label=shift_rule.label, starts_at=starts_at, ends_at=ends_at)
            for _i in range(per_shift):
                shift.people.append(ShiftPerson(user_id=members[turn % len(members)]))
                turn += 1
            roster.shifts.append(shift)
        rule["turn"] += per_shift
        built += 1
    roster.rule = rule  # a new dict: a JSON column notices reassignment, not changes inside
    return built


def set_shift_people(shift: Shift, user_ids) -> None:
    """One shift's people, as the leader lists them now; commits. Open swaps and exchanges of
    someone taken off it lapse: there is nothing left for them to hand over."""
    wanted = list(dict.fromkeys(user_ids))
    current = {p.user_id: p for p in shift.people}
    for user_id, row in current.items():
        if user_id not in wanted:
            shift.people.remove(row)
    shift.people.extend(ShiftPerson(user_id=uid) for uid in wanted if uid not in current)
    off = wanted or [0]
    db.session.execute(sa.update(SwapRequest).where(
        SwapRequest.state.in_((ASKED, ACCEPTED)),
        sa.or_(sa.and_(SwapRequest.shift_id == shift.id, SwapRequest.from_user_id.not_in(off)),
               # an exchange offered for this shift, its holder taken off it
               sa.and_(SwapRequest.exchange_shift_id == shift.id, SwapRequest.to_user_id.not_in(off))))
        .values(state=DECLINED, answered_at=utcnow()))
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


def _overlaps(user_id: int, shift: Shift, leaving: Shift) -> bool:
    """Whether the person, off `leaving` and on `shift`, would be on two shifts at once."""
    return db.session.scalar(sa.select(sa.exists().where(
        ShiftPerson.shift_id == Shift.id, ShiftPerson.user_id == user_id, Shift.id.not_in((shift.id, leaving.id)),
        Shift.starts_at < shift.ends_at, Shift.ends_at > shift.starts_at)))


def check_exchange(shift: Shift, mine: Shift, user_id: int, other_id: int) -> None:
    """An exchange: `user_id` gives `shift` and takes `mine` (the other's), `other_id` the
    reverse. Refused with the sentence that says which condition fails."""
    if min(shift.starts_at, mine.starts_at) <= utcnow():
        raise DutyRefused(_("有班次已开始，不能再互换"))
    if not _on_shift(shift, user_id):
        raise DutyRefused(_("提出互换的人已不在该班次上"))
    if not _on_shift(mine, other_id):
        raise DutyRefused(_("对方已不在要换的班次上"))
    if _on_shift(shift, other_id) or _on_shift(mine, user_id):
        raise DutyRefused(_("双方已在对方的班次上，不能互换"))
    if _overlaps(user_id, mine, shift) or _overlaps(other_id, shift, mine) or (
            shift.starts_at < mine.ends_at and mine.starts_at < shift.ends_at):
        raise DutyRefused(_("互换后会有人同时在两个时间重叠的班次上"))


def ask_exchange(shift: Shift, user, other: Shift, other_id: int) -> SwapRequest:
    """互换: my shift for the other person's shift on `other`; commits."""
    check_exchange(shift, other, user.id, other_id)
    swap = SwapRequest(shift_id=shift.id, from_user_id=user.id, to_user_id=other_id, exchange_shift_id=other.id,
                       state=ASKED)
    db.session.add(swap)
    db.session.commit()
    return swap


def _hand_over(shift: Shift, from_id: int, to_id: int) -> None:
    for row in shift.people:
        if row.user_id == from_id:
            row.user_id = to_id


def _apply(swap: SwapRequest) -> None:
    shift = swap.shift
    if swap.exchange_shift_id is not None:
        # Both shifts change hands in the caller's one commit, or neither does.
        check_exchange(shift, swap.exchange_shift, swap.from_user_id, swap.to_user_id)
        _hand_over(shift, swap.from_user_id, swap.to_user_id)
        _hand_over(swap.exchange_shift, swap.to_user_id, swap.from_user_id)
        swap.state = APPLIED
        return
    if shift.starts_at <= utcnow():
        raise DutyRefused(_("该班次已开始，不能再换班"))
    if not _on_shift(shift, swap.from_user_id):
        raise DutyRefused(_("提出换班的人已不在该班次上"))
    if _on_shift(shift, swap.to_user_id):
        raise DutyRefused(_("对方已在该班次上，请另选一人"))
    _hand_over(shift, swap.from_user_id, swap.to_user_id)
    swap.state = APPLIED


def _apply_or_undo(swap: SwapRequest) -> None:
    try:
        _apply(swap)
    except DutyRefused:
        db.session.rollback()  # nothing half done stays in the session
        raise


def answer_swap(swap: SwapRequest, accept: bool) -> SwapRequest:
    """The asked person's answer; commits. Accepted: applied, or waiting for a leader."""
    if swap.state != ASKED:
        raise DutyRefused(_("该换班申请已处理"))
    swap.answered_at = utcnow()
    if not accept:
        swap.state = DECLINED
    elif swap.shift.roster.swap_needs_approval:
        if swap.exchange_shift_id is not None:
            # Said now, not when the leader approves: an exchange that cannot happen waits on nobody.
            check_exchange(swap.shift, swap.exchange_shift, swap.from_user_id, swap.to_user_id)
        swap.state = ACCEPTED
    else:
        _apply_or_undo(swap)
    db.session.commit()
    return swap


def approve_swap(swap: SwapRequest, approve: bool) -> SwapRequest:
    """A leader's word on a swap both people agreed; commits."""
    if swap.state != ACCEPTED:
        raise DutyRefused(_("该换班申请已处理"))
    if approve:
        _apply_or_undo(swap)
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
