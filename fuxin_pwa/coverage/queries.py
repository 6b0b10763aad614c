"""Read side of weekly coverage (全域覆盖): who visited their villages and grids in a week.

A fixed handful of queries per page, whatever the number of people, places or check-ins:
the place table and the assignments are loaded once, the week's check-ins are counted with
GROUP BY per person and place, each place's 12 weeks and last visit come from one query
over the places, and every figure is rolled up the place tree in Python (a check-in at a
grid counts for the village above it).

This is evidence of work, not a score: nothing here totals or orders people by counts."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..auth.models import GRID_WORKER, VILLAGE_LIAISON, User
from ..extensions import db
from ..field.models import LOW_ACCURACY_M, CheckIn, TaskLog
from ..places.models import GRID, PLACE_KINDS, VILLAGE, Assignment, Place
from ..places.tree import PlaceTree
from .weeks import Week, strip_bounds

MATRIX_ROLES = (VILLAGE_LIAISON, GRID_WORKER)
COVERED_KINDS = (VILLAGE, GRID)  # the places the promise of full coverage is about


@dataclass
class Cell:
    """One person at one of their places in the week: their check-ins there or below."""

    place: object  # a PlaceTree row
    visits: int = 0
    weak: int = 0  # of which without a location or with low accuracy: counted, and marked


@dataclass
class PersonRow:
    user: User
    cells: list[Cell]


@dataclass
class StripRow:
    """A village or grid over the strip's weeks: visited by anyone, week by week."""

    place: object
    path: str
    weeks: list[tuple[Week, bool]]

    @property
    def gaps(self) -> int:
        return sum(1 for _, visited in self.weeks if not visited)


@dataclass
class Uncovered:
    place: object
    path: str
    owners: list[User]
    last_visit: datetime | None  # naive UTC, at it or below it, up to the end of the week shown
    # With no one of its own, who covers the nearest place above (a grid's village liaison).
    above_name: str = ""
    above_owners: list[User] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return PLACE_KINDS.get(self.place.kind, self.place.kind)


@dataclass
class Coverage:
    week: Week
    strip_weeks: list[Week]
    liaisons: list[PersonRow] = field(default_factory=list)
    grid_workers: list[PersonRow] = field(default_factory=list)
    villages: list[StripRow] = field(default_factory=list)
    grids: list[StripRow] = field(default_factory=list)
    uncovered: list[Uncovered] = field(default_factory=list)

    def covered(self, rows: list[StripRow]) -> int:
        return sum(1 for r in rows if r.weeks[-1][1])


def weak_location():
    """1 where the check-in has no position or an accuracy worse than LOW_ACCURACY_M (the
    SQL twin of CheckIn.low_accuracy / has_location)."""
    return sa.case((sa.or_(CheckIn.lat.is_(None), CheckIn.lon.is_(None), CheckIn.accuracy_m.is_(None),
                           CheckIn.accuracy_m > LOW_ACCURACY_M), 1), else_=0)


def week_coverage(week: Week) -> Coverage:
    """The two matrices, the 12-week strips and the 本周未覆盖 list for `week` (4 queries)."""
    tree = PlaceTree()
    people, assigned, owners = _people_and_assignments(tree)
    weeks = week.strip()
    result = Coverage(week=week, strip_weeks=weeks)

    cells = _person_cells(tree, people, assigned, _week_counts(week))
    for person in people:
        row = PersonRow(person, cells[person.id])
        (result.liaisons if person.role == VILLAGE_LIAISON else result.grid_workers).append(row)

    visited, last = _place_history(tree, weeks)
    current = len(weeks) - 1
    covered_places = sorted((r for r in tree.by_id.values() if r.active and r.kind in COVERED_KINDS),
                            key=lambda r: (tree.path(r.id), r.id))
    for place in covered_places:
        strip = StripRow(place, tree.path(place.id), [(w, i in visited[place.id]) for i, w in enumerate(weeks)])
        (result.villages if place.kind == VILLAGE else result.grids).append(strip)

    for place in sorted(covered_places, key=lambda r: (r.kind != VILLAGE, tree.path(r.id), r.id)):
        if current not in visited[place.id]:
            result.uncovered.append(_uncovered(tree, place, owners, last.get(place.id)))
    return result


def _uncovered(tree, place, owners, last_visit) -> Uncovered:
    item = Uncovered(place, tree.path(place.id), owners.get(place.id, []), last_visit)
    if not item.owners:
        for above in list(tree.up(place.id))[1:]:
            if owners.get(above):
                item.above_name, item.above_owners = tree.by_id[above].name, owners[above]
                break
    return item


