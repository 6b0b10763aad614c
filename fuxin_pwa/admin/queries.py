"""Read-side queries for the admin pages: every list runs a fixed number of queries,
however many rows it shows (children, counts and names come in one query per page)."""
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from ..auth.models import User
from ..extensions import db
from ..field.models import TaskKind
from ..places.models import COMMUNITY, ESTATE, PLACE_KINDS, SUBDISTRICT, VILLAGE, Assignment, Household, Place
from ..places.tree import PlaceTree
from ..web import Page, paginate
from .services import ASSIGNABLE_KINDS

TOP_KINDS = (COMMUNITY, VILLAGE)  # the first level under the subdistrict: 村居


def admin_counts() -> dict[str, int]:
    """Everything the admin index shows, in one query."""
    def count(model, *where):
        return sa.select(sa.func.count()).select_from(model).where(*where).scalar_subquery()

    row = db.session.execute(sa.select(
        count(Place, Place.active).label("places"),
        count(Household).label("households"),
        count(User, User.active).label("people"),
        count(Assignment).label("assignments"),
        count(TaskKind, TaskKind.active).label("task_kinds"),
    )).one()
    return row._asdict()


@dataclass
class PlaceRow:
    """A place as lists and selects show it: with its path below the subdistrict."""

    id: int
    name: str
    kind: str
    code: str | None
    active: bool
    path: str

    @property
    def kind_label(self) -> str:
        return PLACE_KINDS.get(self.kind, self.kind)

    @property
    def option_label(self) -> str:
        if not self.active:
            return _("%(path)s（%(kind)s，已停用）", path=self.path, kind=self.kind_label)
        return _("%(path)s（%(kind)s）", path=self.path, kind=self.kind_label)


def place_index() -> dict[int, PlaceRow]:
    """Every place with its path (万科社区 / 万科第1网格), ordered by path; one query."""
    tree = PlaceTree()
    index = [PlaceRow(r.id, r.name, r.kind, r.code, r.active, tree.path(r.id)) for r in tree.by_id.values()]
    index.sort(key=lambda p: (p.kind != SUBDISTRICT, p.path))
    return {p.id: p for p in index}


def parent_choices(exclude_id: int | None = None) -> list[tuple]:
    """Places that can hold other places (all but estates), for the parent select."""
    return [("", _("无（最上级）"))] + [
        (p.id, p.option_label) for p in place_index().values()
        if p.kind != ESTATE and p.id != exclude_id]


@dataclass
class PlaceNode:
    place: Place
    households: int = 0
    children: list["PlaceNode"] = field(default_factory=list)


def place_tree(page_no: int, per_page: int) -> tuple[list[Place], Page]:
    """The subdistricts, and one page of communities/villages with everything below them."""
    subdistricts = db.session.scalars(
        sa.select(Place).where(Place.kind == SUBDISTRICT).order_by(Place.name)).all()
    top = sa.select(Place).where(Place.kind.in_(TOP_KINDS))
    page = paginate(db.session, top.order_by(Place.kind, Place.name),
                    sa.select(sa.func.count()).select_from(top.subquery()), page_no, per_page)
    nodes = {p.id: PlaceNode(p) for p in page.items}
    if nodes:  # everything below this page's places (grids, estates), from the one tree walk
        tree = PlaceTree()
        below = set().union(*(tree.subtree(pid) for pid in nodes)) - set(nodes)
        children = db.session.scalars(sa.select(Place).where(Place.id.in_(below))
                                      .order_by(Place.kind, Place.name)).all() if below else []
        for child in children:
            nodes[child.id] = PlaceNode(child)
        for child in children:
            nodes[child.parent_id].children.append(nodes[child.id])
    if nodes:
        for place_id, n in db.session.execute(
                sa.select(Household.place_id, sa.func.count()).where(Household.place_id.in_(nodes))
                .group_by(Household.place_id)).all():
            nodes[place_id].households = n
    page.items = [nodes[p.id] for p in page.items]
    return subdistricts, page


def place_search(q: str, page_no: int, per_page: int) -> Page:
    """Places whose name or code contains `q`, as PlaceRows with their paths."""
    like = f"%{q}%"
    stmt = sa.select(Place.id).where(sa.or_(Place.name.ilike(like), Place.code.ilike(like)))
    page = paginate(db.session, stmt.order_by(Place.name),
                    sa.select(sa.func.count()).select_from(stmt.subquery()), page_no, per_page)
    index = place_index()
    page.items = [index[pid] for pid in page.items]
    return page


def household_page(place: Place, q: str, page_no: int, per_page: int) -> Page:
    stmt = sa.select(Household).where(Household.place_id == place.id)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(sa.or_(Household.address.ilike(like), Household.head_name.ilike(like),
                                 Household.phone.ilike(like)))
    return paginate(db.session, stmt.order_by(Household.address),
                    sa.select(sa.func.count()).select_from(stmt.subquery()), page_no, per_page)


@dataclass
class PeopleFilter:
    q: str = ""
    role: str = ""
    team: str = ""
    active: str = ""  # "1" active only, "0" inactive only, "" everyone


def people_page(f: PeopleFilter, page_no: int, per_page: int) -> Page:
    """One page of people, each with the names of the places they cover."""
    stmt = sa.select(User)
    if f.q:
        like = f"%{f.q}%"
        stmt = stmt.where(sa.or_(User.username.ilike(like), User.name.ilike(like)))
    if f.role:
        stmt = stmt.where(User.role == f.role)
    if f.team:
        stmt = stmt.where(User.team == f.team)
    if f.active in ("0", "1"):
        stmt = stmt.where(User.active == (f.active == "1"))
    page = paginate(db.session, stmt.order_by(User.active.desc(), User.role, User.username),
                    sa.select(sa.func.count()).select_from(stmt.subquery()), page_no, per_page)
    covered: dict[int, list[str]] = {u.id: [] for u in page.items}
    if covered:
        for user_id, name in db.session.execute(
                sa.select(Assignment.user_id, Place.name).join(Place, Place.id == Assignment.place_id)
                .where(Assignment.user_id.in_(covered)).order_by(Place.name)).all():
            covered[user_id].append(name)
    page.items = [(u, covered[u.id]) for u in page.items]
    return page


def assignments_of(person: User) -> tuple[list[PlaceRow], list[PlaceRow]]:
    """The places a person covers, and the places that could still be added."""
    index = place_index()
    assigned_ids = set(db.session.scalars(
        sa.select(Assignment.place_id).where(Assignment.user_id == person.id)).all())
    assigned = [p for p in index.values() if p.id in assigned_ids]
    addable = [p for p in index.values()
               if p.id not in assigned_ids and p.active and p.kind in ASSIGNABLE_KINDS]
    return assigned, addable


def kind_page(page_no: int, per_page: int, model=TaskKind) -> Page:
    """A page of one of the admin's coded lists (task kinds, services), in their order."""
    return paginate(db.session, sa.select(model).order_by(model.sort, model.id),
                    sa.select(sa.func.count()).select_from(model), page_no, per_page)
