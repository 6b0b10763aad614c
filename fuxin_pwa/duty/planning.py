"""Duty rosters after they are built: extending one by more days by the same rule, rebuilding
the shifts not yet begun after the people changed, deleting one, changing a standby group, and
the office's holiday calendar that holiday-duty rosters keep to.

Rules kept here:
- Extending goes on with the rotation where it stood (the rule's `turn`), so the grid reads
  as one rotation, not two stuck together.
- Rebuilding touches only shifts not yet begun; who was on duty before stays as it was. The
  rotation starts again from the head of the new list, since the old order no longer holds.
- Deleting: a roster whose begun shifts have evidence (a check-in at the place during the
  shift) keeps those shifts — they are the record that someone stood guard, and the check-in
  means nothing without them; only its shifts not yet begun go. A roster with no such record
  goes whole (a roster made by mistake, or one that never started)."""
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..timeutil import to_local, utcnow
from .models import ACCEPTED, ASKED, DECLINED, Holiday, Roster, Shift, ShiftPerson, StandbyGroup, StandbyMember, SwapRequest
from .services import MAX_DAYS, DutyRefused, fill_days


def _needs_rule(roster: Roster) -> None:
    if not roster.rule:
        raise DutyRefused(_("该排班不是按规则生成的，不能延长或重排"))


def extend_roster(roster: Roster, days: int) -> int:
    """`days` more days after the roster's last, by its rule; commits. Returns days with shifts."""
    _needs_rule(roster)
    if not 1 <= days <= MAX_DAYS:
        raise DutyRefused(_("天数应在 1 到 %(n)s 之间", n=MAX_DAYS))
    first = roster.ends_on + timedelta(days=1)
    built = fill_days(roster, first, days)
    if not built:
        db.session.rollback()
        raise DutyRefused(_("延长的日期中没有节假日，请先在节假日安排中录入"))
    roster.ends_on = first + timedelta(days=days - 1)
    db.session.commit()
    return built


def _future(roster: Roster) -> list[Shift]:
    now = utcnow()
    return [s for s in roster.shifts if s.starts_at > now]


def _lapse_swaps(shift_ids) -> None:
    """Open swaps on shifts that changed hands by a leader's hand: nothing left to agree on."""
    if shift_ids:
        db.session.execute(sa.update(SwapRequest).where(
            SwapRequest.state.in_((ASKED, ACCEPTED)),
            sa.or_(SwapRequest.shift_id.in_(shift_ids), SwapRequest.exchange_shift_id.in_(shift_ids)))
            .values(state=DECLINED, answered_at=utcnow()))


def rebuild_future(roster: Roster, member_ids) -> int:
    """The rotation's new people on every shift not yet begun; commits. Returns shifts changed."""
    _needs_rule(roster)
    members = list(dict.fromkeys(member_ids))
    per_shift = roster.rule["per_shift"]
    if per_shift > len(members):
        raise DutyRefused(_("每班人数不能多于轮换人员数"))
    days: dict[date, list[Shift]] = {}
    for shift in _future(roster):
        days.setdefault(to_local(shift.starts_at).date(), []).append(shift)
    changed = []
    for index, shifts in enumerate(days.values()):
        turn = index * per_shift  # as fill_days: each day one shift's worth further on
        for shift in shifts:
            wanted = [members[(turn + i) % len(members)] for i in range(per_shift)]
            turn += per_shift
            # Kept rows stay (the pair shift/person is unique: delete-then-insert of the same
            # person would collide inside one flush).
            for row in [p for p in shift.people if p.user_id not in wanted]:
                shift.people.remove(row)
            have = {p.user_id for p in shift.people}
            shift.people.extend(ShiftPerson(user_id=uid) for uid in wanted if uid not in have)
            changed.append(shift.id)
    roster.rule = {**roster.rule, "member_ids": members, "turn": len(days) * per_shift}
    _lapse_swaps(changed)
    db.session.commit()
    return len(changed)


def delete_roster(roster: Roster) -> bool:
    """Deletes the roster, or, where begun shifts have evidence, only its shifts not yet begun
    (see the module's note); commits. True when the whole roster went."""
    from .queries import evidence  # the read side, which knows what a check-in proves

    now = utcnow()
    begun = [s for s in roster.shifts if s.starts_at <= now]
    keep = bool(begun) and any(evidence(begun).values())
    gone = _future(roster) if keep else list(roster.shifts)
    ids = [s.id for s in gone]
    if ids:
        for swap in db.session.scalars(sa.select(SwapRequest).where(sa.or_(
                SwapRequest.shift_id.in_(ids), SwapRequest.exchange_shift_id.in_(ids)))):
            db.session.delete(swap)
        db.session.flush()
    if keep:
        for shift in gone:
            roster.shifts.remove(shift)
        roster.ends_on = max(to_local(s.starts_at).date() for s in begun)
    else:
        db.session.delete(roster)
    db.session.commit()
    return not keep


# --- Standby groups -----------------------------------------------------------------------------

def update_group(group: StandbyGroup, name: str, leader_id: int | None, member_ids) -> None:
    """A group's new name, leader and members (the leader always one of them); commits."""
    members = list(dict.fromkeys(member_ids))
    if leader_id is not None and leader_id not in members:
        members.insert(0, leader_id)
    group.name, group.leader_id = name.strip(), leader_id
    for row in [m for m in group.members if m.user_id not in members]:
        group.members.remove(row)
    have = {m.user_id for m in group.members}
    group.members.extend(StandbyMember(user_id=uid) for uid in members if uid not in have)
    db.session.commit()


# --- The holiday calendar ------------------------------------------------------------------------

def holidays(year_from: date | None = None) -> list[Holiday]:
    stmt = sa.select(Holiday).order_by(Holiday.day)
    if year_from is not None:
        stmt = stmt.where(Holiday.day >= year_from)
    return db.session.scalars(stmt).all()


def add_holidays(name: str, first: date, days: int) -> list[Holiday]:
    """`days` holiday days from `first` under one name (春节 × 7); commits. A day already in
    the calendar is refused rather than renamed: two holidays on one day is a typing slip.
    Rosters already built keep their shifts; a new or extended one reads the calendar."""
    wanted = [first + timedelta(days=i) for i in range(days)]
    taken = db.session.scalars(sa.select(Holiday).where(Holiday.day.in_(wanted)).order_by(Holiday.day)).first()
    if taken is not None:
        raise DutyRefused(_("%(day)s 已是节假日（%(name)s）", day=f"{taken.day:%Y-%m-%d}", name=taken.name))
    rows = [Holiday(day=day, name=name.strip()) for day in wanted]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def delete_holiday(holiday: Holiday) -> None:
    db.session.delete(holiday)
    db.session.commit()
