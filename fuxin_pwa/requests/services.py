"""Resident requests: raising, moving through their states, noting visits, categories.
The HTML forms and the sync endpoint both call these.

A change names the version it was made against. It is stale when someone else has changed
the request since; a stale change is stored as a conflict event beside the current state,
never applied over it and never lost. The person's own changes since (a visit they logged,
then a close, all saved offline) do not make their later change stale, and neither does
the automatic start a follow-up visit causes: both leave every decision made against the
earlier version meaningful."""
import uuid
from datetime import timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..field.models import TaskLog
from ..i18n import zh
from ..records import (CONFLICT, CREATED, REJECTED, RecordMeta, StoreResult, content_hash, judge_stored,
                       store_once)
from ..timeutil import utcnow
from .access import may_assign, may_work
from .models import (ASSIGN, ASSIGNED, CALLBACK, CLOSE, CLOSED_STATUSES, DEFAULT_REQUEST_CATEGORIES,
                     IN_PROGRESS, OPEN_STATUSES, RECEIVED, REFERRED, REOPEN, REQUEST_ACTIONS,
                     REQUEST_STATUSES, START, RequestCategory, RequestEvent, ResidentRequest)

# From which states each action may be taken. Closing is allowed from any open state: a
# policy question answered at the desk is resolved, and a matter for the power company is
# referred, the moment it is received.
ACTION_FROM = {
    ASSIGN: OPEN_STATUSES,  # a reassignment too
    START: (ASSIGNED,),
    CLOSE: OPEN_STATUSES,
    REOPEN: CLOSED_STATUSES,
    CALLBACK: CLOSED_STATUSES,
}

# The move a follow-up visit makes by itself: stored in Chinese, shown in the page's language.
AUTO_VISIT_NOTE = _l("记录办理走访后自动转为办理中")
# The `source` of that event: made by the server, not typed by anyone.
SOURCE_VISIT = "visit"


def ensure_request_categories() -> int:
    """Add the default categories that are missing (a migrated empty database has none);
    flushes, the caller commits. Returns how many were added."""
    have = set(db.session.scalars(sa.select(RequestCategory.code)).all())
    missing = [RequestCategory(code=code, label=label, label_en=label_en, deadline_days=days, sort=i)
               for i, (code, label, label_en, days) in enumerate(DEFAULT_REQUEST_CATEGORIES)
               if code not in have]
    db.session.add_all(missing)
    db.session.flush()
    return len(missing)


# --- Raising -----------------------------------------------------------------------------------

def raise_request(user, form, meta: RecordMeta) -> StoreResult:
    """Store a request once (record type `request`); it is due the category's deadline after
    the time it was raised, fixed now so a later change of the deadline moves nothing."""

    def build():
        category = getattr(form, "category_obj", None) or db.session.scalar(
            sa.select(RequestCategory).where(RequestCategory.code == form.category.data))
        return ResidentRequest(
            user_id=user.id, place_id=form.place_id.data, household_id=form.household_id.data,
            category_id=category.id, resident_name=form.resident_name.data,
            resident_phone=form.resident_phone.data or None, description=form.description.data,
            service_day_id=form.service_day_id.data,
            status=RECEIVED, due_at=meta.occurred_at + timedelta(days=category.deadline_days), version=1,
            **meta.columns())

    return store_once(ResidentRequest, user, meta, build, bulk=True)


# --- Changing ----------------------------------------------------------------------------------

def save_request_update(user, form, meta: RecordMeta) -> StoreResult:
    """The `request_update` record type: RequestUpdateForm validated, change_request decides."""
    return change_request(user, form.request_obj, form.action.data, form.change_data(), meta,
                          form.base_version.data)


