"""Writing check-ins and task logs. The HTML forms and the sync endpoint both call these."""
import sqlalchemy as sa

from ..extensions import db
from ..records import RecordMeta, StoreResult, store_once
from .forms import CheckInForm, TaskLogForm
from .models import DEFAULT_TASK_KINDS, CheckIn, TaskKind, TaskLog


def save_checkin(user, form: CheckInForm, meta: RecordMeta) -> StoreResult:
    def build():
        return CheckIn(user_id=user.id, place_id=form.place_id.data, household_id=form.household_id.data,
                       lat=form.lat.data,
                       lon=form.lon.data, accuracy_m=form.accuracy_m.data,
                       note=(form.note.data or "").strip() or None, **meta.columns())

    return store_once(CheckIn, user, meta, build, bulk=True)


def save_task_log(user, form: TaskLogForm, meta: RecordMeta) -> StoreResult:
    def build():
        kind_id = getattr(form, "kind_id", None) or db.session.scalar(
            sa.select(TaskKind.id).where(TaskKind.code == form.kind.data))
        household_id = form.household_id.data
        if household_id is None and form.case_id.data is not None:
            from ..cases.models import Case
            household_id = db.session.get(Case, form.case_id.data).household_id
        return TaskLog(user_id=user.id, kind_id=kind_id, place_id=form.place_id.data,
                       household_id=household_id, case_id=form.case_id.data,
                       request_id=form.request_id.data, incident_id=form.incident_id.data,
                       summary=form.summary.data.strip(), outcome=(form.outcome.data or "").strip() or None,
                       next_step_on=form.next_step_on.data, duration_min=form.duration_min.data,
                       directive_id=form.directive_id.data, people_reached=form.people_reached.data,
                       **meta.columns())

    def moves_on(log: TaskLog) -> None:
        # Imported here: cases and requests build on the field area, not the other way round.
        if log.case_id:
            from ..cases.services import note_visit
            note_visit(log.case, user)
        if log.request_id:
            from ..requests.services import note_visit as note_request_visit
            note_request_visit(log.request, user)

    moves = form.case_id.data is not None or form.request_id.data is not None
    return store_once(TaskLog, user, meta, build, then=moves_on if moves else None, bulk=True)


def active_task_kinds() -> list[TaskKind]:
    return db.session.scalars(sa.select(TaskKind).where(TaskKind.active)
                              .order_by(TaskKind.sort, TaskKind.id)).all()


def ensure_task_kinds() -> int:
    """Add the default task kinds that are missing (a migrated empty database has none);
    flushes, the caller commits. Returns how many were added."""
    have = set(db.session.scalars(sa.select(TaskKind.code)).all())
    missing = [TaskKind(code=code, label=label, label_en=label_en, sort=i)
               for i, (code, label, label_en) in enumerate(DEFAULT_TASK_KINDS) if code not in have]
    db.session.add_all(missing)
    db.session.flush()
    return len(missing)
