"""The place tree (街道 → 社区/村 → 网格 → 小区): the two ways it is walked, both here.

Every place is read with one query: the table is small (hundreds in a subdistrict, thousands
in a district) and the records that point at places are many, so a page that rolls records
up the tree or prints paths loads the tree once and walks it here, not level by level in SQL.
A person's scope is the exception: a few villages and what lies below them, asked for on
every request and every synced record. `descend` reads just those rows, walking down in
one recursive query, where PlaceTree would read every place (four times slower with 272
places, and worse with a district's thousands). A cycle in bad data (a place made its own
ancestor) ends a walk instead of looping."""
import functools
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..extensions import db
from .models import SUBDISTRICT, Place


class PlaceTree:
    """Every place as a row (id, name, kind, parent_id, code, active), to walk up and down."""

    def __init__(self):
        rows = db.session.execute(sa.select(
            Place.id, Place.name, Place.kind, Place.parent_id, Place.code, Place.active)).all()
        self.by_id = {r.id: r for r in rows}
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for r in sorted(rows, key=lambda r: (r.name, r.id)):
            self.children[r.parent_id].append(r.id)
        self._paths: dict[int, str] = {}

    def up(self, place_id: int):
        """The place and every place above it, nearest first."""
        seen = set()
        while place_id is not None and place_id in self.by_id and place_id not in seen:
            seen.add(place_id)
            yield place_id
            place_id = self.by_id[place_id].parent_id

    def subtree(self, place_id: int) -> set[int]:
        """The place and every place below it."""
        found, frontier = {place_id}, [place_id]
        while frontier:
            for child in self.children.get(frontier.pop(), ()):
                if child not in found:
                    found.add(child)
                    frontier.append(child)
        return found

    def nearest(self, place_id: int, kinds) -> int | None:
        """The place itself or the nearest one above it of one of these kinds."""
        return next((p for p in self.up(place_id) if self.by_id[p].kind in kinds), None)

    def path(self, place_id: int) -> str:
        """东村 / 东村第1网格: the names from below the subdistrict down to this place."""
        if place_id not in self._paths:
            names = [self.by_id[p].name for p in self.up(place_id) if self.by_id[p].kind != SUBDISTRICT]
            self._paths[place_id] = " / ".join(reversed(names)) or self.by_id[place_id].name
        return self._paths[place_id]

    def in_order(self) -> list[int]:
        """Every place, each followed by those below it (siblings by name)."""
        order: list[int] = []
        roots = [pid for pid, r in self.by_id.items() if r.parent_id not in self.by_id]
        stack = sorted(roots, key=lambda pid: (self.by_id[pid].name, pid), reverse=True)
        seen = set()
        while stack:
            place_id = stack.pop()
            if place_id in seen:
                continue
            seen.add(place_id)
            order.append(place_id)
            stack.extend(reversed(self.children.get(place_id, ())))
        return order


MAX_LEVELS = 10  # deeper than any real tree (subdistrict → village → grid → estate); ends a cycle in bad data


@functools.cache
def _walk_down():
    """The recursive walk as one statement, built once: building it cost more CPU than the
    database took to run it, and it is run on every request."""
    roots = sa.bindparam("roots", expanding=True)
    walk = (sa.select(Place.id.label("id"), Place.id.label("root"), sa.literal(0).label("depth"))
            .where(Place.id.in_(roots)).cte("walk", recursive=True))
    below = aliased(Place)
    walk = walk.union_all(sa.select(below.id, walk.c.root, walk.c.depth + 1)
                          .where(below.parent_id == walk.c.id, walk.c.depth < MAX_LEVELS))
    return sa.select(walk.c.id, walk.c.root).order_by(walk.c.depth.desc())


def descend(root_ids) -> dict[int, int]:
    """Every place under (and including) the roots, mapped to the root it lies under (the
    nearest, should roots lie under one another); one query, a recursive CTE walking down
    from the roots. Asked on every request for the person's scope, so one round trip to the
    database instead of one per level."""
    owner = {pid: pid for pid in root_ids}
    if not owner:
        return owner
    for child, root in db.session.execute(_walk_down(), {"roots": list(owner)}):
        owner[child] = child if child in root_ids else root  # deepest first: the nearest root is written last
    return owner


@functools.cache
def _walk_up():
    """The walk from places to every place above them, as one statement built once."""
    starts = sa.bindparam("starts", expanding=True)
    walk = (sa.select(Place.parent_id.label("id"), sa.literal(1).label("depth"))
            .where(Place.id.in_(starts), Place.parent_id.is_not(None)).cte("up", recursive=True))
    above = aliased(Place)
    walk = walk.union_all(sa.select(above.parent_id, walk.c.depth + 1)
                          .where(above.id == walk.c.id, above.parent_id.is_not(None), walk.c.depth < MAX_LEVELS))
    return sa.select(walk.c.id).distinct()


def ascend(place_ids) -> set[int]:
    """Every place above these (not the places themselves): one query, a recursive CTE
    walking up, as `descend` walks down; a cycle in bad data ends at MAX_LEVELS."""
    starts = list(place_ids)
    if not starts:
        return set()
    return set(db.session.scalars(_walk_up(), {"starts": starts}))
