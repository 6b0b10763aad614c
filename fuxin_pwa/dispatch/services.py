"""Emergency dispatch, the writing side: opening an incident, its posts and groups, sending
people to posts, standing them down, closing; and storing a person's acknowledgement, which
the online button and the sync endpoint both call.

Rules kept here:
- One deployment per person per incident (a unique key); a person put in a group or sent to
  a post again has that one deployment moved, never a second one.
- A change of post is a new order: the state goes back to 待确认 (assigned) and the clock of
  the 10-minute check restarts, because what the person acknowledged was the old post. Their
  acknowledgements stay in incident_acks: the history is never rewritten.
- The state follows the latest acknowledgement by when it was made (occurred_at), not by
  when it arrived: an ack saved offline earlier than the current state is stored, but does
  not move the state back.
"""
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..auth.models import FIELD_ROLES, User
from ..extensions import db
from ..records import REJECTED, RecordMeta, StoreResult, judge_stored, store_once
from ..timeutil import to_utc_naive, utcnow
from .models import ASSIGNED, CLOSED, OPEN, STOOD_DOWN, Deployment, Incident, IncidentAck, IncidentGroup, Post


class DispatchError(ValueError):
    """A change the incident no longer allows (it has ended)."""


def _strip(value) -> str | None:
    return (value or "").strip() or None


def _require_open(incident: Incident) -> None:
    if not incident.is_open:
        raise DispatchError(_("该事件已结束，不能再调整"))


def deployable_staff() -> list[User]:
    """Who may be sent: active field staff of the four teams, by team then name."""
    return db.session.scalars(sa.select(User).where(User.active, User.role.in_(FIELD_ROLES))
                              .order_by(User.team, User.name, User.id)).all()


# --- The incident, its posts and groups -----------------------------------------------------

def open_incident(user, form) -> Incident:
    incident = Incident(kind=form.kind.data, title=form.title.data.strip(), area=_strip(form.area.data),
                        place_id=form.place_id.data, status=OPEN,
                        started_at=to_utc_naive(form.started_at.data), note=_strip(form.note.data),
                        created_by_id=user.id)
    db.session.add(incident)
    db.session.commit()
    return incident


def add_post(incident: Incident, form) -> Post:
    _require_open(incident)
    post = Post(incident_id=incident.id, name=form.name.data.strip(), place_id=form.place_id.data,
                lat=form.lat.data, lon=form.lon.data, note=_strip(form.note.data))
    db.session.add(post)
    db.session.commit()
    return post


def _deployments_by_user(incident: Incident, user_ids) -> dict[int, Deployment]:
    ids = set(user_ids)
    if not ids:
        return {}
    return {d.user_id: d for d in db.session.scalars(
        sa.select(Deployment).where(Deployment.incident_id == incident.id, Deployment.user_id.in_(ids)))}


_KEEP = object()  # "leave as it is" for _place_person


def _place_person(incident, existing: dict, user_id: int, by, now, post_id=_KEEP, group_id=_KEEP) -> Deployment:
    """Create or move one person's deployment (no commit)."""
    deployment = existing.get(user_id)
    if deployment is None:
        deployment = Deployment(incident_id=incident.id, user_id=user_id,
                                post_id=None if post_id is _KEEP else post_id,
                                group_id=None if group_id is _KEEP else group_id,
                                state=ASSIGNED, state_at=now, assigned_at=now, assigned_by_id=by.id)
        db.session.add(deployment)
        existing[user_id] = deployment
        return deployment
    if group_id is not _KEEP:
        deployment.group_id = group_id
    if post_id is not _KEEP and post_id != deployment.post_id:
        deployment.post_id = post_id
        deployment.state, deployment.state_at = ASSIGNED, now
        deployment.assigned_at, deployment.assigned_by_id = now, by.id
    return deployment


