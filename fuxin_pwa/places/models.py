"""Places form a tree: subdistrict → communities/villages → grids/estates; households hang
off the lowest place. Assignments say who covers which place."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

SUBDISTRICT = "subdistrict"
COMMUNITY = "community"
VILLAGE = "village"
GRID = "grid"
ESTATE = "estate"
# 网格家园: a grid's own meeting place, where interest teams rehearse and residents gather.
GRID_HOME = "grid_home"

PLACE_KINDS = {
    SUBDISTRICT: _l("街道"),
    COMMUNITY: _l("社区"),
    VILLAGE: _l("村"),
    GRID: _l("网格"),
    ESTATE: _l("小区"),
    GRID_HOME: _l("网格家园"),
}
# Which kind may sit under which: keeps imported trees sane.
ALLOWED_PARENTS = {
    SUBDISTRICT: (None,),
    COMMUNITY: (SUBDISTRICT,),
    VILLAGE: (SUBDISTRICT,),
    GRID: (COMMUNITY, VILLAGE),
    ESTATE: (COMMUNITY, VILLAGE, GRID),
    GRID_HOME: (COMMUNITY, VILLAGE, GRID),
}


class Place(db.Model):
    __tablename__ = "places"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(16), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("places.id"), index=True)
    code: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped["Place | None"] = relationship(remote_side=[id])

    @property
    def kind_label(self) -> str:
        return PLACE_KINDS.get(self.kind, self.kind)

    def __repr__(self) -> str:
        return f"<Place {self.kind} {self.name}>"


class Household(db.Model):
    __tablename__ = "households"
    __table_args__ = (sa.UniqueConstraint("place_id", "address", name="uq_households_place_address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(sa.ForeignKey("places.id"), index=True)
    address: Mapped[str] = mapped_column(sa.String(200))
    head_name: Mapped[str] = mapped_column(sa.String(64))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    id_number: Mapped[str | None] = mapped_column(sa.String(32))
    members: Mapped[int | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    place: Mapped[Place] = relationship()

    def __repr__(self) -> str:
        return f"<Household {self.address}>"


class Assignment(db.Model):
    """Who covers which place (包村, 包片, 包帮, 网格)."""

    __tablename__ = "assignments"
    __table_args__ = (sa.UniqueConstraint("user_id", "place_id", name="uq_assignments_user_place"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    place_id: Mapped[int] = mapped_column(sa.ForeignKey("places.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")
    place: Mapped[Place] = relationship()