def change_request(user, request: ResidentRequest, action: str, data: dict, meta: RecordMeta,
                   base_version: int) -> StoreResult:
    """Apply one change, or keep it as a conflict; CREATED, CONFLICT, DUPLICATE or REJECTED."""
    stored = judge_stored(RequestEvent, user, meta)
    if stored is not None:  # a replay: the first answer stands
        return stored
    if base_version > request.version:
        return StoreResult(REJECTED, errors={"base_version": [_("版本号无效，请刷新页面后重试")]})
    if action == ASSIGN and not may_assign(user):  # never theirs, stale or not
        return StoreResult(REJECTED, errors={"action": [_("只有街道领导或管理员可以派单")]})
    behind = base_version != request.version
    # Permission before staleness: a change the person may make neither now nor in the
    # state they saw is refused, never kept as a conflict on the request's timeline.
    # (One made while it was theirs, given to someone else since, goes on to be kept.)
    not_allowed = _not_allowed(user, request, action)
    if not_allowed and not (behind and _not_allowed(user, _assignment_as_of(request, base_version), action) is None):
        return StoreResult(REJECTED, errors={"action": [not_allowed]})
    event = _event(user, request, action, data, meta, base_version)
    if behind and _changed_by_others_since(request, user, base_version):
        return _keep_conflict(event, request, action, data)
    if not_allowed:
        return StoreResult(REJECTED, errors={"action": [not_allowed]})
    if request.status not in ACTION_FROM[action]:
        if behind:  # allowed in the state the person saw (their own visit moved it since, say)
            return _keep_conflict(event, request, action, data)
        return StoreResult(REJECTED, errors={"action": [_(
            "诉求当前为「%(status)s」，不能「%(action)s」", status=request.status_label,
            action=REQUEST_ACTIONS[action])]})
    values = _new_values(request, action, data)
    event.from_status = request.status
    event.to_status = values.get("status") if action != CALLBACK else None
    if not _apply(request, values):  # changed between reading and writing: that one won
        return _keep_conflict(event, request, action, data)
    return _commit_event(event, CREATED)


def _event(user, request, action, data, meta, base_version) -> RequestEvent:
    keep = {ASSIGN: ("assignee_id", "assignee_team", "note"), START: ("note",),
            CLOSE: ("referred_to", "note"), REOPEN: ("note",), CALLBACK: ("satisfaction", "note")}[action]
    fields = {name: data.get(name) for name in keep}
    if action == CLOSE and data.get("to_status") != REFERRED:
        fields["referred_to"] = None
    return RequestEvent(request_id=request.id, user_id=user.id, action=action, base_version=base_version,
                        conflict=False, **fields, **meta.columns())


def _changed_by_others_since(request, user, base_version) -> bool:
    """An applied change by someone else at or after base_version, other than a visit's start."""
    return bool(db.session.scalar(sa.select(sa.exists().where(
        RequestEvent.request_id == request.id, RequestEvent.conflict.is_(False),
        RequestEvent.base_version >= base_version, RequestEvent.user_id != user.id,
        RequestEvent.source != SOURCE_VISIT))))


def _assignment_as_of(request, version: int) -> SimpleNamespace:
    """The request's assignment as it stood at `version`: the last assignment applied
    before it (each applied change moves the version on by one), or none."""
    event = db.session.scalar(
        sa.select(RequestEvent).where(RequestEvent.request_id == request.id, RequestEvent.action == ASSIGN,
                                      RequestEvent.conflict.is_(False), RequestEvent.base_version < version)
        .order_by(RequestEvent.base_version.desc(), RequestEvent.id.desc()).limit(1))
    return SimpleNamespace(id=request.id, place_id=request.place_id, user_id=request.user_id,
                           assignee_id=event.assignee_id if event else None,
                           assignee_team=event.assignee_team if event else None)


def _not_allowed(user, request, action) -> str | None:
    """Why this person may not take this action on this request, or None. (No one else has
    changed the request since they saw it, so its assignment is the one they saw.)"""
    if action == ASSIGN and not may_assign(user):
        return _("只有街道领导或管理员可以派单")
    if action in (START, CLOSE) and not may_work(user, request):
        return _("只有承办人、承办队伍成员或街道领导可以办理")
    return None


def _intended_status(request, action, data) -> str | None:
    if action == ASSIGN:
        return ASSIGNED
    if action == START:
        return IN_PROGRESS
    if action == CLOSE:
        return data.get("to_status")
    if action == REOPEN:
        return IN_PROGRESS if (request.assignee_id or request.assignee_team) else RECEIVED
    return None


