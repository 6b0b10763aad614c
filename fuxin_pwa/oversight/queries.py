"""Read-side queries for the leader's view. Each loads whole tables it needs once (places,
assignments, people) and builds the tree in Python: a fixed handful of queries per page.

No counts of anyone's activity here: the index shows places and who covers them, never a
ranking of people (see DOMAIN.md, "What the app must not become")."""
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from ..auth.models import FIELD_ROLES, OVERSIGHT_ROLES, ROLE_LABELS, TEAM_LABELS, User
from ..extensions import db
from ..places.models import COMMUNITY, GRID, SUBDISTRICT, VILLAGE, Assignment, Household, Place
from ..places.tree import PlaceTree

TOP_KINDS = (COMMUNITY, VILLAGE)


@dataclass
class PlaceNode:
    place: Place
    people: list = field(default_factory=list)
    children: list = field(default_factory=list)
    households: int = 0  # here and below

    @property
    def grid_count(self) -> int:
        return sum(1 for c in self.walk() if c.place.kind == GRID)

    def walk(self):
        for child in self.children:
            yield child
            yield from child.walk()


def _places_and_people():
    places = db.session.scalars(sa.select(Place).where(Place.active).order_by(Place.name, Place.id)).all()
    assignments = db.session.scalars(
        sa.select(Assignment).options(joinedload(Assignment.user))
        .join(User, User.id == Assignment.user_id).where(User.active)
        .order_by(User.name, User.id)).all()
    return places, assignments


def place_tree() -> list[PlaceNode]:
    """Communities and villages, each with the grids and estates below, who covers each and
    how many households each holds (3 queries in all)."""
    places, assignments = _places_and_people()
    nodes = {p.id: PlaceNode(p) for p in places}
    for a in assignments:
        if a.place_id in nodes:
            nodes[a.place_id].people.append(a.user)
    own = dict(db.session.execute(
        sa.select(Household.place_id, sa.func.count()).group_by(Household.place_id)).all())
    for p in places:
        if p.parent_id in nodes:
            nodes[p.parent_id].children.append(nodes[p.id])

    def total(node):
        node.households = own.get(node.place.id, 0) + sum(total(c) for c in node.children)
        return node.households

    tops = [n for n in nodes.values() if n.place.kind in TOP_KINDS]
    for top in tops:
        total(top)
    return sorted(tops, key=lambda n: (n.place.kind != COMMUNITY, n.place.name))


def people_by_team() -> list[tuple[str, list[dict]]]:
    """Everyone, grouped by team (leaders and admins first), with the places they cover."""
    people = db.session.scalars(sa.select(User).order_by(User.name, User.id)).all()
    covers = defaultdict(list)
    for a in db.session.scalars(sa.select(Assignment).options(joinedload(Assignment.place))
                                .order_by(Assignment.id)):
        covers[a.user_id].append(a.place)
    groups = defaultdict(list)
    for person in people:
        key = person.role if person.role in OVERSIGHT_ROLES else (person.team or "")
        groups[key].append({"user": person, "places": covers.get(person.id, [])})
    order = list(OVERSIGHT_ROLES) + list(FIELD_ROLES)
    labels = {**ROLE_LABELS, **TEAM_LABELS, "": _("未分队伍")}
    keys = [k for k in order if k in groups] + sorted(k for k in groups if k not in order)
    return [(labels.get(k, k), groups[k]) for k in keys]


def place_options() -> list[tuple[int, str]]:
    """Every active place below the subdistrict as (id, "东村 / 东村第1网格"), in tree order."""
    tree = PlaceTree()
    return [(pid, tree.path(pid)) for pid in tree.in_order()
            if tree.by_id[pid].active and tree.by_id[pid].kind != SUBDISTRICT]
