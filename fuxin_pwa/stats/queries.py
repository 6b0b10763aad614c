"""The figures of the statistics page: per month, per team and per place (communities and
villages, their grids and estates rolled up), for one filter.

The database does the counting and Python only adds up the groups, so the page runs the same
fixed number of queries for a week of data and for a year of 100k records. Check-ins and task
logs, the big tables, are counted in volume.py; each smaller one (cases, requests, incidents)
by month, by team and by place in one statement of three GROUP BYs.

No figure here belongs to a person: teams, places and months only (no ranking of people,
see DOMAIN.md, "What the app must not become")."""
from dataclasses import dataclass, field
from statistics import median

import sqlalchemy as sa
from flask_babel import gettext as _

from ..auth.models import TEAM_LABELS, User
from ..cases.models import RESOLVED, Case
from ..dispatch.models import ON_SITE, Deployment, Incident, IncidentAck, Post
from ..extensions import db
from ..field.models import CheckIn, TaskKind, TaskLog
from ..places.models import COMMUNITY, VILLAGE, Household
from ..places.tree import PlaceTree
from ..requests.models import CLOSED_STATUSES, ResidentRequest
from ..timeutil import utcnow
from .filters import (StatsFilter, case_from, cases_where, deployment_place, deployments_from,
                      deployments_where, incidents_where, local_month, request_overdue, requests_where,
                      seconds_between)
from .volume import record_counts

INCIDENT_LIST_SIZE = 20
NO_TEAM = ""       # leaders and admins: records they made themselves
OTHER_PLACE = 0    # the subdistrict itself, or a place outside any community or village


@dataclass
class Figures:
    """One line of a table: a month, a team or a place."""

    key: object
    label: str
    checkins: int = 0
    task_logs: int = 0
    cases_opened: int = 0
    cases_resolved: int = 0
    requests_opened: int = 0
    requests_closed: int = 0
    requests_overdue: int = 0
    close_seconds: list = field(default_factory=list, repr=False)
    incidents: int = 0
    deployments: int = 0
    acks: int = 0

    @property
    def median_close_seconds(self) -> float | None:
        return median(self.close_seconds) if self.close_seconds else None

    @property
    def is_empty(self) -> bool:
        return not (self.checkins or self.task_logs or self.cases_opened or self.cases_resolved
                    or self.requests_opened or self.requests_closed or self.incidents or self.deployments)


@dataclass
class KindFigures:
    code: str
    label: str
    total: int = 0


@dataclass
class StatsReport:
    filter: StatsFilter
    total: Figures
    months: list[Figures]
    teams: list[Figures]
    places: list[Figures]
    kinds: list[KindFigures]
    incidents: list[dict]
    incident_count: int
    served: object = None  # service_days.queries.Served: residents served per service and month


class _Tally:
    """Adds counts to the month, team and place lines and the total."""

    def __init__(self, months, teams, places, total, top_of):
        self.months, self.teams, self.places, self.total, self.top_of = months, teams, places, total, top_of

    def line(self, dim: str, key):
        """The line a group belongs to: dim "m" a month, "t" a team code, "p" a place id (rolled up
        to its community or village). None for a month outside the table."""
        if dim == "m":
            return self.months.get(key)
        if dim == "t":
            return self.teams[key or NO_TEAM]
        return self.places[self.top_of.get(int(key) if key is not None else None, OTHER_PLACE)]

    def add(self, dim: str, key, attr: str, n) -> None:
        line = self.line(dim, key)
        if line is not None:
            setattr(line, attr, getattr(line, attr) + int(n or 0))
        if dim == "m":  # the months partition the range: their sum is the total
            setattr(self.total, attr, getattr(self.total, attr) + int(n or 0))


def _three_ways(build, month, team, place, *values):
    """(dimension, key, *values) grouped by month, by team and by place: three GROUP BYs in one
    UNION ALL statement. `build(*columns)` gives the filtered statement over the record's table."""
    parts = [build(sa.literal_column("'m'").label("dim"), month.label("key"), *values).group_by(month)]
    if team is not None:
        parts.append(build(sa.literal_column("'t'"), team, *values).group_by(team))
    parts.append(build(sa.literal_column("'p'"), sa.cast(place, sa.String), *values).group_by(place))
    return db.session.execute(sa.union_all(*parts)).all()


