"""Importing an outbox the device exported ("导出未同步记录") when it could not sync.

The file is applied exactly as a sync from that device would be: each record as its owner
(the person named in the file) through apply_record, so the same form validates it and the
same unique id stores it once; each photo through the photo service. Importing a file twice,
or a file whose records the device synced meanwhile, adds nothing: all duplicates.

File shape (format fuxin-outbox/1):
    {"format": "fuxin-outbox/1", "exported_at": "<ISO 8601>", "device_id": "…",
     "user": {"username": "…"},
     "records": [{"id", "type", "occurred_at", "data",
                  "photos": [{"id": "<uuid>", "type": "image/jpeg", "data": "<base64>"}]}]}"""
import base64
import binascii
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..auth.models import User
from ..extensions import db
from ..photos.services import PhotoError, save_photo_for
from ..records import CREATED, DUPLICATE, REJECTED, SOURCE_IMPORT
from ..timeutil import to_utc_naive, utcnow
from .services import apply_records, parse_time

log = logging.getLogger(__name__)

FORMAT = "fuxin-outbox/1"
STORED = (CREATED, DUPLICATE, "conflict")  # the record is on the server: its photos may follow

TYPE_LABELS = {"checkin": _l("签到"), "task_log": _l("工作记录")}
# The keys of a record's errors, as the person knows them from the form.
FIELD_LABELS = {
    "id": _l("记录编号"), "type": _l("记录类型"), "occurred_at": _l("时间"), "data": _l("内容"),
    "record": _l("记录"), "server": _l("服务器"), "place_id": _l("地点"), "lat": _l("纬度"),
    "lon": _l("经度"), "accuracy_m": _l("定位精度"), "note": _l("备注"), "kind": _l("工作类型"),
    "household_id": _l("户"), "case_id": _l("一户一策"), "summary": _l("工作内容"), "outcome": _l("结果"),
    "next_step_on": _l("下一步日期"), "duration_min": _l("用时"),
}


class OutboxFileError(Exception):
    """The file as a whole cannot be imported; nothing was applied. Message for the admin."""


@dataclass
class PhotoOutcome:
    photo_id: str
    status: str  # CREATED, DUPLICATE or REJECTED
    message: str = ""


@dataclass
class RecordOutcome:
    record_id: str | None
    type: str | None
    occurred_at: datetime | None  # as the device said, aware
    status: str
    errors: dict = field(default_factory=dict)
    photos: list[PhotoOutcome] = field(default_factory=list)

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.type, self.type or _("未知"))

    def error_lines(self) -> list[str]:
        return [_("%(field)s：%(message)s", field=FIELD_LABELS.get(key, key), message=message)
                for key, messages in self.errors.items() for message in messages]


@dataclass
class OutboxReport:
    user: User
    device_id: str | None
    exported_at: datetime
    skew: timedelta
    records: list[RecordOutcome]

    @property
    def clock_corrected(self) -> bool:
        return self.skew != timedelta(0)

    def count(self, status: str) -> int:
        return sum(1 for r in self.records if r.status == status)

    def photo_count(self, status: str) -> int:
        return sum(1 for r in self.records for p in r.photos if p.status == status)


