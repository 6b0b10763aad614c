"""Duty rosters (值守排班): recurring duty shared out ahead of time, as opposed to an
incident's dispatch. A roster (guarding a plot, flood standby, holiday duty) has shifts, each
with the people on it; flood standby rosters also have named groups with a leader, which a
leader may call up onto an incident in one step.

Being on a shift is not a punch-in: nothing here records presence. A check-in the person makes
at the roster's place during the shift is read back as the shift's evidence (queries.py)."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

ROSTER_KINDS = {
    "site_guard": _l("征迁地块值守"),
    "flood_standby": _l("防汛预备队"),
    "holiday": _l("节假日值班"),
}
NAME_MAX = 100
LABEL_MAX = 20

# A swap asked by the person on a shift of the one who would take it over.
ASKED = "asked"
ACCEPTED = "accepted"  # taken by the other, waiting for a leader (rosters that require approval)
APPLIED = "applied"
DECLINED = "declined"
SWAP_STATES = {ASKED: _l("待对方确认"), ACCEPTED: _l("待领导批准"), APPLIED: _l("已换班"),
               DECLINED: _l("未换班")}


class Roster(db.Model):
    __tablename__ = "duty_rosters"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default="site_guard")
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    place_id: Mapped[int | None] = mapped_column(sa.ForeignKey("places.id"))
    starts_on: Mapped[date] = mapped_column()
    ends_on: Mapped[date] = mapped_column()
    # A swap agreed between two people is applied at once, unless the leader wants to approve it.
    swap_needs_approval: Mapped[bool] = mapped_column(default=False)
    # The rule it was built by, kept so it can be extended and its future rebuilt the same way:
    # {"shifts": [[label, "08:00", "20:00"]], "per_shift": 2, "member_ids": [...], "turn": n},
    # `turn` where the rotation goes on. None for a roster not built by rule (standby).
    rule: Mapped[dict | None] = mapped_column(sa.JSON)
    # 节假日值班 limited to the office's holiday calendar: days not in it get no shifts.
    holidays_only: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    place = relationship("Place")
    shifts = relationship("Shift", back_populates="roster", order_by="Shift.starts_at, Shift.id",
                          cascade="all, delete-orphan")
    groups = relationship("StandbyGroup", back_populates="roster", order_by="StandbyGroup.sort, StandbyGroup.id",
                          cascade="all, delete-orphan")

    @property
    def kind_label(self) -> str:
        return ROSTER_KINDS.get(self.kind, self.kind)


class Shift(db.Model):
    """One shift: a label (白班, 夜班) and its times, naive UTC; a night shift ends the next day."""

    __tablename__ = "duty_shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(sa.ForeignKey("duty_rosters.id"), index=True)
    label: Mapped[str] = mapped_column(sa.String(LABEL_MAX))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column(index=True)

    roster = relationship("Roster", back_populates="shifts")
    people = relationship("ShiftPerson", back_populates="shift", cascade="all, delete-orphan",
                          order_by="ShiftPerson.id")


class ShiftPerson(db.Model):
    __tablename__ = "duty_shift_people"
    __table_args__ = (sa.UniqueConstraint("shift_id", "user_id", name="uq_duty_shift_people_shift_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("duty_shifts.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)

    shift = relationship("Shift", back_populates="people")
    user = relationship("User")


class StandbyGroup(db.Model):
    """A standby group (防汛预备队第1组): its leader and members, called up as a whole."""

    __tablename__ = "duty_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(sa.ForeignKey("duty_rosters.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    leader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    sort: Mapped[int] = mapped_column(default=0)

    roster = relationship("Roster", back_populates="groups")
    leader = relationship("User")
    members = relationship("StandbyMember", back_populates="group", cascade="all, delete-orphan",
                           order_by="StandbyMember.id")


class StandbyMember(db.Model):
    __tablename__ = "duty_group_members"
    __table_args__ = (sa.UniqueConstraint("group_id", "user_id", name="uq_duty_group_members_group_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("duty_groups.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)

    group = relationship("StandbyGroup", back_populates="members")
    user = relationship("User")


class SwapRequest(db.Model):
    """The person on a shift asks another to take it over (换班); the other accepts or not.
    With `exchange_shift_id` it is an exchange (互换): the other's shift comes back in return,
    both changing hands at once."""

    __tablename__ = "duty_swaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("duty_shifts.id"), index=True)
    from_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    to_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(16), default=ASKED)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column()
    exchange_shift_id: Mapped[int | None] = mapped_column(sa.ForeignKey("duty_shifts.id"), index=True)

    shift = relationship("Shift", foreign_keys=[shift_id])
    exchange_shift = relationship("Shift", foreign_keys=[exchange_shift_id])
    from_user = relationship("User", foreign_keys=[from_user_id])
    to_user = relationship("User", foreign_keys=[to_user_id])

    @property
    def state_label(self) -> str:
        return SWAP_STATES.get(self.state, self.state)


class Holiday(db.Model):
    """A day of the office's holiday calendar (元旦, 春节 …), one row a day, entered by a leader."""

    __tablename__ = "duty_holidays"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(sa.String(LABEL_MAX))
