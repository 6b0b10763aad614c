"""Retention: residents' data is kept while the work may still need it, then erased.

`flask retention` (cli.py) runs this daily from cron. A closed request's phone number is
erased RETENTION_REQUEST_PHONE_DAYS (3 years) after it was closed; the request itself, its
history and its figures stay, so the statistics of past years do not change."""
from datetime import timedelta

import sqlalchemy as sa

from ..extensions import db
from ..requests.models import CLOSED_STATUSES, ResidentRequest
from ..timeutil import utcnow


def erase_old_request_phones(days: int, now=None) -> int:
    """Residents' phone numbers on requests closed more than `days` ago are erased; open
    requests, and those closed since, keep theirs. How many were erased."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    result = db.session.execute(
        sa.update(ResidentRequest)
        .where(ResidentRequest.status.in_(CLOSED_STATUSES), ResidentRequest.closed_at < cutoff,
               ResidentRequest.resident_phone.is_not(None))
        .values(resident_phone=None)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount
