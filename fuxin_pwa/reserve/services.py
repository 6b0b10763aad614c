"""The writes of the reserve pool and the rules of its status flow:
提名 → 考察 → 入库 (with its date) → 已任用 (with its date and post), one step at a time; a leader
may withdraw (退出) anyone not yet appointed, saying why. Only young cadres are candidates.

Refusals are ReserveRefused with a sentence in Chinese (a domain error, never HTTP): the
form shows it beside the field it concerns."""
from datetime import date

from flask_babel import gettext as _

from ..auth.models import YOUNG_CADRE
from ..domain import DomainError
from ..extensions import db
from ..timeutil import local_today, utcnow
from .models import (ADMITTED, APPOINTED, NOMINATED, STATUSES, TRANSITIONS, WITHDRAWN, ReserveCandidate, ReserveNote,
                     ReserveStatusChange)


class ReserveRefused(DomainError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def _check_day(day: date | None, not_before: date | None) -> None:
    if day is None:
        raise ReserveRefused(_("请填写日期"), "on")
    if day > local_today():
        raise ReserveRefused(_("日期不能晚于今天"), "on")
    if not_before and day < not_before:
        raise ReserveRefused(_("日期不能早于上一次状态变更（%(d)s）", d=not_before.isoformat()), "on")


def nominate(leader, person, on: date, reason: str | None) -> ReserveCandidate:
    """A young cadre into the pool as 提名, with the reason as the first note."""
    if person is None or person.role != YOUNG_CADRE:
        raise ReserveRefused(_("只能提名年轻干部"), "user_id")
    if not person.active:
        raise ReserveRefused(_("该人员已停用，不能提名"), "user_id")
    if db.session.scalar(db.select(ReserveCandidate.id).where(ReserveCandidate.user_id == person.id)):
        raise ReserveRefused(_("该人员已在后备库中"), "user_id")
    _check_day(on, None)
    now = utcnow()
    candidate = ReserveCandidate(user_id=person.id, status=NOMINATED, nominated_on=on, nominated_by_id=leader.id,
                                 created_at=now)
    db.session.add(candidate)
    db.session.flush()
    db.session.add(ReserveStatusChange(candidate_id=candidate.id, from_status=None, to_status=NOMINATED,
                                       changed_on=on, changed_by_id=leader.id, reason=_clean(reason), recorded_at=now))
    if _clean(reason):
        db.session.add(ReserveNote(candidate_id=candidate.id, author_id=leader.id, written_at=now, text=_clean(reason)))
    db.session.commit()
    return candidate


def last_change_on(candidate) -> date | None:
    return db.session.scalar(db.select(db.func.max(ReserveStatusChange.changed_on))
                             .where(ReserveStatusChange.candidate_id == candidate.id))


def move(leader, candidate, to: str, on: date | None, reason: str | None = None,
         appointed_as: str | None = None) -> ReserveStatusChange:
    """One step of the flow, dated; the candidate's dates follow (入库 and 已任用 keep theirs)."""
    if to not in STATUSES or to == NOMINATED:
        raise ReserveRefused(_("请选择新的状态"), "to_status")
    if to not in TRANSITIONS[candidate.status]:
        raise ReserveRefused(_("“%(a)s”不能直接改为“%(b)s”", a=STATUSES[candidate.status], b=STATUSES[to]),
                             "to_status")
    _check_day(on, last_change_on(candidate))
    if to == WITHDRAWN and not _clean(reason):
        raise ReserveRefused(_("退出须写明原因"), "reason")
    if to == APPOINTED and not _clean(appointed_as):
        raise ReserveRefused(_("请填写任用职务"), "appointed_as")
    change = ReserveStatusChange(candidate_id=candidate.id, from_status=candidate.status, to_status=to,
                                 changed_on=on, changed_by_id=leader.id, reason=_clean(reason), recorded_at=utcnow())
    candidate.status = to
    if to == ADMITTED:
        candidate.admitted_on = on
    elif to == APPOINTED:
        candidate.appointed_on, candidate.appointed_as = on, _clean(appointed_as)
    db.session.add(change)
    db.session.commit()
    return change


def add_note(author, candidate, text: str) -> ReserveNote:
    if not _clean(text):
        raise ReserveRefused(_("请填写考察记录"), "text")
    note = ReserveNote(candidate_id=candidate.id, author_id=author.id, written_at=utcnow(), text=_clean(text))
    db.session.add(note)
    db.session.commit()
    return note
