"""Who may reveal a resident's full number, and the log of every reveal and export.

Access reuses the areas' own rules: a request is found through requests/access.py (404 to
whoever may not see it) and a household through the place scope (404 outside one's places).
Seeing a request is not enough to reveal its number: that is for the people who answer to
the resident (leaders, the assignee or the assigned team in the place, the raiser). Whoever
covers a household's place may reveal its numbers: their work is its door."""
import json

import sqlalchemy as sa

from ..domain import DomainError, NotFound
from ..extensions import db
from ..places.services import get_household
from ..requests.access import get_request, is_assigned_to, may_see_phone
from ..requests.models import ResidentRequest
from ..timeutil import utcnow
from .models import ADMIN_EDIT, EXPORT, HOUSEHOLD, REQUEST, REVEAL, REVEAL_REASONS, REVEALABLE, AccessLogEntry


class RevealRefused(DomainError):
    """The person sees the record but their work does not need its full number."""


def may_reveal_request(user, req: ResidentRequest) -> bool:
    return may_see_phone(user, req) or is_assigned_to(user, req)


def subject_value(user, subject_type: str, subject_id: int, field: str) -> str | None:
    """The stored value after the access check (NotFound, or RevealRefused). Not logged: a
    caller shows it masked, unless reveal() logged it."""
    if field not in REVEALABLE.get(subject_type, ()):
        raise NotFound()
    if subject_type == REQUEST:
        req = get_request(subject_id, user)
        if not may_reveal_request(user, req):
            raise RevealRefused()
        return req.resident_phone
    if subject_type == HOUSEHOLD:
        return getattr(get_household(subject_id, user), field)
    raise NotFound()


def reveal(user, subject_type: str, subject_id: int, field: str, reason: str) -> str | None:
    """The full value, logged with who, whose, when and why; an empty field reveals (and
    logs) nothing."""
    if reason not in REVEAL_REASONS:
        raise ValueError(reason)
    value = subject_value(user, subject_type, subject_id, field)
    if value:
        log_reveal(user, subject_type, subject_id, field, reason)
    return value


def log_reveal(user, subject_type: str, subject_id: int, field: str, reason: str) -> AccessLogEntry:
    entry = AccessLogEntry(actor_id=user.id, kind=REVEAL, subject_type=subject_type, subject_id=subject_id,
                           field=field, reason=reason, at=utcnow())
    db.session.add(entry)
    db.session.commit()
    return entry


def log_admin_edit_view(user, household) -> None:
    """The admin's edit form shows a household's numbers whole: one entry per number shown."""
    for field in REVEALABLE[HOUSEHOLD]:
        if getattr(household, field):
            db.session.add(AccessLogEntry(actor_id=user.id, kind=REVEAL, subject_type=HOUSEHOLD,
                                          subject_id=household.id, field=field, reason=ADMIN_EDIT, at=utcnow()))
    db.session.commit()


# --- Exports ---------------------------------------------------------------------------------

class LoggedExport:
    """One export in the access log. Written when made, before a row goes out, so one that
    breaks off is in the log too (its rows None); count() passes the rows through, counting
    without holding them; finish() writes how many went, and stream() calls it after the
    last chunk of a streamed file."""

    def __init__(self, user, subject_type: str, ledger: str, filters: dict, subject_id: int | None = None):
        # An export of one object (a directive's places) names it, so the log says which.
        entry = AccessLogEntry(actor_id=user.id, kind=EXPORT, subject_type=subject_type, subject_id=subject_id,
                               field=ledger, filters=json.dumps(filters, ensure_ascii=False, sort_keys=True),
                               at=utcnow())
        db.session.add(entry)
        db.session.commit()
        self.entry_id, self.rows = entry.id, 0

    def count(self, rows):
        for row in rows:
            self.rows += 1
            yield row

    def finish(self) -> None:
        db.session.execute(sa.update(AccessLogEntry).where(AccessLogEntry.id == self.entry_id)
                           .values(rows=self.rows))
        db.session.commit()

    def stream(self, chunks):
        yield from chunks
        self.finish()
