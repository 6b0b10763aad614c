"""Reading the access log: one filter for the page and its CSV, newest first."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..auth.models import User
from ..extensions import db
from ..web import Page, paginate
from .models import AccessLogEntry

YIELD_PER = 1000


@dataclass
class AccessLogFilter:
    actor_id: int | None = None
    kind: str | None = None
    since: datetime | None = None  # UTC, inclusive
    until: datetime | None = None  # UTC, exclusive

    def args(self) -> dict:
        return {k: v for k, v in vars(self).items() if v is not None}


def _where(stmt, f: AccessLogFilter):
    if f.actor_id:
        stmt = stmt.where(AccessLogEntry.actor_id == f.actor_id)
    if f.kind:
        stmt = stmt.where(AccessLogEntry.kind == f.kind)
    if f.since:
        stmt = stmt.where(AccessLogEntry.at >= f.since)
    if f.until:
        stmt = stmt.where(AccessLogEntry.at < f.until)
    return stmt


def access_log_page(f: AccessLogFilter, page: int, per_page: int) -> Page:
    stmt = _where(sa.select(AccessLogEntry).options(joinedload(AccessLogEntry.actor)), f)
    count = _where(sa.select(sa.func.count(AccessLogEntry.id)), f)
    return paginate(db.session, stmt.order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc()), count,
                    page, per_page)


def access_log_rows(f: AccessLogFilter):
    """(entry, actor's name, actor's username) in time order, streamed for the CSV."""
    stmt = _where(sa.select(AccessLogEntry, User.name, User.username)
                  .join(User, User.id == AccessLogEntry.actor_id), f)
    stmt = stmt.order_by(AccessLogEntry.at, AccessLogEntry.id).execution_options(yield_per=YIELD_PER)
    yield from db.session.execute(stmt)


def people_choices() -> list[tuple[int, str]]:
    """Everyone who has an entry in the log, by name: the person filter's options."""
    rows = db.session.execute(
        sa.select(User.id, User.name, User.username)
        .where(User.id.in_(sa.select(AccessLogEntry.actor_id).distinct()))
        .order_by(User.name, User.id)).all()
    return [(uid, f"{name}（{username}）") for uid, name, username in rows]
