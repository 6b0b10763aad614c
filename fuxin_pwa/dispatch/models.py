"""Emergency dispatch (一体化调度): an incident with its posts, groups of people sent to
them, and each person's acknowledgements (收到 → 出发 → 到岗 → 撤离).

An acknowledgement is a device record (sent from the outbox, offline too); a deployment
holds the latest state, so the board reads one row per person."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..records import FieldRecordMixin
from ..timeutil import utcnow

INCIDENT_KINDS = {
    "flood": _l("防汛"),
    "typhoon": _l("防台风"),
    "fire": _l("火情"),
    "snow": _l("除雪防冻"),
    "other": _l("其他突发事件"),
}
OPEN = "open"
CLOSED = "closed"
INCIDENT_STATUSES = {OPEN: _l("进行中"), CLOSED: _l("已结束")}

# A deployment's state; ASSIGNED means sent but not yet acknowledged.
ASSIGNED = "assigned"
RECEIVED = "received"
EN_ROUTE = "en_route"
ON_SITE = "on_site"
STOOD_DOWN = "stood_down"
DEPLOYMENT_STATES = {
    ASSIGNED: _l("待确认"),
    RECEIVED: _l("收到"),
    EN_ROUTE: _l("出发"),
    ON_SITE: _l("到岗"),
    STOOD_DOWN: _l("撤离"),
}
ACK_STATES = (RECEIVED, EN_ROUTE, ON_SITE, STOOD_DOWN)  # in order
UNACKED_AFTER_MIN = 10


class Incident(db.Model):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default="flood")
    title: Mapped[str] = mapped_column(sa.String(200))
    area: Mapped[str | None] = mapped_column(sa.String(200))
    place_id: Mapped[int | None] = mapped_column(sa.ForeignKey("places.id"))
    status: Mapped[str] = mapped_column(sa.String(16), default=OPEN, index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ended_at: Mapped[datetime | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by = relationship("User")
    place = relationship("Place")
    posts = relationship("Post", back_populates="incident", order_by="Post.sort, Post.id")
    groups = relationship("IncidentGroup", back_populates="incident", order_by="IncidentGroup.id")

    @property
    def kind_label(self) -> str:
        return INCIDENT_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return INCIDENT_STATUSES.get(self.status, self.status)

    @property
    def is_open(self) -> bool:
        return self.status == OPEN


class Post(db.Model):
    """A duty position in an incident: a flooded junction, a road to close, a pumping point."""

    __tablename__ = "incident_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incidents.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    place_id: Mapped[int | None] = mapped_column(sa.ForeignKey("places.id"))
    lat: Mapped[float | None] = mapped_column()
    lon: Mapped[float | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(sa.String(500))
    sort: Mapped[int] = mapped_column(default=100)

    incident = relationship("Incident", back_populates="posts")
    place = relationship("Place")


class IncidentGroup(db.Model):
    """People split into a group; a group may be sent to a post as a whole."""

    __tablename__ = "incident_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incidents.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incident_posts.id"))

    incident = relationship("Incident", back_populates="groups")
    post = relationship("Post")


class Deployment(db.Model):
    """One person in one incident: their group, their post and their latest state."""

    __tablename__ = "deployments"
    __table_args__ = (sa.UniqueConstraint("incident_id", "user_id", name="uq_deployments_incident_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incidents.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incident_groups.id"))
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incident_posts.id"))
    state: Mapped[str] = mapped_column(sa.String(16), default=ASSIGNED)
    state_at: Mapped[datetime] = mapped_column(default=utcnow)  # when the latest state was reached
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    incident = relationship("Incident")
    user = relationship("User", foreign_keys=[user_id])
    group = relationship("IncidentGroup")
    post = relationship("Post")

    @property
    def state_label(self) -> str:
        return DEPLOYMENT_STATES.get(self.state, self.state)


class IncidentAck(FieldRecordMixin, db.Model):
    """One acknowledgement as the person sent it; 到岗 carries the position, if the phone had one."""

    __tablename__ = "incident_acks"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incidents.id"), index=True)
    deployment_id: Mapped[int] = mapped_column(sa.ForeignKey("deployments.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(16))
    lat: Mapped[float | None] = mapped_column()
    lon: Mapped[float | None] = mapped_column()
    accuracy_m: Mapped[float | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(sa.String(500))

    user = relationship("User")
    deployment = relationship("Deployment")

    @property
    def state_label(self) -> str:
        return DEPLOYMENT_STATES.get(self.state, self.state)
