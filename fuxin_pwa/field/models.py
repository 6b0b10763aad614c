"""Check-ins and task logs: the two record types every team makes in the field."""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..coded import CodedEntryMixin
from ..extensions import db
from ..memo import is_remembered, remember, remembered
from ..records import FieldRecordMixin
from ..versions import own_records

# Accuracy worse than this is shown as 定位精度低.
LOW_ACCURACY_M = 200

DEFAULT_TASK_KINDS = [
    ("demolition_talk", "违建约谈", "Demolition talk"),
    ("resettlement_visit", "安置回访", "Resettlement visit"),
    ("site_guard", "征迁值守", "Site guard"),
    ("flood_duty", "防汛值守", "Flood duty"),
    ("resident_visit", "走访群众", "Resident visit"),
    ("volunteer_service", "志愿服务", "Volunteer service"),
    ("briefing", "政策宣传", "Policy briefing"),
    ("request_followup", "诉求办理", "Request follow-up"),
]
# A directive (传达部署) is relayed as a briefing; the relay's form opens on this kind.
RELAY_KIND = "briefing"


class TaskKind(CodedEntryMixin, db.Model):
    __tablename__ = "task_kinds"


class CheckIn(FieldRecordMixin, db.Model):
    __tablename__ = "checkins"
    __table_args__ = (sa.Index("ix_checkins_place_occurred", "place_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(sa.ForeignKey("places.id"), index=True)
    # The household visited, when the check-in names one: it counts in its planned rounds (rounds/).
    household_id: Mapped[int | None] = mapped_column(sa.ForeignKey("households.id"), index=True)
    lat: Mapped[float | None] = mapped_column()
    lon: Mapped[float | None] = mapped_column()
    accuracy_m: Mapped[float | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(sa.String(500))

    user = relationship("User")
    place = relationship("Place")
    household = relationship("Household")

    @property
    def has_location(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def low_accuracy(self) -> bool:
        return self.has_location and (self.accuracy_m is None or self.accuracy_m > LOW_ACCURACY_M)


class TaskLog(FieldRecordMixin, db.Model):
    __tablename__ = "task_logs"
    __table_args__ = (sa.Index("ix_task_logs_place_occurred", "place_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind_id: Mapped[int] = mapped_column(sa.ForeignKey("task_kinds.id"), index=True)
    place_id: Mapped[int] = mapped_column(sa.ForeignKey("places.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(sa.ForeignKey("households.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    # A visit on a resident request (诉求办理) or a report from an incident post (防汛值守).
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("resident_requests.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incidents.id"), index=True)
    # A briefing relaying a directive (传达部署) at one of its target places, and how many heard it.
    directive_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directives.id"), index=True)
    people_reached: Mapped[int | None] = mapped_column()
    summary: Mapped[str] = mapped_column(sa.String(1000))
    outcome: Mapped[str | None] = mapped_column(sa.String(1000))
    next_step_on: Mapped[date | None] = mapped_column()
    duration_min: Mapped[int | None] = mapped_column()

    user = relationship("User")
    place = relationship("Place")
    kind = relationship("TaskKind")
    household = relationship("Household")
    case = relationship("Case", back_populates="task_logs")
    request = relationship("ResidentRequest")
    incident = relationship("Incident")
    directive = relationship("Directive")


# A visit record changes only its writer's own pages (their home counts their check-ins)
# unless it moves something others see: a directive relayed, a request or case visited, an
# incident reported on: then versions.py bumps everyone's version. A household visited
# changes the plan (rounds/) on the homes of those who cover its place: theirs are bumped,
# with the writer's, and not everyone's (a visit a minute would redraw every kept home).
_SHARED_LINKS = ("directive_id", "request_id", "case_id", "incident_id")


def _visit_owner(values) -> int | frozenset[int] | None:
    if any(values.get(link) for link in _SHARED_LINKS):
        return None
    writer, household_id = values.get("user_id"), values.get("household_id")
    if not household_id or writer is None:
        return writer
    people = remembered(("covering-household", household_id), lambda: _covering([household_id])[household_id])
    return people | {writer}


def _prepare_visits(rows) -> None:
    """Who covers each household the written visits name, for all of them in one query."""
    wanted = {r.get("household_id") for r in rows if r.get("household_id")
              and not any(r.get(link) for link in _SHARED_LINKS)}
    wanted = {h for h in wanted if not is_remembered(("covering-household", h))}
    if wanted:
        for household_id, people in _covering(wanted).items():
            remember(("covering-household", household_id), people)


def _covering(household_ids) -> dict[int, frozenset[int]]:
    """Who covers each household's place: assigned to it or to a place above it (a grid
    worker's grid holds the estate). One query whatever the number of households, on the
    connection of the write's transaction (Core: no session event runs again)."""
    from ..places.models import Assignment, Household, Place  # places/ builds on nothing here

    ids = list(household_ids)
    up = (sa.select(Household.id.label("household_id"), Place.id, Place.parent_id)
          .join(Place, Place.id == Household.place_id).where(Household.id.in_(ids))
          .cte("up", recursive=True))
    up = up.union_all(sa.select(up.c.household_id, Place.id, Place.parent_id).join(up, Place.id == up.c.parent_id))
    found: dict[int, set[int]] = {h: set() for h in ids}
    for household_id, user_id in db.session.connection().execute(
            sa.select(up.c.household_id, Assignment.user_id).join(up, Assignment.place_id == up.c.id).distinct()):
        found[household_id].add(user_id)
    return {h: frozenset(people) for h, people in found.items()}


own_records(CheckIn.__tablename__, _visit_owner, _prepare_visits)
own_records(TaskLog.__tablename__, _visit_owner, _prepare_visits)
