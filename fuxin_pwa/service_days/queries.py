"""What the service days' pages, /api/v1/me and the statistics read. Counts here are
residents served, per service: never a figure about the staff who tallied them."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

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


@dataclass
class ServedLine:
    label: str
    months: dict  # "2026-11" -> residents served
    total: int


@dataclass
class Served:
    """Residents served per service and month, for the statistics page."""

    months: list[str]
    lines: list[ServedLine]
    total: int


def _held(stmt, first: date, last: date, place_ids):
    stmt = stmt.where(ServiceDay.held_on >= first, ServiceDay.held_on <= last)
    return stmt if place_ids is None else stmt.where(ServiceDay.place_id.in_(place_ids or {-1}))


def served_by_month(first: date, last: date, place_ids, months: list[str]) -> Served:
    """Days held in first..last at these places (None: all), every active service a line (a
    zero is worth seeing), a stopped one only where it served someone. Two queries."""
    rows = db.session.execute(_held(
        sa.select(ServiceDay.held_on, ServiceTally.kind_id, sa.func.sum(ServiceTally.count))
        .join(ServiceDay, ServiceDay.id == ServiceTally.day_id), first, last, place_ids)
        .group_by(ServiceDay.held_on, ServiceTally.kind_id)).all()
    counted: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for held_on, kind_id, n in rows:
        counted[kind_id][held_on.strftime("%Y-%m")] += int(n or 0)
    lines = []
    for k in db.session.scalars(sa.select(ServiceKind).order_by(ServiceKind.sort, ServiceKind.id)):
        if k.active or k.id in counted:
            by_month = {m: counted[k.id].get(m, 0) for m in months}
            lines.append(ServedLine(k.display_label, by_month, sum(by_month.values())))
    return Served(months, lines, sum(line.total for line in lines))


def ledger_rows(first: date, last: date, place_ids):
    """便民服务台账: a row per day and service, in the order of the days; the staff on the day."""
    days = db.session.scalars(_held(sa.select(ServiceDay).options(selectinload(ServiceDay.staff),
                                                                  selectinload(ServiceDay.services)),
                                    first, last, place_ids)
                              .order_by(ServiceDay.held_on, ServiceDay.starts_at, ServiceDay.id)).all()
    counted = totals_by_day(d.id for d in days)
    for d in days:
        staff = "、".join(u.name for u in d.staff)
        for k in d.services:
            yield (d.held_on, d.title, d.place_id, k.display_label, counted.get(d.id, {}).get(k.id, 0), staff,
                   d.volunteers or "")
