"""Emergency dispatch, the reading side: the incident list, the board and a person's own
deployments. Each loads a fixed number of queries however many posts, people, acks and
reports there are (the board is polled every 15 s by every open tablet)."""
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..field.models import TaskLog
from ..photos.services import photos_for_records
from ..timeutil import utcnow
from .models import (ACK_STATES, ASSIGNED, CLOSED, DEPLOYMENT_STATES, ON_SITE, OPEN, STOOD_DOWN,
                     UNACKED_AFTER_MIN, Deployment, Incident, IncidentAck, IncidentGroup, Post)

REPORTS_LIMIT = 50  # the board shows the latest reports; the Excel log has them all


def _count_column(*conditions):
    return (sa.select(sa.func.count(Deployment.id)).where(Deployment.incident_id == Incident.id, *conditions)
            .correlate(Incident).scalar_subquery())


def list_incidents(page: int, per_page: int):
    """Open incidents first (newest first), then closed ones, as ([(incident, people, on_site)], total)."""
    total = db.session.scalar(sa.select(sa.func.count(Incident.id))) or 0
    rows = db.session.execute(
        sa.select(Incident, _count_column().label("people"),
                  _count_column(Deployment.state == ON_SITE).label("on_site"))
        .options(joinedload(Incident.place))
        .order_by(Incident.status == CLOSED, Incident.started_at.desc(), Incident.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return [(incident, people, on_site) for incident, people, on_site in rows], total


# --- The board -------------------------------------------------------------------------------

@dataclass
class Row:
    """One person on the board, with the state as shown (a closed incident stands all down)."""

    deployment: Deployment
    state: str
    since: datetime
    minutes: int
    unacked: bool
    arrival: IncidentAck | None = None  # their latest 到岗, with the position it carried
    distance_m: int | None = None       # from the post's map position, when both are known

    @property
    def state_label(self) -> str:
        return DEPLOYMENT_STATES.get(self.state, self.state)


@dataclass
class PostView:
    post: Post
    rows: list[Row] = field(default_factory=list)


@dataclass
class Board:
    incident: Incident
    posts: list[PostView]
    unposted: list[Row]
    counts: list[tuple[str, str, int]]  # (state, label, people)
    unacked: int
    people: int
    reports: list[TaskLog]
    report_total: int
    photos: dict
    post_of_user: dict  # user id -> Post, to say which post a report came from
    now: datetime

    @property
    def rows(self) -> list[Row]:
        return [row for view in self.posts for row in view.rows] + self.unposted


def distance_m(lat1, lon1, lat2, lon2) -> int:
    """Great-circle distance in metres (haversine); plenty for 'is she at the junction'."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * 6371000 * math.asin(math.sqrt(a)))


def incident_posts(incident: Incident) -> list[Post]:
    return db.session.scalars(sa.select(Post).options(joinedload(Post.place))
                              .where(Post.incident_id == incident.id).order_by(Post.sort, Post.id)).all()


def incident_groups(incident: Incident) -> list[IncidentGroup]:
    return db.session.scalars(sa.select(IncidentGroup).where(IncidentGroup.incident_id == incident.id)
                              .order_by(IncidentGroup.id)).all()


def incident_deployments(incident: Incident) -> list[Deployment]:
    from ..auth.models import User

    return db.session.scalars(
        sa.select(Deployment).join(User, User.id == Deployment.user_id)
        .options(joinedload(Deployment.user), joinedload(Deployment.group))
        .where(Deployment.incident_id == incident.id).order_by(User.team, User.name, User.id)).all()


def latest_arrivals(incident: Incident) -> dict[int, IncidentAck]:
    """Each deployment's latest 到岗 ack, in one query (a window over the incident's acks)."""
    ranked = (sa.select(IncidentAck.id, sa.func.row_number().over(
        partition_by=IncidentAck.deployment_id,
        order_by=(IncidentAck.occurred_at.desc(), IncidentAck.id.desc())).label("n"))
        .where(IncidentAck.incident_id == incident.id, IncidentAck.state == ON_SITE).subquery())
    acks = db.session.scalars(sa.select(IncidentAck).join(ranked, ranked.c.id == IncidentAck.id)
                              .where(ranked.c.n == 1)).all()
    return {a.deployment_id: a for a in acks}


def _row(deployment: Deployment, incident: Incident, now: datetime, arrival, post) -> Row:
    state, since = deployment.state, deployment.state_at
    if not incident.is_open and state != STOOD_DOWN:
        state, since = STOOD_DOWN, incident.ended_at or since
    unacked = (incident.is_open and state == ASSIGNED
               and now - deployment.assigned_at >= timedelta(minutes=UNACKED_AFTER_MIN))
    row = Row(deployment, state, since, max(int((now - since).total_seconds() // 60), 0), unacked)
    if arrival is not None and deployment.state == ON_SITE:
        row.arrival = arrival
        if post is not None and None not in (post.lat, post.lon, arrival.lat, arrival.lon):
            row.distance_m = distance_m(post.lat, post.lon, arrival.lat, arrival.lon)
    return row


def incident_reports(incident: Incident, limit: int = REPORTS_LIMIT) -> tuple[list[TaskLog], int]:
    """Task logs reported from the incident, newest first, bounded; and how many in all."""
    total = db.session.scalar(sa.select(sa.func.count(TaskLog.id)).where(TaskLog.incident_id == incident.id)) or 0
    reports = db.session.scalars(
        sa.select(TaskLog).options(joinedload(TaskLog.user), joinedload(TaskLog.kind), joinedload(TaskLog.place))
        .where(TaskLog.incident_id == incident.id)
        .order_by(TaskLog.occurred_at.desc(), TaskLog.id.desc()).limit(limit)).all()
    return reports, total


def board(incident: Incident, posts: list[Post] | None = None) -> Board:
    now = utcnow()
    posts = incident_posts(incident) if posts is None else posts
    deployments = incident_deployments(incident)
    arrivals = latest_arrivals(incident)
    by_post = {p.id: PostView(p) for p in posts}
    unposted = []
    for deployment in deployments:
        view = by_post.get(deployment.post_id)
        row = _row(deployment, incident, now, arrivals.get(deployment.id), view.post if view else None)
        (view.rows if view else unposted).append(row)
    reports, report_total = incident_reports(incident)
    view = Board(incident=incident, posts=list(by_post.values()), unposted=unposted, counts=[], unacked=0,
                 people=len(deployments), reports=reports, report_total=report_total,
                 photos=photos_for_records(reports),
                 post_of_user={d.user_id: by_post[d.post_id].post for d in deployments if d.post_id in by_post},
                 now=now)
    rows = view.rows
    view.counts = [(state, label, sum(1 for r in rows if r.state == state))
                   for state, label in DEPLOYMENT_STATES.items()]
    view.unacked = sum(1 for r in rows if r.unacked)
    return view


# --- A dispatched person's own view ------------------------------------------------------------

@dataclass
class Mine:
    deployment: Deployment
    next_states: list[tuple[str, str]]  # the acknowledgements still ahead, next one first
    minutes: int

    @property
    def key(self) -> str:
        """What the card is about, as the home's poll compares it: the incident and the post."""
        return f"{self.deployment.incident_id}:{self.deployment.post_id or ''}"


def next_states(state: str) -> list[tuple[str, str]]:
    """The buttons a person is offered: every state after the current one, in order, so that
    offline, with no fresh page, 出发 and 到岗 can still be tapped after 收到."""
    ahead = ACK_STATES if state == ASSIGNED else ACK_STATES[ACK_STATES.index(state) + 1:] if state in ACK_STATES else ()
    return [(s, DEPLOYMENT_STATES[s]) for s in ahead]


def my_deployments(user) -> list[Mine]:
    """My deployments in open incidents, newest incident first, with incident and post loaded."""
    now = utcnow()
    deployments = db.session.scalars(
        sa.select(Deployment).join(Incident, Incident.id == Deployment.incident_id)
        .options(joinedload(Deployment.incident), joinedload(Deployment.group),
                 joinedload(Deployment.post).joinedload(Post.place))
        .where(Deployment.user_id == user.id, Incident.status == OPEN)
        .order_by(Incident.started_at.desc(), Incident.id.desc()).limit(20)).all()
    return [Mine(d, next_states(d.state), max(int((now - d.state_at).total_seconds() // 60), 0))
            for d in deployments]
