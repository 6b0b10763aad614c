"""Household cases: who may see them, opening, moving through their states, noting visits.

Every list here is bounded and loads its rows with a fixed number of queries: a case's
visit count is a correlated subquery, never a lazy load per row."""
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from ..auth.models import User
from ..domain import NotFound
from ..extensions import db
from ..field.models import TaskKind, TaskLog
from ..places.models import Assignment, Household
from ..places.services import MAX_DEPTH, place_in_scope, restrict_to_scope
from ..timeutil import utcnow
from ..i18n import zh
from .models import (AUTO_VISIT_NOTE, CASE_STATUSES, CASE_TRANSITIONS, CLOSED_STATUSES, IN_PROGRESS, OPEN,
                     Case, CaseEvent)

ACTIVE = "active"  # a list filter: open or in progress, i.e. not yet settled
TIMELINE_LIMIT = 200  # a holdout household may take dozens of visits; hundreds is a data problem
RECENT_LOGS = 10

# The task kind a visit on a case most likely is, so the phone form needs one tap less.
VISIT_KIND_FOR_CASE = {
    "illegal_structure": "demolition_talk",
    "resettlement_holdout": "resettlement_visit",
    "expropriation": "resettlement_visit",
}
DEFAULT_VISIT_KIND = "resident_visit"


class TransitionError(ValueError):
    """A status move CASE_TRANSITIONS does not allow."""


def visit_count_column():
    return (sa.select(sa.func.count(TaskLog.id)).where(TaskLog.case_id == Case.id)
            .correlate(Case).scalar_subquery().label("visits"))


# --- Reading -------------------------------------------------------------------------------