def read_outbox(raw: bytes) -> dict:
    """The file's JSON, checked for the shape above; OutboxFileError otherwise."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OutboxFileError(_("文件不是 UTF-8 编码的文本，无法读取。请上传设备导出的 .json 文件。")) from None
    try:
        body = json.loads(text)
    except json.JSONDecodeError as error:
        raise OutboxFileError(_("文件不是有效的 JSON（第 %(line)s 行第 %(col)s 列附近有错误），"
                                "可能在传输中被截断或改动。", line=error.lineno, col=error.colno)) from None
    fmt = body.get("format") if isinstance(body, dict) else None
    if isinstance(fmt, str) and fmt.startswith("fuxin-outbox/") and fmt != FORMAT:
        raise OutboxFileError(_("不支持的文件版本 %(version)s（本系统读取 %(format)s），请升级系统后再导入。",
                                version=fmt, format=FORMAT))
    if fmt != FORMAT:
        raise OutboxFileError(_("这不是福新外勤导出的未同步记录文件（应含 \"format\": \"%(format)s\"）。",
                                format=FORMAT))
    user = body.get("user")
    username = user.get("username") if isinstance(user, dict) else None
    if not isinstance(username, str) or not username.strip():
        raise OutboxFileError(_("文件中缺少记录人的用户名（user.username），无法确定这些记录属于谁。"))
    if not isinstance(body.get("records"), list):
        raise OutboxFileError(_("文件中缺少记录列表（records）。"))
    if parse_time(body.get("exported_at")) is None:
        raise OutboxFileError(_("文件中的导出时间（exported_at）缺失或格式无效。"))
    return body


def import_skew(exported_at: datetime, now: datetime | None = None) -> timedelta:
    """The clock error to correct the file's records by: server_now - exported_at, but only
    where that gap cannot be the time the file took to reach the admin.

    A sync's sent_at is seconds old when it arrives; a file's exported_at may be days old,
    and taking that gap as clock error would move every record forward by the delay. So the
    device's clock is trusted unless the file is dated in the future (the clock was ahead)
    or more than OUTBOX_MAX_AGE ago (a clock reset to 1980): then the correction assumes the
    file was exported just now, which is far nearer the truth, and keeps the original."""
    skew = (now or utcnow()) - to_utc_naive(exported_at)
    tolerance = current_app.config["CLOCK_SKEW_TOLERANCE"]
    if skew < -tolerance or skew > current_app.config["OUTBOX_MAX_AGE"]:
        return skew
    return timedelta(0)


def import_outbox(raw: bytes) -> OutboxReport:
    """Apply every record of the file as its owner, then its photos; OutboxFileError (with
    nothing applied) when the file or its owner is wrong."""
    body = read_outbox(raw)
    username = body["user"]["username"].strip()
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise OutboxFileError(_("系统中没有用户名为「%(username)s」的人员，未导入任何记录。"
                                "请确认文件来自本系统，或先在「人员与包片」中添加此人。", username=username))
    exported_at = parse_time(body["exported_at"])
    skew = import_skew(exported_at)
    device_id = str(body["device_id"])[:64] if body.get("device_id") else None
    records = body["records"]
    results = apply_records(user, records, skew, device_id, source=SOURCE_IMPORT)
    outcomes = [_outcome(user, record, result) for record, result in zip(records, results)]
    return OutboxReport(user=user, device_id=device_id, exported_at=exported_at, skew=skew,
                        records=outcomes)


def _outcome(user, record, result: dict) -> RecordOutcome:
    record = record if isinstance(record, dict) else {}
    outcome = RecordOutcome(record_id=result.get("id"), type=record.get("type"),
                            occurred_at=parse_time(record.get("occurred_at")),
                            status=result["status"], errors=result.get("errors") or {})
    photos = record.get("photos") or []
    if not isinstance(photos, list):
        photos = [photos]
    for photo in photos:
        if result["status"] in STORED:
            outcome.photos.append(_import_photo(user, result["id"], photo))
        else:
            photo_id = photo.get("id") if isinstance(photo, dict) else None
            outcome.photos.append(PhotoOutcome(str(photo_id or "?"), REJECTED, _("记录未导入，照片也未导入")))
    return outcome


def _import_photo(user, record_id: str, photo) -> PhotoOutcome:
    if not isinstance(photo, dict):
        return PhotoOutcome("?", REJECTED, _("照片格式无效"))
    photo_id = str(photo.get("id") or "?")
    data = photo.get("data")
    if not isinstance(data, str):
        return PhotoOutcome(photo_id, REJECTED, _("缺少照片数据"))
    if data.startswith("data:") and "," in data:  # a data: URL is base64 with a header
        data = data.split(",", 1)[1]
    try:
        content = base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        return PhotoOutcome(photo_id, REJECTED, _("照片数据不是有效的 base64"))
    try:
        result = save_photo_for(user, record_id, photo_id, photo.get("type"), content)
    except PhotoError as error:
        return PhotoOutcome(photo_id, REJECTED, error.message)
    except Exception:  # one photo the server failed on must not lose the rest of the file
        db.session.rollback()
        log.exception("outbox import: photo failed")
        return PhotoOutcome(photo_id, REJECTED, _("服务器处理此照片时出错，请稍后重新导入此文件"))
    return PhotoOutcome(result.photo.uuid, result.status)
