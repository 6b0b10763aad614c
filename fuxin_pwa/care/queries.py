"""What the care pages and the home read: visits owed (overdue first), a person's care
record, a year's ledger. Each one query (two with the visits), whatever the number."""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..timeutil import local_today
from .models import CareTrigger, CareVisit


def _visited():
    return sa.exists().where(CareVisit.trigger_id == CareTrigger.id)


@dataclass
class Owed:
    trigger: CareTrigger
    overdue: bool
    days_left: int


def owed_visits(responsible_id: int | None = None, today: date | None = None) -> list[Owed]:
    """Triggers with no visit yet (of one responsible leader, or everyone's), overdue first,
    then soonest due."""
    today = today or local_today()
    stmt = (sa.select(CareTrigger).where(~_visited()).order_by(CareTrigger.due_on, CareTrigger.id)
            .options(selectinload(CareTrigger.person), selectinload(CareTrigger.responsible)))
    if responsible_id is not None:
        stmt = stmt.where(CareTrigger.responsible_id == responsible_id)
    return [Owed(t, t.due_on < today, (t.due_on - today).days) for t in db.session.scalars(stmt)]


def triggers_of(person_id: int) -> list[CareTrigger]:
    """A person's care record, latest first, with its visits."""
    return list(db.session.scalars(
        sa.select(CareTrigger).where(CareTrigger.person_id == person_id)
        .order_by(CareTrigger.happened_on.desc(), CareTrigger.id.desc())
        .options(selectinload(CareTrigger.visits), selectinload(CareTrigger.responsible))).all())


def year_triggers(year: int) -> list[CareTrigger]:
    """Every trigger that happened in `year`, by date, with its visits: the 关爱台账."""
    return list(db.session.scalars(
        sa.select(CareTrigger).where(CareTrigger.happened_on >= date(year, 1, 1),
                                     CareTrigger.happened_on <= date(year, 12, 31))
        .order_by(CareTrigger.happened_on, CareTrigger.id)
        .options(selectinload(CareTrigger.visits), selectinload(CareTrigger.person),
                 selectinload(CareTrigger.responsible))).all())
