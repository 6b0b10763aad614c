"""What the service days' pages, /api/v1/me and the statistics read. Counts here are
residents served, per service: never a figure about the staff who tallied them."""
from collections import defaultdict
from datetime import date

import sqlalchemy as sa

from ..auth.models import User
from ..extensions import db
from ..requests.models import ResidentRequest
from .models import ServiceDay, ServiceKind, ServiceTally


def totals_by_day(day_ids) -> dict[int, dict[int, int]]:
    """{day id: {service kind id: residents served}} for these days, in one query."""
    ids = list(day_ids)
    found: dict[int, dict[int, int]] = defaultdict(dict)
    if not ids:
        return found
    rows = db.session.execute(sa.select(ServiceTally.day_id, ServiceTally.kind_id, sa.func.sum(ServiceTally.count))
                              .where(ServiceTally.day_id.in_(ids))
                              .group_by(ServiceTally.day_id, ServiceTally.kind_id)).all()
    for day_id, kind_id, total in rows:
        found[day_id][kind_id] = int(total or 0)
    return found


def tallies_of(day_id: int, limit: int = 200) -> list:
    """The day's tallies, latest first, with who tallied (the staff see who entered what)."""
    return db.session.execute(
        sa.select(ServiceTally.occurred_at, ServiceTally.count, ServiceTally.note, ServiceKind.label,
                  ServiceKind.label_en, User.name)
        .join(ServiceKind, ServiceKind.id == ServiceTally.kind_id).join(User, User.id == ServiceTally.user_id)
        .where(ServiceTally.day_id == day_id)
        .order_by(ServiceTally.occurred_at.desc(), ServiceTally.id.desc()).limit(limit)).all()


def requests_raised_at(day_id: int) -> list[ResidentRequest]:
    return list(db.session.scalars(sa.select(ResidentRequest).where(ResidentRequest.service_day_id == day_id)
                                   .order_by(ResidentRequest.occurred_at)))


def served_by_month(start: date, end: date) -> list[tuple[str, str, int]]:
    """Residents served per month and service, for days held in start..end: rows of
    ("2026-11", service label, residents), by month then the service's order."""
    rows = db.session.execute(
        sa.select(ServiceDay.held_on, ServiceKind.id, sa.func.sum(ServiceTally.count))
        .join(ServiceDay, ServiceDay.id == ServiceTally.day_id).join(ServiceKind, ServiceKind.id == ServiceTally.kind_id)
        .where(ServiceDay.held_on >= start, ServiceDay.held_on <= end)
        .group_by(ServiceDay.held_on, ServiceKind.id)).all()
    kinds = {k.id: k for k in db.session.scalars(sa.select(ServiceKind))}
    months: dict[tuple[str, int], int] = defaultdict(int)
    for held_on, kind_id, total in rows:
        months[(held_on.strftime("%Y-%m"), kind_id)] += int(total or 0)
    ordered = sorted(months, key=lambda key: (key[0], kinds[key[1]].sort, key[1]))
    return [(month, kinds[kind_id].display_label, months[(month, kind_id)]) for month, kind_id in ordered]
