"""What the statistics and the ledgers count, in one place: the filter, the local month of a
timestamp in SQL, and for each kind of record which rows a filter keeps.

The page's figures and the exported ledgers both go through these helpers, so a ledger
always holds exactly the rows the page counted for the same filter.

Whose record is it (the team filter and the per-team figures): the team of the person who
made it (check-ins, task logs, requests: the one who raised it, acknowledgements). Two
exceptions, because the record's maker is not who carries the work: a case (一户一策) counts
for its owner's team (a leader may open a case for a liaison), and a deployment for the team
of the person sent.

Where is it (the place filter and the per-place figures): the record's place; a case at its
household's place; an incident at its own place, and a deployment at its post's place (the
incident's place when the post has none)."""
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import FunctionElement

from ..auth.models import User
from ..cases.models import Case
from ..dispatch.models import Deployment, Incident, Post
from ..places.models import Household
from ..requests.models import CLOSED_STATUSES, ResidentRequest
from ..timeutil import local_day_bounds_utc

# The longest range a page or a ledger covers: two years of months.
MAX_DAYS = 731


class local_month(FunctionElement):
    """'YYYY-MM' of a naive-UTC timestamp in Asia/Shanghai, computed by the database so a year of
    records is counted there, not loaded. Shanghai has kept UTC+8 without summer time since 1991,
    so a fixed eight hours is exact for every record this app holds."""

    type = sa.String()
    name = "local_month"
    inherit_cache = True


@compiles(local_month, "sqlite")
def _local_month_sqlite(element, compiler, **kw):
    return "strftime('%%Y-%%m', %s, '+8 hours')" % compiler.process(element.clauses, **kw)


@compiles(local_month)
def _local_month_postgresql(element, compiler, **kw):
    # PostgreSQL and the other servers with interval arithmetic.
    return "to_char(%s + interval '8 hours', 'YYYY-MM')" % compiler.process(element.clauses, **kw)


class seconds_between(FunctionElement):
    """Seconds from the second timestamp to the first, computed by the database (the time to
    close a request), so the medians read one number a row, not two timestamps to parse."""

    type = sa.Float()
    name = "seconds_between"
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return "((julianday(%s) - julianday(%s)) * 86400.0)" % (compiler.process(later, **kw),
                                                            compiler.process(earlier, **kw))


@compiles(seconds_between)
def _seconds_between_postgresql(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return "EXTRACT(EPOCH FROM (%s - %s))" % (compiler.process(later, **kw), compiler.process(earlier, **kw))


@dataclass
class StatsFilter:
    """Local days first..last (inclusive), a team code, and places already widened to
    everything below the chosen one. None means "all"."""

    first: date
    last: date
    team: str | None = None
    place_ids: set[int] | None = None

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[since, until) in naive UTC."""
        return local_day_bounds_utc(self.first, self.last)

    def months(self) -> list[str]:
        """Every month the range touches, as 'YYYY-MM', oldest first (empty ones too)."""
        out, year, month = [], self.first.year, self.first.month
        while (year, month) <= (self.last.year, self.last.month):
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out


def _places(stmt, column, f: StatsFilter):
    if f.place_ids is None:
        return stmt
    return stmt.where(column.in_(f.place_ids or {-1}))


def _between(stmt, column, f: StatsFilter):
    since, until = f.bounds
    return stmt.where(column >= since, column < until)


def field_records(stmt, model, f: StatsFilter, maker=User):
    """Check-ins or task logs (or any device record with a place): in the range, of the team,
    at the places. `stmt` must already join `maker` (a User alias) on model.user_id."""
    stmt = _between(stmt, model.occurred_at, f)
    if f.team:
        stmt = stmt.where(maker.team == f.team)
    return _places(stmt, model.place_id, f)


def case_from():
    """Cases with their household and owner: the FROM cases_where expects."""
    return (sa.select().select_from(Case).join(Household, Household.id == Case.household_id)
            .join(User, User.id == Case.owner_id))


def cases_where(stmt, f: StatsFilter, timestamp, owner=User):
    """Cases whose `timestamp` (opened_at, closed_at) falls in the range. `stmt` joins Household
    on Case.household_id and `owner` on Case.owner_id."""
    stmt = _between(stmt, timestamp, f)
    if f.team:
        stmt = stmt.where(owner.team == f.team)
    return _places(stmt, Household.place_id, f)


def requests_where(stmt, f: StatsFilter, timestamp, maker=User):
    """Requests whose `timestamp` (occurred_at = raised, closed_at) falls in the range.
    `stmt` joins `maker` on ResidentRequest.user_id."""
    stmt = _between(stmt, timestamp, f)
    if f.team:
        stmt = stmt.where(maker.team == f.team)
    return _places(stmt, ResidentRequest.place_id, f)


def request_overdue(now: datetime):
    """Overdue (超期), the one definition the page, its legend and the ledger share: a request
    is overdue when it is still open and its deadline has passed, or when it was closed after
    its deadline. A request closed in time and reopened counts again once it is late."""
    is_closed = ResidentRequest.status.in_(CLOSED_STATUSES)
    return sa.or_(
        sa.and_(~is_closed, ResidentRequest.due_at < now),
        sa.and_(is_closed, ResidentRequest.closed_at.is_not(None),
                ResidentRequest.closed_at > ResidentRequest.due_at))


def deployment_place():
    """Where a deployment counts: its post's place, else its incident's."""
    return sa.func.coalesce(Post.place_id, Incident.place_id)


def deployments_from():
    """Deployments with their incident, post and person: the FROM the filters below expect."""
    return (sa.select().select_from(Deployment)
            .join(Incident, Incident.id == Deployment.incident_id)
            .outerjoin(Post, Post.id == Deployment.post_id)
            .join(User, User.id == Deployment.user_id))


def deployments_where(stmt, f: StatsFilter):
    """Deployments of incidents started in the range, of people of the team, at the places."""
    stmt = _between(stmt, Incident.started_at, f)
    if f.team:
        stmt = stmt.where(User.team == f.team)
    return _places(stmt, deployment_place(), f)


def incidents_where(stmt, f: StatsFilter):
    """Incidents started in the range, at the places; with a team, those the team was sent to."""
    stmt = _between(stmt, Incident.started_at, f)
    if f.team:
        sent = aliased(User)
        stmt = stmt.where(Incident.id.in_(
            sa.select(Deployment.incident_id).join(sent, sent.id == Deployment.user_id)
            .where(sent.team == f.team)))
    return _places(stmt, Incident.place_id, f)
