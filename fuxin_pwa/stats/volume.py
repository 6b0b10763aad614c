"""Counting the two big tables, check-ins and task logs (100k+ rows a year), fast enough for a
page: per local month, per person's id (mapped to a team by the caller), per place and per
task kind.

Why not one GROUP BY (month, team, place): SQLite groups by sorting, and sorting 100k rows on
three keys plus a join to users cost ~0.5 s on the bench. Here a month is a range on the
occurred_at index (counted from the index alone), and people × places (× kinds) are one GROUP
BY on the record's own columns: a person works in a handful of places, so that is a few
thousand groups, and the team of each of the ~300 people is looked up in Python.

Check-ins and task logs are append-only (never edited or deleted: a correction is a new
record), so the counts of one filter can be kept and topped up with the rows that arrived
since: the cache holds the counts of rows with id <= M and the table's row count then; a
later request counts only ids above M. If a row with an id <= M turned up later (a
transaction that committed late, or a row deleted by hand), the row count no longer adds up
and everything is counted afresh. Each process keeps its own small cache."""
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..timeutil import local_day_bounds_utc
from .filters import StatsFilter, local_month

CACHE_SIZE = 32  # filters kept per process


@dataclass
class Counts:
    months: Counter = field(default_factory=Counter)  # 'YYYY-MM' → n
    users: Counter = field(default_factory=Counter)   # user id → n
    places: Counter = field(default_factory=Counter)  # place id → n
    kinds: Counter = field(default_factory=Counter)   # task kind id → n (task logs only)

    def plus(self, other: "Counts") -> "Counts":
        return Counts(self.months + other.months, self.users + other.users, self.places + other.places,
                      self.kinds + other.kinds)

    @property
    def total(self) -> int:
        return sum(self.months.values())


@dataclass
class _Kept:
    max_id: int
    rows: int  # the whole table's row count when max_id was read
    counts: Counts


def month_ranges(f: StatsFilter) -> list[tuple[str, date, date]]:
    """Each month of the filter as ('YYYY-MM', first local day, last local day), cut to the range."""
    out = []
    for month in f.months():
        year, mon = int(month[:4]), int(month[5:])
        start = date(year, mon, 1)
        end = date(year + (mon == 12), mon % 12 + 1, 1) - timedelta(days=1)
        out.append((month, max(start, f.first), min(end, f.last)))
    return out


def _base(model, f: StatsFilter, team_ids, above: int, upto: int, *columns, since=None, until=None):
    if since is None:
        since, until = f.bounds
    stmt = sa.select(*columns).select_from(model).where(model.occurred_at >= since, model.occurred_at < until)
    if above:  # topping up: the few new rows, found by the primary key
        stmt = stmt.where(model.id > above, model.id <= upto)
    else:
        # Everything up to the id the cache will remember. `+ 0` keeps the planner on the
        # occurred_at index: offered "id <= upto" it scans the whole table by id instead.
        stmt = stmt.where(model.id + 0 <= upto)
    if team_ids is not None:
        stmt = stmt.where(model.user_id.in_(team_ids or {-1}))
    if f.place_ids is not None:
        stmt = stmt.where(model.place_id.in_(f.place_ids or {-1}))
    return stmt


def _month_counts(model, f, team_ids, above, upto) -> Counter:
    """Counting all rows without a team: one range count per month, each answered from the
    occurred_at index alone, in one statement. Otherwise (a team: the planner would walk the
    person index once per month; topping up: a few rows) the rows are grouped by their local
    month, the dialect's own expression, in one pass."""
    if team_ids is None and not above:
        ranges = month_ranges(f)
        columns = []
        for _month, first, last in ranges:
            since, until = local_day_bounds_utc(first, last)
            columns.append(_base(model, f, None, above, upto, sa.func.count(), since=since, until=until)
                           .scalar_subquery())
        row = db.session.execute(sa.select(*columns)).one()
        return Counter({month: n for (month, _f, _l), n in zip(ranges, row) if n})
    m = local_month(model.occurred_at)
    stmt = _base(model, f, team_ids, above, upto, m, sa.func.count()).group_by(m)
    return Counter(dict(db.session.execute(stmt).all()))


def _count(model, f, team_ids, above, upto, by_kind) -> Counts:
    """The months, then people × places (× kinds) in one GROUP BY, summed up here by person,
    place and kind."""
    keys = [model.user_id, model.place_id] + ([model.kind_id] if by_kind else [])
    stmt = _base(model, f, team_ids, above, upto, *keys, sa.func.count()).group_by(*keys)
    counts = Counts(months=_month_counts(model, f, team_ids, above, upto))
    for row in db.session.execute(stmt):
        n = row[-1]
        counts.users[row[0]] += n
        counts.places[row[1]] += n
        if by_kind:
            counts.kinds[row[2]] += n
    return counts


def _cache() -> tuple[OrderedDict, threading.Lock]:
    store = current_app.extensions.setdefault("stats_counts", (OrderedDict(), threading.Lock()))
    return store


def record_counts(model, f: StatsFilter, team_ids: frozenset | None, by_kind: bool = False) -> Counts:
    """The counts of `model` (CheckIn or TaskLog) under the filter; `team_ids` are the people of
    the filter's team (None: everyone). Always the same statements, cached or not."""
    key = (model.__tablename__, f.first, f.last, team_ids,
           frozenset(f.place_ids) if f.place_ids is not None else None, by_kind)
    entries, lock = _cache()
    with lock:
        kept = entries.get(key)
    since = kept.max_id if kept else 0
    newer = sa.select(sa.func.count()).select_from(model).where(model.id > since).scalar_subquery()
    max_id, rows, rows_newer = db.session.execute(sa.select(
        sa.select(sa.func.max(model.id)).scalar_subquery(),
        sa.select(sa.func.count()).select_from(model).scalar_subquery(), newer)).one()
    max_id = max_id or 0
    if kept is None or rows - rows_newer != kept.rows:
        kept, since = _Kept(0, 0, Counts()), 0  # first time, or a late row: count everything
    counts = kept.counts.plus(_count(model, f, team_ids, since, max_id, by_kind))
    with lock:
        entries[key] = _Kept(max_id, rows, counts)
        entries.move_to_end(key)
        while len(entries) > CACHE_SIZE:
            entries.popitem(last=False)
    return counts
