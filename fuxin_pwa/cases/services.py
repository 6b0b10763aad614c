"""Household cases: opening, moving through their states, and noting visits."""
from ..extensions import db
from .models import IN_PROGRESS, OPEN


def note_visit(case) -> None:
    """A visit logged on an open case means work has started on it."""
    if case.status == OPEN:
        case.status = IN_PROGRESS
        case.version += 1
        db.session.commit()
