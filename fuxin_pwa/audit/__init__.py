"""The audit trail: who changed which object, when, from what to what.

Captured in one place (capture.py, SQLAlchemy session events) for every model named in
registry.py; read on the admin's audit page (/admin/audit) and, for leaders and admins, as
the history on each object's own page (templates/audit/_history.html)."""
from flask import Blueprint, Flask

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def init_audit(app: Flask) -> None:
    """Register the audited models, listen to the session, offer history_of() to templates."""
    from .capture import listen
    from .registry import register_models
    from .services import history_of, type_of

    register_models()
    listen()
    app.jinja_env.globals.update(audit_history_of=history_of, audit_type_of=type_of)


from . import routes  # noqa: E402,F401