@dataclass
class PlaceIndex:
    """Communities and villages in order, every place's name, and every place id mapped to the
    community or village it lies in."""

    tops: list
    top_of: dict[int, int]
    names: dict[int, str]

    def top_name(self, place_id) -> str:
        top = self.top_of.get(place_id)
        return self.names.get(top, "") if top else ""


def place_index() -> PlaceIndex:
    """One query: the place table is small (hundreds), the records are many."""
    tree = PlaceTree()
    tops = (COMMUNITY, VILLAGE)
    top_of = {pid: top for pid in tree.by_id if (top := tree.nearest(pid, tops)) is not None}
    ordered = sorted((r for r in tree.by_id.values() if r.kind in tops),
                     key=lambda p: (p.kind != COMMUNITY, p.name, p.id))
    return PlaceIndex(ordered, top_of, {pid: r.name for pid, r in tree.by_id.items()})


def task_kind_choices() -> list[tuple[str, str]]:
    """Every task kind, retired ones too: the page links to the ledger of each kind with logs."""
    kinds = db.session.scalars(sa.select(TaskKind).order_by(TaskKind.sort, TaskKind.id))
    return [(k.code, k.display_label) for k in kinds]


def build_report(f: StatsFilter) -> StatsReport:
    now = utcnow()
    index = place_index()
    tops, top_of = index.tops, index.top_of
    months = {m: Figures(m, m) for m in f.months()}
    teams = {code: Figures(code, str(label)) for code, label in TEAM_LABELS.items()}
    teams[NO_TEAM] = Figures(NO_TEAM, _("街道领导及管理员"))
    places = {p.id: Figures(p.id, p.name) for p in tops}
    places[OTHER_PLACE] = Figures(OTHER_PLACE, _("街道（未归入村居）"))
    total = Figures(None, _("合计"))
    tally = _Tally(months, teams, places, total, top_of)

    people = dict(db.session.execute(sa.select(User.id, User.team)).all())  # the staff: hundreds
    kinds = _count_records(f, tally, people)
    _count_cases(f, tally)
    _count_requests(f, tally, now)
    incident_count = _count_incidents(f, tally)
    incidents = _incident_list(f)

    # Teams, places: the fixed rows always; the catch-all rows only when they hold something.
    team_rows = [teams[c] for c in TEAM_LABELS] + ([teams[NO_TEAM]] if not teams[NO_TEAM].is_empty else [])
    place_rows = [places[p.id] for p in tops]
    if not places[OTHER_PLACE].is_empty:
        place_rows.append(places[OTHER_PLACE])
    if f.place_ids is not None:  # a chosen place: only the community or village it lies in
        touched = {top_of.get(p, OTHER_PLACE) for p in f.place_ids}
        place_rows = [r for r in place_rows if r.key in touched and (r.key != OTHER_PLACE or not r.is_empty)]
    if f.team:
        team_rows = [r for r in team_rows if r.key == f.team]
    from ..service_days.queries import served_by_month  # service days build on the statistics

    return StatsReport(filter=f, total=total, months=list(months.values()), teams=team_rows,
                       places=place_rows, kinds=kinds, incidents=incidents, incident_count=incident_count,
                       served=served_by_month(f.first, f.last, f.place_ids, f.months()))


def _count_records(f, tally, people: dict[int, str]) -> list[KindFigures]:
    """Check-ins and task logs (the big tables, see volume.py), and task logs by kind: every
    active kind (a zero is worth seeing), an inactive one only where it holds logs."""
    team_ids = frozenset(i for i, team in people.items() if team == f.team) if f.team else None
    logs = record_counts(TaskLog, f, team_ids, by_kind=True)
    for attr, counts in (("checkins", record_counts(CheckIn, f, team_ids)), ("task_logs", logs)):
        for month, n in counts.months.items():
            tally.add("m", month, attr, n)
        for user_id, n in counts.users.items():
            tally.add("t", people.get(user_id), attr, n)
        for place_id, n in counts.places.items():
            tally.add("p", place_id, attr, n)
    kinds = db.session.scalars(sa.select(TaskKind).order_by(TaskKind.sort, TaskKind.id)).all()
    return [KindFigures(k.code, k.display_label, logs.kinds.get(k.id, 0)) for k in kinds
            if k.active or logs.kinds.get(k.id)]


