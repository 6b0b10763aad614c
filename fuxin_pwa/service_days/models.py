"""Fixed-point service days (定点便民服务): a day at a centre (党群服务中心, a 网格家园, a
village square) when staff and volunteers offer services from an admin list (理发, 义诊,
法律咨询 …). At the tablet, each resident served is a tap: a `service_tally` record made on
the device (offline too), so it carries its own UUID like every field record."""
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..coded import CodedEntryMixin
from ..extensions import db
from ..records import FieldRecordMixin
from ..timeutil import utcnow
from ..versions import own_records

TITLE_MAX = 100
NOTE_MAX = 500
VOLUNTEERS_MAX = 300
COUNT_MAX = 500  # sync-protocol.md: 1–500 residents in one tally

day_services = sa.Table(
    "service_day_services", db.metadata,
    sa.Column("day_id", sa.ForeignKey("service_days.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("kind_id", sa.ForeignKey("service_kinds.id"), primary_key=True),
)
day_staff = sa.Table(
    "service_day_staff", db.metadata,
    sa.Column("day_id", sa.ForeignKey("service_days.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True, index=True),
)


class ServiceKind(CodedEntryMixin, db.Model):
    """A service offered at the days (the admin's list). Devices name it by its code, which
    never changes; its labels may."""

    __tablename__ = "service_kinds"


class ServiceDay(db.Model):
    __tablename__ = "service_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    place_id: Mapped[int] = mapped_column(sa.ForeignKey("places.id"), index=True)
    held_on: Mapped[date] = mapped_column(index=True)
    starts_at: Mapped[time] = mapped_column()
    ends_at: Mapped[time] = mapped_column()
    volunteers: Mapped[str | None] = mapped_column(sa.String(VOLUNTEERS_MAX))
    note: Mapped[str | None] = mapped_column(sa.String(NOTE_MAX))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Called off (取消): off the tablets, kept with whatever was tallied for the record.
    cancelled_at: Mapped[datetime | None] = mapped_column()

    place = relationship("Place")
    created_by = relationship("User", foreign_keys=[created_by_id])
    services = relationship("ServiceKind", secondary=day_services, order_by="(ServiceKind.sort, ServiceKind.id)")
    staff = relationship("User", secondary=day_staff, order_by="User.name")

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


class ServiceTally(FieldRecordMixin, db.Model):
    """Residents served with one service at a day, as one person tallied them: usually 1 (a
    tap), more when a paper count is entered afterwards."""

    __tablename__ = "service_tallies"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(sa.ForeignKey("service_days.id"), index=True)
    kind_id: Mapped[int] = mapped_column(sa.ForeignKey("service_kinds.id"), index=True)
    count: Mapped[int] = mapped_column()
    household_id: Mapped[int | None] = mapped_column(sa.ForeignKey("households.id"))
    note: Mapped[str | None] = mapped_column(sa.String(NOTE_MAX))

    day = relationship("ServiceDay")
    kind = relationship("ServiceKind")
    user = relationship("User")


# A tally changes nothing kept for anyone else (the home and /me never show totals): a
# service day's hundred taps bump only the tallier's own version, not everyone's.
own_records(ServiceTally.__tablename__, lambda values: values.get("user_id"))
