"""Who may see and work on a resident request, in one place.

A person sees the requests raised in the places they cover, the ones assigned to them or
to their team within the places they cover (a team spans the subdistrict: its members
elsewhere are not its hands here), and the ones they raised; leaders and admins see all. The same
rule exists twice: for one request (may_see_request) and as a SQL filter for lists
(visible_clause); tests hold the two together."""
import sqlalchemy as sa

from ..domain import NotFound
from ..extensions import db
from ..places.services import place_in_scope, scope_place_ids
from .models import ResidentRequest


def may_see_request(user, request) -> bool:
    if request is None:
        return False
    if user.sees_all or request.user_id == user.id or request.assignee_id == user.id:
        return True
    return place_in_scope(user, request.place_id)


def visible_clause(user):
    """may_see_request as a WHERE clause over ResidentRequest; None means every request."""
    if user.sees_all:
        return None
    ids = scope_place_ids(user) or {-1}
    return sa.or_(ResidentRequest.place_id.in_(ids), ResidentRequest.assignee_id == user.id,
                  ResidentRequest.user_id == user.id)


def restrict_to_visible(stmt, user):
    clause = visible_clause(user)
    return stmt if clause is None else stmt.where(clause)


def get_request(request_id: int, user) -> ResidentRequest:
    """A request the person may see, or 404 (not 403: do not confirm it exists)."""
    found = db.session.get(ResidentRequest, request_id)
    if not may_see_request(user, found):
        raise NotFound()
    return found


# --- What a person may do to a request -------------------------------------------------------
# Assigning is dispatch: leaders and admins only. The work (start, close) is the assignee's,
# their team's, or a leader's. Reopening and the 回访 call belong to whoever answers to the
# resident: a leader, or the person who took the request down.

def may_assign(user) -> bool:
    return user.sees_all


def is_assigned_to(user, request) -> bool:
    """The assignee, or a member of the assigned team who covers the request's place."""
    return (request.assignee_id == user.id
            or bool(request.assignee_team and request.assignee_team == user.team
                    and place_in_scope(user, request.place_id)))


def was_assigned_to(user, request) -> bool:
    """Whether the request was ever assigned to this person: a change they made before it
    was given to someone else is theirs to send, and is kept as a conflict."""
    from .models import RequestEvent

    return bool(db.session.scalar(sa.select(sa.exists().where(
        RequestEvent.request_id == request.id, RequestEvent.assignee_id == user.id,
        RequestEvent.conflict.is_(False)))))


def may_work(user, request) -> bool:
    return user.sees_all or is_assigned_to(user, request)


def may_answer_resident(user, request) -> bool:
    """Reopen and callback: leaders and admins, or the raiser."""
    return user.sees_all or request.user_id == user.id


def may_see_phone(user, request) -> bool:
    """The full number: leaders and admins, the assignee and the raiser; others see it masked."""
    return user.sees_all or request.assignee_id == user.id or request.user_id == user.id
