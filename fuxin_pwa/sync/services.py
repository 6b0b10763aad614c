"""Applying a batch of device records: validate each with its form, correct the clock,
store it exactly once. One bad record never sinks the others."""
import logging
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import DataError
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from ..extensions import db
from ..cases.models import Case
from ..field.forms import int_or_none
from ..places.models import Household
from ..records import REJECTED, SOURCE_SYNC, RecordBatch, RecordMeta, content_hash, judge_stored
from ..timeutil import to_utc_naive, utcnow
from .registry import RECORD_TYPES

log = logging.getLogger(__name__)


class BadRequest(ValueError):
    """The body is not a sync request of the protocol's shape."""


def parse_time(value) -> datetime | None:
    """ISO 8601 to an aware datetime; a time without offset is taken as local time."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed


def clock_skew(sent_at) -> timedelta:
    """server_now - device's sent_at; zero where the device did not say."""
    if sent_at is None:
        return timedelta(0)
    parsed = parse_time(sent_at)
    if parsed is None:
        raise BadRequest("sent_at is not an ISO 8601 time")
    try:
        return utcnow() - to_utc_naive(parsed)
    except OverflowError:  # year 1 at +14:00: before any calendar the server can reckon with
        raise BadRequest("sent_at is outside the years 1 to 9999") from None


def as_formdata(data: dict) -> MultiDict:
    """JSON values as the strings an HTML form would post; null means absent."""
    pairs = []
    for key, value in data.items():
        if value is None or isinstance(value, (dict, list)):
            continue
        if isinstance(value, bool):
            value = "y" if value else ""
        pairs.append((key, str(value)))
    return MultiDict(pairs)


def _rejected(record_id, errors: dict) -> dict:
    return {"id": record_id, "status": REJECTED, "errors": errors}


def apply_record(user, record, skew: timedelta, device_id: str | None, source: str = SOURCE_SYNC) -> dict:
    if not isinstance(record, dict):
        return _rejected(None, {"record": [_("记录格式无效")]})
    raw_id = record.get("id")
    try:
        record_id = str(uuid.UUID(str(raw_id)))
    except (TypeError, ValueError):
        return _rejected(raw_id, {"id": [_("记录编号必须是 UUID")]})
    kind = RECORD_TYPES.get(record.get("type"))
    if kind is None:
        return _rejected(record_id, {"type": [_("未知的记录类型")]})
    device_time = parse_time(record.get("occurred_at"))
    if device_time is None:
        return _rejected(record_id, {"occurred_at": [_("时间格式无效，应为 ISO 8601")]})
    data = record.get("data")
    if not isinstance(data, dict):
        return _rejected(record_id, {"data": [_("缺少记录内容")]})
    # No database text column holds a NUL (PostgreSQL refuses it): the person's to fix, not a
    # server fault the phone would retry for ever.
    unstorable = sorted(k for k, v in data.items() if isinstance(v, str) and "\x00" in v)
    if unstorable:
        return _rejected(record_id, {k: [_("含有无法保存的字符，请删除后再保存")] for k in unstorable})

    corrected = abs(skew) > current_app.config["CLOCK_SKEW_TOLERANCE"]
    try:
        device_utc = to_utc_naive(device_time)
        occurred_at = device_utc + skew if corrected else device_utc
    except OverflowError:  # year 1 at +14:00, say: no calendar holds it, a retry never will
        return _rejected(record_id, {"occurred_at": [_("时间超出可记录的范围，请改正")]})
    meta = RecordMeta(record_id=record_id, occurred_at=occurred_at, device_occurred_at=device_utc,
                      clock_corrected=corrected, source=source, device_id=device_id,
                      content_hash=content_hash(record["type"], record.get("occurred_at"), data))
    if occurred_at > utcnow() + current_app.config["FUTURE_TOLERANCE"]:
        # Still ahead after the clock correction: it would sit on top of every list (and an
        # acknowledgement dated ahead would pin its person on the board). The person's to fix;
        # a replay of one stored before this rule still answers as it was stored.
        stored = judge_stored(kind.model, user, meta)
        return _result(record_id, stored) if stored else _rejected(
            record_id, {"occurred_at": [_("记录时间晚于现在，请检查手机的时间设置后重新保存")]})
    form = kind.form(formdata=as_formdata(data), meta={"csrf": False}, user=user, occurred_at=occurred_at)
    if not form.validate():
        # A replay of a record stored before its place was unassigned still answers
        # duplicate, so the device can let it go; only new records are refused.
        stored = judge_stored(kind.model, user, meta)
        if stored is not None:
            return _result(record_id, stored)
        # Plain strings: the forms' messages may be lazy, and these go out as JSON.
        return _rejected(record_id, {k: [str(m) for m in v] for k, v in form.errors.items()})
    return _result(record_id, kind.save(user, form, meta))


