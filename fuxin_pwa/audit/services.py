"""Reading the audit log: an object's history, the admin's filtered list, the CSV rows.

An object's history is one query (the actor joined in), a page of the list two; the labels
come from the registry."""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ..auth.models import User
from ..extensions import db
from ..timeutil import local_day_bounds_utc
from ..web import local_time, paginate
from .models import CREATE, DELETE, SECRET, UPDATE, AuditEntry
from .registry import BY_KEY, spec_for

HISTORY_LIMIT = 30
SYSTEM = "system"  # the actor filter's value for changes made with no one logged in

SYSTEM_LABEL = _l("系统")
ACTION_LABELS = {CREATE: _l("新建"), UPDATE: _l("修改"), DELETE: _l("删除")}

# A field's name as people read it; a field not named here is shown by its code.
FIELD_LABELS = {
    "name": _l("名称"), "username": _l("用户名"), "role": _l("角色"), "team": _l("队伍"), "phone": _l("电话"),
    "active": _l("启用"), "password_hash": _l("密码"), "session_token": _l("登录会话"),
    "must_change_password": _l("需修改密码"), "kind": _l("类型"), "code": _l("代码"), "parent_id": _l("上级地点"),
    "place_id": _l("地点"), "user_id": _l("人员"), "address": _l("地址"), "head_name": _l("户主"),
    "id_number": _l("身份证号"), "members": _l("人口"), "note": _l("备注"), "household_id": _l("户"),
    "title": _l("事项"), "plan": _l("方案"), "status": _l("状态"), "owner_id": _l("负责人"),
    "created_by_id": _l("立案人"), "category_id": _l("类别"), "resident_name": _l("居民姓名"),
    "resident_phone": _l("联系电话"), "description": _l("诉求内容"), "assignee_id": _l("承办人"),
    "assignee_team": _l("承办队伍"), "referred_to": _l("转办至"), "close_note": _l("办结说明"),
    "closed_at": _l("办结时间"), "label": _l("名称"), "label_en": _l("英文名称"), "sort": _l("排序"),
    "deadline_days": _l("办理时限"), "area": _l("范围"), "started_at": _l("开始时间"), "ended_at": _l("结束时间"),
    "incident_id": _l("事件"), "post_id": _l("岗位"), "group_id": _l("分组"), "state": _l("状态"),
    "lat": _l("纬度"), "lon": _l("经度"),
}
FIELD_LABELS_OF = {("user", "name"): _l("姓名"), ("case", "opened_at"): _l("立案时间")}


@dataclass
class Change:
    field: str
    label: object
    before: object
    after: object

    @property
    def secret(self) -> bool:
        return self.after == SECRET


@dataclass
class EntryRow:
    """One entry as pages and the CSV show it."""

    entry: AuditEntry
    type_label: object
    link: str | None
    changes: list[Change] = field(default_factory=list)

    @property
    def action_label(self):
        return ACTION_LABELS.get(self.entry.action, self.entry.action)

    @property
    def actor_name(self) -> str | None:
        return self.entry.actor.name if self.entry.actor else None


def object_link(object_type: str, object_id: int, parent_type: str | None = None, parent_id: int | None = None):
    """The page of the object, or of what it belongs to (an assignment: its person)."""
    for key, ident in ((object_type, object_id), (parent_type, parent_id)):
        spec = BY_KEY.get(key or "")
        if spec is not None and spec.page and ident is not None:
            endpoint, arg = spec.page
            return url_for(endpoint, **{arg: ident})
    return None


def _row(entry: AuditEntry) -> EntryRow:
    spec = BY_KEY.get(entry.object_type)
    changes = [Change(key, FIELD_LABELS_OF.get((entry.object_type, key)) or FIELD_LABELS.get(key, key), *pair)
               for key, pair in (entry.changes or {}).items()]
    return EntryRow(entry, spec.label if spec else entry.object_type,
                    object_link(entry.object_type, entry.object_id, entry.parent_type, entry.parent_id), changes)


def type_of(obj) -> str | None:
    """The object's type in the log ("request", "household"), None when it is not audited."""
    spec = spec_for(obj)
    return spec.key if spec else None


def _of_object(key: str, object_id: int):
    """The object's own entries and its parts'."""
    return sa.or_(sa.and_(AuditEntry.object_type == key, AuditEntry.object_id == object_id),
                  sa.and_(AuditEntry.parent_type == key, AuditEntry.parent_id == object_id))


def history_of(obj, limit: int = HISTORY_LIMIT) -> list[EntryRow]:
    """The latest changes to `obj` and to its parts (a person's assignments, an incident's
    posts), newest first; [] for an object that is not audited."""
    spec = spec_for(obj)
    if spec is None or obj.id is None:
        return []
    stmt = (sa.select(AuditEntry).options(joinedload(AuditEntry.actor))
            .where(_of_object(spec.key, obj.id))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))
    return [_row(e) for e in db.session.scalars(stmt)]


@dataclass
class AuditFilter:
    actor: str = ""          # a user id, SYSTEM, or "" for anyone
    object_type: str = ""
    object_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def _where(f: AuditFilter) -> list:
    where = []
    if f.actor == SYSTEM:
        where.append(AuditEntry.actor_id.is_(None))
    elif f.actor.isdigit():
        where.append(AuditEntry.actor_id == int(f.actor))
    if f.object_type in BY_KEY:
        if f.object_id is not None:  # one object's history, its parts included
            where.append(_of_object(f.object_type, f.object_id))
        else:
            where.append(AuditEntry.object_type == f.object_type)
    if f.date_from:
        where.append(AuditEntry.at >= local_day_bounds_utc(f.date_from, f.date_from)[0])
    if f.date_to:
        where.append(AuditEntry.at < local_day_bounds_utc(f.date_to, f.date_to)[1])
    return where


def entries_statement(f: AuditFilter):
    return (sa.select(AuditEntry).options(joinedload(AuditEntry.actor)).where(*_where(f))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))


def entries_page(f: AuditFilter, page: int, per_page: int):
    count = sa.select(sa.func.count()).select_from(AuditEntry).where(*_where(f))
    result = paginate(db.session, entries_statement(f), count, page, per_page)
    result.items = [_row(e) for e in result.items]
    return result


def actor_choices() -> list[tuple[str, str]]:
    """Everyone who logs in, by name: the person filter's options."""
    return [(str(uid), name) for uid, name in db.session.execute(sa.select(User.id, User.name).order_by(User.name))]


def type_choices() -> list[tuple[str, object]]:
    return [(key, spec.label) for key, spec in BY_KEY.items()]


def csv_rows(f: AuditFilter, chunk: int = 500):
    """One row per changed field, oldest change last, read `chunk` entries at a time."""
    stmt = entries_statement(f).execution_options(yield_per=chunk)
    for entry in db.session.scalars(stmt):
        row = _row(entry)
        base = [local_time(entry.at, "%Y-%m-%d %H:%M:%S"), row.actor_name or str(SYSTEM_LABEL),
                str(row.type_label), entry.object_id, str(row.action_label)]
        if not row.changes:
            yield base + ["", "", "", entry.path or ""]
        for c in row.changes:
            yield base + [str(c.label), _cell(c.before), _cell(c.after), entry.path or ""]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