def _people_and_assignments(tree: PlaceTree):
    """Active liaisons and grid workers by name; their active places; who owns each place.
    One query: people left-joined to their assignments."""
    rows = db.session.execute(
        sa.select(User, Assignment.place_id).outerjoin(Assignment, Assignment.user_id == User.id)
        .where(User.active).order_by(User.name, User.id)).all()
    people, assigned, owners = {}, defaultdict(set), defaultdict(list)
    for user, place_id in rows:
        if user.role in MATRIX_ROLES:
            people.setdefault(user.id, user)
        place = tree.by_id.get(place_id)
        if place is not None and place.active:
            assigned[user.id].add(place_id)
            owners[place_id].append(user)
    return list(people.values()), assigned, owners


def _week_counts(week: Week):
    """(user, place, check-ins, weak ones) for the matrix roles in the week."""
    start, end = week.bounds
    return db.session.execute(
        sa.select(CheckIn.user_id, CheckIn.place_id, sa.func.count(), sa.func.sum(weak_location()))
        .where(CheckIn.occurred_at >= start, CheckIn.occurred_at < end,
               CheckIn.user_id.in_(sa.select(User.id).where(User.role.in_(MATRIX_ROLES))))
        .group_by(CheckIn.user_id, CheckIn.place_id)).all()


def _person_cells(tree, people, assigned, counts) -> dict[int, list[Cell]]:
    """Each person's places by name, with the check-ins made there or below rolled up. A
    person assigned to a village and to one of its grids sees a grid visit in both cells."""
    cells = {p.id: {pid: Cell(tree.by_id[pid]) for pid in assigned.get(p.id, ())} for p in people}
    for user_id, place_id, n, weak in counts:
        mine = cells.get(user_id)
        if not mine:
            continue
        for above in tree.up(place_id):
            if above in mine:
                mine[above].visits += n
                mine[above].weak += weak or 0
    return {uid: sorted(by_place.values(), key=lambda c: (c.place.name, c.place.id))
            for uid, by_place in cells.items()}


def _place_history(tree: PlaceTree, weeks: list[Week]) -> tuple[dict[int, set[int]], dict[int, datetime]]:
    """For every place: the indexes of the strip's weeks with a check-in by anyone at it or
    below it, and its latest check-in up to the end of the strip's last week (a past week
    shows what was known then, not a visit made after it). One query over the places: an EXISTS per week
    and a MAX, each a seek into ix_checkins_place_occurred (place_id, occurred_at), so its
    cost follows the number of places, not of check-ins (a GROUP BY over the 12 weeks' rows
    was ten times slower on a year of data)."""
    bounds = strip_bounds(weeks)

    def seen(i):
        return sa.exists().where(CheckIn.place_id == Place.id, CheckIn.occurred_at >= bounds[i],
                                 CheckIn.occurred_at < bounds[i + 1])

    latest = (sa.select(sa.func.max(CheckIn.occurred_at))
              .where(CheckIn.place_id == Place.id, CheckIn.occurred_at < bounds[-1]).scalar_subquery())
    rows = db.session.execute(sa.select(Place.id, latest, *[seen(i) for i in range(len(weeks))])).all()
    visited: dict[int, set[int]] = defaultdict(set)
    last: dict[int, datetime] = {}
    for place_id, when, *flags in rows:
        if when is None:
            continue  # never visited: nothing to roll up
        weeks_seen = {i for i, flag in enumerate(flags) if flag}
        for above in tree.up(place_id):
            visited[above] |= weeks_seen
            if above not in last or last[above] < when:
                last[above] = when
    return visited, last


# --- One cell's evidence ------------------------------------------------------------------

CELL_LIMIT = 100  # per record type; a week's visits by one person at one place fit easily


@dataclass
class Evidence:
    person: User
    place: Place
    path: str
    week: Week
    checkins: list[CheckIn]
    task_logs: list[TaskLog]
    more: bool  # more records than CELL_LIMIT: the list says so instead of growing

    @property
    def weak(self) -> int:
        return sum(1 for c in self.checkins if c.low_accuracy or not c.has_location)


def cell_evidence(user_id: int | None, place_id: int | None, week: Week) -> Evidence | None:
    """A person's check-ins and task logs at a place or below it in the week, oldest first;
    None when the person or the place does not exist. 6 queries, photos included by the caller."""
    person = db.session.get(User, user_id) if user_id else None
    place = db.session.get(Place, place_id) if place_id else None
    if person is None or place is None:
        return None
    tree = PlaceTree()
    below = tree.subtree(place.id)
    start, end = week.bounds

    def records(model, *options):
        return db.session.scalars(
            sa.select(model).options(*options)
            .where(model.user_id == person.id, model.place_id.in_(below),
                   model.occurred_at >= start, model.occurred_at < end)
            .order_by(model.occurred_at, model.id).limit(CELL_LIMIT + 1)).all()

    checkins = records(CheckIn, joinedload(CheckIn.place))
    logs = records(TaskLog, joinedload(TaskLog.place), joinedload(TaskLog.kind), joinedload(TaskLog.household))
    more = len(checkins) > CELL_LIMIT or len(logs) > CELL_LIMIT
    return Evidence(person, place, tree.path(place.id), week, checkins[:CELL_LIMIT], logs[:CELL_LIMIT], more)
