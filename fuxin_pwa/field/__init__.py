"""The field home on the phone: my places, check-in, task log, my record."""
from flask import Blueprint

bp = Blueprint("field", __name__)

from . import routes  # noqa: E402,F401
from .models import RELAY_KIND  # noqa: E402


def _relays_waiting(user, place_id):
    from ..directives.relaying import waiting_at  # the directives area builds on this one

    return waiting_at(user, place_id)


@bp.context_processor
def relaying():
    """For the task-log form: the directives waiting at the place it opens on, and the kind a
    relay is made as, which relay.js picks when a directive is ticked on the copy of the form
    the phone keeps for offline use."""
    return {"relay_kind": RELAY_KIND, "relays_waiting": _relays_waiting}
