"""Who takes part in an incident, in one place: leaders and admins dispatch; a person
deployed in an incident acknowledges and reports from it."""
import sqlalchemy as sa

from ..access import roles_required
from ..auth.models import OVERSIGHT_ROLES
from ..domain import NotFound
from ..extensions import db
from .models import Deployment, Incident

# Every management route of this area: opening incidents, posts, groups, assignments, the board.
dispatch_required = roles_required(*OVERSIGHT_ROLES)


def deployment_of(user, incident_id) -> Deployment | None:
    if incident_id is None:
        return None
    return db.session.scalar(sa.select(Deployment).where(Deployment.incident_id == incident_id,
                                                         Deployment.user_id == user.id))


def get_incident(incident_id: int) -> Incident:
    incident = db.session.get(Incident, incident_id)
    if incident is None:
        raise NotFound()
    return incident


def incident_for_report(incident_id: int, user) -> tuple[Incident, Deployment | None]:
    """The incident a person may report from: one they were sent to (leaders: any).
    Anyone else gets 404, as for a missing incident: its existence is not confirmed."""
    incident = db.session.get(Incident, incident_id)
    deployment = deployment_of(user, incident_id) if incident is not None else None
    if incident is None or (deployment is None and not user.sees_all):
        raise NotFound()
    return incident, deployment