def list_cases(user, status: str = "", kind: str = "", q: str = "", page: int = 1, per_page: int = 30):
    """Cases in the person's place scope as ([(case, visits)], total); unsettled first."""
    stmt = restrict_to_scope(sa.select(Case).join(Household, Household.id == Case.household_id),
                             user, Household.place_id)
    if status == ACTIVE:
        stmt = stmt.where(Case.status.not_in(CLOSED_STATUSES))
    elif status:
        stmt = stmt.where(Case.status == status)
    if kind:
        stmt = stmt.where(Case.kind == kind)
    q = (q or "").strip()
    if q:
        like = f"%{q}%"
        stmt = stmt.where(sa.or_(Household.address.ilike(like), Household.head_name.ilike(like),
                                 Case.title.ilike(like)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.execute(
        stmt.add_columns(visit_count_column())
        .options(joinedload(Case.household).joinedload(Household.place), joinedload(Case.owner))
        .order_by(Case.status.in_(CLOSED_STATUSES), Case.opened_at.desc(), Case.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return [(case, visits) for case, visits in rows], total


def get_case(case_id: int, user) -> Case:
    """A case the person may see, or 404 (not 403: do not confirm it exists)."""
    case = db.session.get(Case, case_id)
    if case is None or not place_in_scope(user, case.household.place_id):
        raise NotFound()
    return case


def visit_count(case: Case) -> int:
    return db.session.scalar(sa.select(sa.func.count(TaskLog.id)).where(TaskLog.case_id == case.id)) or 0


def case_visits(case: Case, limit: int = TIMELINE_LIMIT) -> list[TaskLog]:
    """The visits logged on a case, newest first, with who and what kind loaded."""
    return db.session.scalars(
        sa.select(TaskLog).options(joinedload(TaskLog.user), joinedload(TaskLog.kind))
        .where(TaskLog.case_id == case.id)
        .order_by(TaskLog.occurred_at.desc(), TaskLog.id.desc()).limit(limit)).all()


def case_events(case: Case) -> list[CaseEvent]:
    return db.session.scalars(
        sa.select(CaseEvent).options(joinedload(CaseEvent.user)).where(CaseEvent.case_id == case.id)
        .order_by(CaseEvent.at.desc(), CaseEvent.id.desc()).limit(TIMELINE_LIMIT)).all()


def household_cases(household: Household) -> list[tuple[Case, int]]:
    rows = db.session.execute(
        sa.select(Case, visit_count_column()).options(joinedload(Case.owner))
        .where(Case.household_id == household.id)
        .order_by(Case.status.in_(CLOSED_STATUSES), Case.opened_at.desc()).limit(TIMELINE_LIMIT)).all()
    return [(case, visits) for case, visits in rows]


def recent_household_logs(household: Household, limit: int = RECENT_LOGS) -> list[TaskLog]:
    return db.session.scalars(
        sa.select(TaskLog).options(joinedload(TaskLog.user), joinedload(TaskLog.kind),
                                   joinedload(TaskLog.case))
        .where(TaskLog.household_id == household.id)
        .order_by(TaskLog.occurred_at.desc(), TaskLog.id.desc()).limit(limit)).all()


def search_households(user, q: str = "", page: int = 1, per_page: int = 30):
    """Households in scope by address or head's name, as ([household], total)."""
    stmt = restrict_to_scope(sa.select(Household), user, Household.place_id)
    q = (q or "").strip()
    if q:
        like = f"%{q}%"
        stmt = stmt.where(sa.or_(Household.address.ilike(like), Household.head_name.ilike(like)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    items = db.session.scalars(stmt.options(joinedload(Household.place))
                               .order_by(Household.address, Household.id)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return items, total


def owner_candidates(household: Household, user) -> list[User]:
    """Who may own a case on this household: people assigned to its place or a place above
    it, and the person opening it (a leader may keep a case for themself)."""
    place_ids, place = [], household.place
    for _depth in range(MAX_DEPTH + 1):
        if place is None:
            break
        place_ids.append(place.id)
        place = place.parent
    people = db.session.scalars(
        sa.select(User).join(Assignment, Assignment.user_id == User.id)
        .where(Assignment.place_id.in_(place_ids), User.active).distinct()
        .order_by(User.name, User.id)).all()
    if user.id not in {p.id for p in people}:
        people = [user] + list(people)
    return people


def default_visit_kind(case: Case) -> str:
    code = VISIT_KIND_FOR_CASE.get(case.kind, DEFAULT_VISIT_KIND)
    active = db.session.scalar(sa.select(TaskKind.code).where(TaskKind.code == code, TaskKind.active))
    return active or ""


# --- Writing -------------------------------------------------------------------------------

def open_case(user, household: Household, kind: str, title: str, plan: str | None, owner_id: int) -> Case:
    """A new case on a household, status open; the opening is the first event of its history."""
    case = Case(household_id=household.id, kind=kind, title=title.strip(), plan=(plan or "").strip() or None,
                status=OPEN, owner_id=owner_id, created_by_id=user.id, opened_at=utcnow())
    db.session.add(case)
    db.session.flush()
    db.session.add(CaseEvent(case_id=case.id, user_id=user.id, from_status=None, to_status=OPEN,
                             at=case.opened_at))
    db.session.commit()
    return case


def may_change_status(case: Case, user) -> bool:
    """The owner moves their case; leaders and admins may move any. Others add visits."""
    return user.sees_all or case.owner_id == user.id


def change_status(case: Case, user, to_status: str, note: str | None = None) -> CaseEvent:
    """Move a case along CASE_TRANSITIONS, keep closed_at true to the status, record who did it."""
    if to_status not in CASE_TRANSITIONS.get(case.status, ()):
        raise TransitionError(_("不能从「%(old)s」改为「%(new)s」", old=case.status_label,
                                  new=CASE_STATUSES.get(to_status, to_status)))
    now = utcnow()
    event = CaseEvent(case_id=case.id, user_id=user.id, from_status=case.status, to_status=to_status,
                      at=now, note=(note or "").strip() or None)
    case.status = to_status
    case.closed_at = now if to_status in CLOSED_STATUSES else None
    db.session.add(event)
    try:
        db.session.commit()
    except StaleDataError:  # someone moved it between our read and our write: theirs stands
        db.session.rollback()
        raise TransitionError(_("这个一户一策刚被他人更改，请看清现在的状态后再操作"))
    return event


def note_visit(case, user) -> None:
    """A visit logged on an open case means work has started on it; the move is recorded
    like any other, as made by the person whose visit it was. In the visit's transaction:
    flushed here, committed with the visit (records.store_once)."""
    if case.status != OPEN:
        return
    db.session.add(CaseEvent(case_id=case.id, user_id=user.id, from_status=OPEN,
                             to_status=IN_PROGRESS, at=utcnow(), note=zh(AUTO_VISIT_NOTE)))
    case.status = IN_PROGRESS
    db.session.flush()