def add_group(incident: Incident, by, form) -> IncidentGroup:
    """A group and its members: each member's deployment joins the group; where the group has
    a post, they are sent there."""
    _require_open(incident)
    group = IncidentGroup(incident_id=incident.id, name=form.name.data.strip(), post_id=form.post_id.data)
    db.session.add(group)
    db.session.flush()
    now = utcnow()
    existing = _deployments_by_user(incident, form.members.data)
    post = group.post_id if group.post_id is not None else _KEEP
    for user_id in dict.fromkeys(form.members.data):
        _place_person(incident, existing, user_id, by, now, post_id=post, group_id=group.id)
    db.session.commit()
    return group


def assign(incident: Incident, by, *, user_id=None, group_id=None, post_id=None) -> int:
    """Send one person, or every member of a group, to a post (None: 未分岗). Returns how many
    people it concerned."""
    _require_open(incident)
    now = utcnow()
    if group_id is not None:
        group = db.session.get(IncidentGroup, group_id)
        group.post_id = post_id
        members = db.session.scalars(sa.select(Deployment).where(Deployment.incident_id == incident.id,
                                                                 Deployment.group_id == group.id)).all()
        existing = {d.user_id: d for d in members}
        for deployment in members:
            _place_person(incident, existing, deployment.user_id, by, now, post_id=post_id)
        db.session.commit()
        return len(members)
    existing = _deployments_by_user(incident, [user_id])
    _place_person(incident, existing, user_id, by, now, post_id=post_id)
    db.session.commit()
    return 1


def remove_person(incident: Incident, deployment: Deployment) -> bool:
    """Take a person off the incident. Someone who never acknowledged was sent by mistake: the
    deployment goes. Someone who did is part of the incident's record: they are stood down
    (撤离) instead, and stay on the board and in the log. Returns True if deleted."""
    _require_open(incident)
    acked = db.session.scalar(sa.select(sa.exists().where(IncidentAck.deployment_id == deployment.id)))
    if acked:
        deployment.state, deployment.state_at = STOOD_DOWN, utcnow()
    else:
        db.session.delete(deployment)
    db.session.commit()
    return not acked


def close_incident(incident: Incident) -> None:
    """The incident ends: the board and the homes show everyone stood down from ended_at; each
    person's last own state stays in their deployment (the log says how far they got)."""
    _require_open(incident)
    incident.status, incident.ended_at = CLOSED, utcnow()
    db.session.commit()


# --- A person's acknowledgement ------------------------------------------------------------

def acknowledge(user, form, meta: RecordMeta) -> StoreResult:
    """Store an `incident_ack` once and move the deployment's state to it, in one transaction.

    The move is a conditional UPDATE (only where the current state is not newer), so acks
    arriving in any order, or two tabs at once, leave the state of the latest one made."""
    deployment_id = form.deployment.id
    incident = form.deployment.incident
    if not incident.is_open and (incident.ended_at is None or meta.occurred_at > incident.ended_at):
        # A replay of an ack stored before the end still answers duplicate.
        return judge_stored(IncidentAck, user, meta) or StoreResult(
            REJECTED, errors={"incident_id": [_("该突发事件已结束，无需再确认")]})
    # The time of the assignment is the server's, the ack's the phone's: a phone a little
    # behind (within the tolerance beyond which its time is corrected) still answers a fresh
    # assignment, while an ack made before a re-assignment (to the old post) does not move it.
    slack = current_app.config["CLOCK_SKEW_TOLERANCE"]
    newer = sa.and_(
        # Stood down (by themselves or by a leader removing them): later acks are kept, but
        # do not put the person back on the board.
        Deployment.state != STOOD_DOWN,
        sa.or_(sa.and_(Deployment.state == ASSIGNED, Deployment.state_at <= meta.occurred_at + slack),
               Deployment.state_at <= meta.occurred_at))

    def build():
        db.session.execute(
            sa.update(Deployment)
            .where(Deployment.id == deployment_id, newer)
            .values(state=form.state.data, state_at=meta.occurred_at)
            .execution_options(synchronize_session=False))
        return IncidentAck(user_id=user.id, incident_id=form.incident_id.data, deployment_id=deployment_id,
                           state=form.state.data, lat=form.lat.data, lon=form.lon.data,
                           accuracy_m=form.accuracy_m.data, note=_strip(form.note.data), **meta.columns())

    return store_once(IncidentAck, user, meta, build)
