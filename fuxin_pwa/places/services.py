"""The place scope: which places and households a person may see and write to.

A field person covers their assigned places and everything below them (a liaison assigned
to a village covers its grids and households); leaders and admins cover all."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..domain import NotFound
from ..extensions import db
from ..memo import remembered
from ..versions import kept_value
from .models import COMMUNITY, SUBDISTRICT, VILLAGE, Assignment, Household, Place
from .tree import descend

MAX_DEPTH = 4  # subdistrict → community/village → grid → estate


def assigned_places(user) -> list[Place]:
    """The places a person was assigned to, by name (all active top places for leaders)."""
    if user.sees_all:
        stmt = sa.select(Place).where(Place.active, Place.kind.in_((COMMUNITY, VILLAGE)))
    else:
        stmt = (sa.select(Place).join(Assignment, Assignment.place_id == Place.id)
                .where(Assignment.user_id == user.id, Place.active))
    return db.session.scalars(stmt.order_by(Place.kind, Place.name)).all()


def descendant_map(root_ids: set[int]) -> dict[int, int]:
    """Every place under (and including) the roots, mapped to its root; one query, remembered
    for the request (a person's scope and their home's places walk the same roots). A copy,
    so a caller may change what it gets."""
    return dict(remembered(("descend", frozenset(root_ids)), lambda: descend(root_ids)))


def with_descendants(place_ids: set[int]) -> set[int]:
    """Place ids plus every place below them; one query."""
    return set(descendant_map(place_ids))


def scope_place_ids(user) -> set[int] | None:
    """Place ids this person covers; None means every place (leaders, admins)."""
    if user.sees_all:
        return None

    def compute():
        assigned = set(db.session.scalars(
            sa.select(Assignment.place_id).where(Assignment.user_id == user.id)).all())
        return frozenset(with_descendants(assigned))

    # Kept between requests too: assignments and places change by shared writes only.
    return kept_value(("scope", user.id), compute)


def active_place_ids() -> frozenset[int]:
    """Every active place, kept by the worker while the shared data version stands (places
    change by shared writes only): each synced record's place is checked with no query."""
    return kept_value("active_places", lambda: frozenset(
        db.session.scalars(sa.select(Place.id).where(Place.active)).all()))


def selectable_places(user) -> list[Place]:
    """Places offered in a field form: assigned ones and those below them, active only."""
    ids = scope_place_ids(user)
    stmt = sa.select(Place).options(joinedload(Place.parent)).where(Place.active, Place.kind != SUBDISTRICT)
    if ids is not None:
        stmt = stmt.where(Place.id.in_(ids or {-1}))
    return db.session.scalars(stmt.order_by(Place.parent_id.nulls_first(), Place.name)).all()


def place_in_scope(user, place_id: int) -> bool:
    ids = scope_place_ids(user)
    return ids is None or place_id in ids


def restrict_to_scope(stmt, user, place_column):
    """Add the person's place scope to a query over records that carry a place."""
    ids = scope_place_ids(user)
    if ids is None:
        return stmt
    return stmt.where(place_column.in_(ids or {-1}))


def get_household(household_id: int, user) -> Household:
    """A household the person may see, or 404 (not 403: do not confirm it exists)."""
    household = db.session.get(Household, household_id)
    if household is None or not place_in_scope(user, household.place_id):
        raise NotFound()
    return household


def place_path(place: Place) -> str:
    """万科社区 / 第3网格: the name with its parent, for lists."""
    if place.parent is not None and place.parent.kind != SUBDISTRICT:
        return f"{place.parent.name} / {place.name}"
    return place.name


def place_choices(user) -> list[tuple[int, str]]:
    """(id, "万科社区 / 第3网格") of every place a field form offers this person."""
    return [(p.id, place_path(p)) for p in selectable_places(user)]