def _count_cases(f, tally):
    """Opened by the month opened; resolved (已化解) by the month closed."""
    for attr, timestamp, extra in (("cases_opened", Case.opened_at, None),
                                   ("cases_resolved", Case.closed_at, Case.status == RESOLVED)):
        def build(*columns, timestamp=timestamp, extra=extra):
            stmt = cases_where(case_from().add_columns(*columns), f, timestamp)
            return stmt if extra is None else stmt.where(extra)

        for dim, key, n in _three_ways(build, local_month(timestamp), User.team, Household.place_id,
                                       sa.func.count()):
            tally.add(dim, key, attr, n)


def _count_requests(f, tally, now):
    """Raised (and of those, overdue) by the month raised; closed by the month closed, each with
    its time to close for the medians (closed requests are thousands a year, not 100k)."""
    def raised(*columns):
        stmt = sa.select(*columns).select_from(ResidentRequest).join(User, User.id == ResidentRequest.user_id)
        return requests_where(stmt, f, ResidentRequest.occurred_at)

    late = sa.func.sum(sa.case((request_overdue(now), 1), else_=0))
    for dim, key, n, n_late in _three_ways(raised, local_month(ResidentRequest.occurred_at), User.team,
                                           ResidentRequest.place_id, sa.func.count(), late):
        tally.add(dim, key, "requests_opened", n)
        tally.add(dim, key, "requests_overdue", n_late)

    stmt = (sa.select(local_month(ResidentRequest.closed_at), User.team, ResidentRequest.place_id,
                      seconds_between(ResidentRequest.closed_at, ResidentRequest.occurred_at))
            .select_from(ResidentRequest).join(User, User.id == ResidentRequest.user_id)
            .where(ResidentRequest.status.in_(CLOSED_STATUSES)))
    for month, team, place_id, seconds in db.session.execute(requests_where(stmt, f, ResidentRequest.closed_at)):
        seconds = max(float(seconds or 0), 0.0)
        for line in (tally.total, tally.line("m", month), tally.line("t", team), tally.line("p", place_id)):
            if line is not None:
                line.requests_closed += 1
                line.close_seconds.append(seconds)


def _count_incidents(f, tally) -> int:
    """Incidents by the month they started and their place; deployments (person-times) and
    acknowledgements by the incident's month, the person's team and the post's place."""
    month = local_month(Incident.started_at)
    for dim, key, n in _three_ways(lambda *c: incidents_where(sa.select(*c).select_from(Incident), f),
                                   month, None, Incident.place_id, sa.func.count()):
        tally.add(dim, key, "incidents", n)
    # A team's incidents are those it was sent to: counted apart (distinct, not additive).
    stmt = deployments_where(deployments_from().add_columns(
        User.team, sa.func.count(sa.distinct(Deployment.incident_id))), f).group_by(User.team)
    for team, n in db.session.execute(stmt):
        tally.add("t", team, "incidents", n)

    for attr, acks in (("deployments", False), ("acks", True)):
        def build(*columns, acks=acks):
            stmt = deployments_from()
            if acks:
                stmt = stmt.join(IncidentAck, IncidentAck.deployment_id == Deployment.id)
            return deployments_where(stmt.add_columns(*columns), f)

        for dim, key, n in _three_ways(build, month, User.team, deployment_place(), sa.func.count()):
            tally.add(dim, key, attr, n)
    return tally.total.incidents


def _incident_list(f) -> list[dict]:
    """The latest incidents of the range with their person-times, acknowledgements and how many
    reached their post: one query, the counts as subqueries under the same filter."""
    def per_incident(count, extra=None, acks=False):
        stmt = sa.select(count).select_from(Deployment)
        if acks:
            stmt = stmt.join(IncidentAck, IncidentAck.deployment_id == Deployment.id)
        stmt = deployments_where(stmt.join(User, User.id == Deployment.user_id)
                                 .outerjoin(Post, Post.id == Deployment.post_id), f)
        stmt = stmt.where(Deployment.incident_id == Incident.id)
        if extra is not None:
            stmt = stmt.where(extra)
        return stmt.correlate(Incident).scalar_subquery()

    stmt = incidents_where(sa.select(
        Incident, per_incident(sa.func.count()),
        per_incident(sa.func.count(sa.distinct(Deployment.id)), extra=IncidentAck.state == ON_SITE, acks=True),
        per_incident(sa.func.count(IncidentAck.id), acks=True)), f)
    stmt = stmt.order_by(Incident.started_at.desc(), Incident.id.desc()).limit(INCIDENT_LIST_SIZE)
    return [{"incident": i, "deployments": d, "on_site": s, "acks": a}
            for i, d, s, a in db.session.execute(stmt)]