def _new_values(request, action, data) -> dict:
    """The request's columns after the change (version aside)."""
    if action == ASSIGN:
        team = data.get("assignee_team") if data.get("assignee_id") is None else None
        return {"status": ASSIGNED, "assignee_id": data.get("assignee_id"), "assignee_team": team}
    if action == START:
        return {"status": IN_PROGRESS}
    if action == CLOSE:
        to = data["to_status"]
        return {"status": to, "closed_at": utcnow(), "close_note": data.get("note"),
                "referred_to": data.get("referred_to") if to == REFERRED else None}
    if action == REOPEN:
        # The last 回访 was about the closing being undone.
        return {"status": _intended_status(request, action, data), "closed_at": None, "close_note": None,
                "referred_to": None, "satisfaction": None}
    return {"satisfaction": data["satisfaction"]}  # CALLBACK: the status stays


def _apply(request, values: dict) -> bool:
    """Write the change only if the request is still at the version just read."""
    seen = request.version
    result = db.session.execute(
        sa.update(ResidentRequest).where(ResidentRequest.id == request.id, ResidentRequest.version == seen)
        .values(version=seen + 1, **values).execution_options(synchronize_session="evaluate"))
    if result.rowcount != 1:
        db.session.expire(request)  # the copy in memory was set by the evaluation: read it again
        return False
    return True


def _keep_conflict(event, request, action, data) -> StoreResult:
    event.conflict = True
    event.from_status = None  # it never moved anything: the timeline shows what was tried
    event.to_status = _intended_status(request, action, data)
    result = _commit_event(event, CONFLICT)
    if result.status == CONFLICT:
        db.session.refresh(request)
        result.detail = _("该诉求已被他人更改（现为「%(status)s」），您的更改已保留但未生效",
                          status=request.status_label)
    return result


def _commit_event(event: RequestEvent, status: str) -> StoreResult:
    db.session.add(event)
    try:
        db.session.commit()
    except IntegrityError:  # the same record, racing itself from two tabs: one row wins
        db.session.rollback()
        stored = judge_stored(RequestEvent, _Author(event.user_id),
                              RecordMeta(record_id=event.uuid, occurred_at=event.occurred_at,
                                         content_hash=event.content_hash), fresh=True)
        if stored is None:
            raise
        return stored
    return StoreResult(status, event)


class _Author:
    """Who judge_stored compares the stored record's author with."""

    def __init__(self, user_id):
        self.id = user_id


def note_visit(request, user) -> None:
    """A follow-up visit by the one the request was assigned to means the work has started;
    the move is recorded like any other, as made by the person whose visit it was. Anyone
    else's visit (a neighbour's grid worker passing by) is kept on the timeline and moves
    nothing: dispatching is the leaders' step. In the visit's transaction: flushed here,
    committed with the visit."""
    if request is None or request.status != ASSIGNED or not may_work(user, request):
        return
    # Dated at the visit that started the work (it may have been made offline hours ago), so
    # the timeline reads: the visit, then the move it caused.
    visit_at = db.session.scalar(sa.select(TaskLog.occurred_at).where(
        TaskLog.request_id == request.id, TaskLog.user_id == user.id).order_by(TaskLog.id.desc()).limit(1))
    event = RequestEvent(request_id=request.id, user_id=user.id, action=START, from_status=request.status,
                         to_status=IN_PROGRESS, note=zh(AUTO_VISIT_NOTE), base_version=request.version,
                         conflict=False, uuid=str(uuid.uuid4()), occurred_at=visit_at or utcnow(),
                         received_at=utcnow(),
                         source=SOURCE_VISIT,
                         content_hash=content_hash("request_update", None, {"request_id": request.id,
                                                                            "action": START}))
    if _apply(request, {"status": IN_PROGRESS}):
        db.session.add(event)
        db.session.flush()  # committed with the visit, in its transaction (records.store_once)


def display_note(note):
    """The note as written; the app's own automatic note in the page's language."""
    return AUTO_VISIT_NOTE if note and note == zh(AUTO_VISIT_NOTE) else note


# --- Categories (admin) -------------------------------------------------------------------------

def save_category(form, category: RequestCategory | None = None) -> RequestCategory:
    category = category or RequestCategory(code=form.code.data)
    category.label = form.label.data
    category.label_en = form.label_en.data or None
    category.deadline_days = form.deadline_days.data
    category.sort = form.sort.data if form.sort.data is not None else 100
    category.active = form.active.data
    db.session.add(category)
    db.session.commit()
    return category


def status_label(code) -> str:
    return REQUEST_STATUSES.get(code or "", code or "")