def _result(record_id, stored) -> dict:
    result = {"id": record_id, "status": stored.status}
    if stored.errors:
        result["errors"] = stored.errors
    if stored.detail:
        result["detail"] = stored.detail
    return result


def apply_batch(user, body) -> list[dict]:
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise BadRequest('expected {"device_id", "sent_at", "records": [...]}')
    skew = clock_skew(body.get("sent_at"))
    device_id = str(body.get("device_id") or "")[:64]
    device_id = device_id if device_id.isprintable() and device_id else None  # a label only: never worth a refusal
    return apply_records(user, body["records"], skew, device_id)


def apply_records(user, records: list, skew: timedelta, device_id: str | None,
                  source: str = SOURCE_SYNC) -> list[dict]:
    """apply_record for each, in order, inside one RecordBatch; a server fault on one is that
    record's answer. Records the batch could not insert together are stored again one by one."""
    linked = _load_linked(records)  # noqa: F841  (held: the session keeps loaded rows only while referenced)
    with RecordBatch(_record_ids(records)) as batch:
        results = []
        for position, record in enumerate(records):
            batch.position = position
            results.append(_apply_guarded(user, record, skew, device_id, source))
        again = batch.store()
    for position in again:
        results[position] = _apply_guarded(user, records[position], skew, device_id, source)
    return results


def _apply_guarded(user, record, skew, device_id, source) -> dict:
    rid = record.get("id") if isinstance(record, dict) else None
    try:
        return apply_record(user, record, skew, device_id, source)
    except (DataError, OverflowError):
        # The database refused a value of this record (a number or a text it cannot hold)
        # that the forms let through: the same record fails the same way every time, so it
        # is the person's to fix, not errors.server, which the phone would retry for ever.
        db.session.rollback()
        log.exception("sync: the database refused a value of a record")
        return _rejected(rid, {"data": [_("记录中有无法保存的数值或文字，请改正后再保存")]})
    except Exception:  # a server fault on one record must not lose the rest
        db.session.rollback()
        log.exception("sync: record failed")
        return _rejected(rid, {"server": [_("服务器处理此记录时出错，请稍后重试")]})


def _record_ids(records: list) -> set[str]:
    ids = set()
    for record in records:
        try:
            ids.add(str(uuid.UUID(str(record.get("id")))))
        except (AttributeError, TypeError, ValueError):
            continue
    return ids


# The places, households and cases a batch's records name, loaded in one query each, so each
# record's form finds them in the session instead of asking the database once a record.
# (A record's place needs no row: its form checks the id against places/services.py's
# active_place_ids.)
LINKED = {"household_id": Household, "case_id": Case}


def _load_linked(records: list) -> list:
    wanted: dict[type, set[int]] = {}
    for record in records:
        data = record.get("data") if isinstance(record, dict) else None
        if not isinstance(data, dict):
            continue
        for name, model in LINKED.items():
            number = int_or_none(data.get(name))
            if number is not None:
                wanted.setdefault(model, set()).add(number)
    loaded = []
    for model, ids in wanted.items():
        stmt = sa.select(model).where(model.id.in_(ids))
        if model is Case:
            stmt = stmt.options(joinedload(Case.household))
        loaded += db.session.scalars(stmt).all()
    return loaded
