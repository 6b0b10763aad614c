"""What an import file holds, row by row, for places, people and households.

Each row goes through the same form class the admin's HTML form uses (so the rules and the
messages are the same), plus what only a file has: references by code, rows that
repeat each other, places defined a few rows earlier. `check` writes nothing and decides
each row's action; `apply` writes the checked rows without committing (the caller does)."""
import re
from dataclasses import dataclass, field
from typing import Callable

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..auth.models import ROLE_LABELS, TEAM_LABELS, User
from ..extensions import db
from ..i18n import join_list, zh
from ..places.models import PLACE_KINDS, SUBDISTRICT, Assignment, Household, Place
from ..rounds.models import CARE_TAGS
from ..rounds.services import parse_care_tags, replace_tags, tag_words, tags_of
from . import services
from .forms import HouseholdForm, PersonForm, PlaceForm, strip

NEW, UPDATE, SAME = "新增", "更新", "不变"
ACTION_LABELS = {NEW: _l("新增"), UPDATE: _l("更新"), SAME: _l("不变")}


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # lazy; its Chinese (zh(label)) is the header the template file has
    aliases: tuple = ()
    required: bool = False
    secret: bool = False  # never shown back (passwords)


@dataclass
class RowResult:
    number: int  # the row number in the spreadsheet; the header is row 1
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    action: str = ""
    data: dict = field(default_factory=dict)  # the cleaned values, ready to write

    def error(self, message: str) -> None:
        self.errors.append(_("第%(n)s行：%(message)s", n=self.number, message=message))


@dataclass
class ImportSpec:
    label: str
    columns: list[Column]
    check: Callable
    apply: Callable
    hints: list[str]  # shown beside the upload form: what the file needs besides its columns


def _form_errors(row: RowResult, form) -> None:
    for name, messages in form.errors.items():
        for message in messages:
            row.error(message)


def _compare(row: RowResult, now: dict, wanted: dict, labels: dict, private=()) -> None:
    """Decide 更新/不变 and say what changes, so a code that hits the wrong record shows."""
    changed = [k for k in now if now[k] != wanted[k]]
    for k in changed:
        if k in private:
            row.notes.append(_("%(label)s将修改", label=labels[k]))
        else:
            row.notes.append(_("%(label)s：%(old)s → %(new)s", label=labels[k], old=_shown(now[k]),
                               new=_shown(wanted[k])))
    row.action = UPDATE if changed or row.action == UPDATE else SAME


def _shown(value) -> str:
    if value is None or value == "":
        return _("（空）")
    if isinstance(value, bool):
        return _("启用") if value else _("停用")
    return str(value)


def _lookup(aliases: dict[str, str], text: str) -> str:
    """A code from a code or a Chinese label; unknown text is passed on for the form to refuse."""
    return aliases.get(text.strip().lower(), text.strip())


TRUE_WORDS = {"是", "启用", "有效", "1", "true", "yes", "y"}
FALSE_WORDS = {"否", "停用", "无效", "0", "false", "no", "n"}


# --- Places -------------------------------------------------------------------------------

PLACE_COLUMNS = [
    Column("code", _l("编码"), ("地点编码", "code"), required=True),
    Column("name", _l("名称"), ("地点名称", "name"), required=True),
    Column("kind", _l("类型"), ("地点类型", "kind", "type"), required=True),
    Column("parent_code", _l("上级编码"), ("上级地点编码", "parent_code", "parent")),
    Column("active", _l("启用"), ("状态", "active")),
]
# Files are written with the Chinese labels (or the codes), whatever language the admin reads.
KIND_ALIASES = {**{zh(label): code for code, label in PLACE_KINDS.items()}, **{c: c for c in PLACE_KINDS}}


class PlaceRowForm(PlaceForm):
    """A place as a file row: the code is its key; the parent comes by code (maybe from an
    earlier row), so the parent select and its check are the importer's own."""

    code = StringField(_l("编码"), filters=[strip], validators=[
        DataRequired(_l("请填写地点编码")), Length(max=32, message=_l("编码不能超过32个字符"))])
    parent_id = None
    active = None


def check_places(rows: list[RowResult], acting_user) -> None:
    codes = {r.values.get("code", "").strip() for r in rows} | {
        r.values.get("parent_code", "").strip() for r in rows}
    stored = {p.code: p for p in db.session.scalars(sa.select(Place).where(Place.code.in_(codes - {""})))}
    parent_ids = {p.parent_id for p in stored.values()} - {None}
    code_of = dict(db.session.execute(sa.select(Place.id, Place.code).where(Place.id.in_(parent_ids))).all())
    kind_in_file = {}
    for r in rows:
        kind_in_file.setdefault(r.values.get("code", "").strip(), _lookup(KIND_ALIASES, r.values.get("kind", "")))
    seen: dict[str, int] = {}
    for row in rows:
        v = row.values
        code, parent_code = v.get("code", "").strip(), v.get("parent_code", "").strip()
        kind = _lookup(KIND_ALIASES, v.get("kind", ""))
        existing = stored.get(code)
        form = PlaceRowForm(formdata=MultiDict({"name": v.get("name", ""), "kind": kind, "code": code}),
                            meta={"csrf": False}, place=existing)
        form.validate()
        _form_errors(row, form)
        if code and code in seen:
            row.error(_("编码 %(code)s 与第%(row)s行重复", code=code, row=seen[code]))
        active = _check_active(row, v.get("active", ""))
        if kind in PLACE_KINDS:
            _check_parent(row, code, kind, parent_code, seen, stored, kind_in_file)
        if code:
            seen.setdefault(code, row.number)
        row.data = {"code": code, "name": form.name.data, "kind": kind, "parent_code": parent_code or None,
                    "active": active}
        if existing is None:
            row.action = NEW
        else:
            now = {"name": existing.name, "kind": existing.kind_label,
                   "parent_code": code_of.get(existing.parent_id), "active": existing.active}
            wanted = {"name": row.data["name"], "kind": PLACE_KINDS.get(kind, kind),
                      "parent_code": row.data["parent_code"],
                      "active": existing.active if active is None else active}
            _compare(row, now, wanted, {"name": _("名称"), "kind": _("类型"), "parent_code": _("上级编码"),
                                        "active": _("状态")})


def _check_active(row: RowResult, text: str) -> bool | None:
    text = text.strip().lower()
    if not text:
        return None
    if text in TRUE_WORDS or text in FALSE_WORDS:
        return text in TRUE_WORDS
    row.error(_("启用列应填“是”或“否”，而不是 %(text)s", text=text))
    return None


def _check_parent(row, code, kind, parent_code, seen, stored, kind_in_file) -> None:
    if not parent_code:
        problem = services.parent_problem(kind, None)
        if problem:
            row.error(problem)
        return
    if parent_code == code:
        row.error(_("上级地点不能是它自己"))
        return
    if parent_code in seen or parent_code in stored:
        # The kind the parent will have once this file is in.
        parent_kind = kind_in_file[parent_code] if parent_code in kind_in_file else stored[parent_code].kind
        problem = services.parent_problem(kind, parent_kind) if parent_kind in PLACE_KINDS else None
        if problem:
            row.error(problem)
    elif parent_code in kind_in_file:
        row.error(_("上级地点编码 %(code)s 须在本行之前定义", code=parent_code))
    else:
        row.error(_("上级地点编码 %(code)s 不存在", code=parent_code))


def apply_places(rows: list[RowResult]) -> None:
    codes = {r.data["code"] for r in rows} | {r.data["parent_code"] for r in rows if r.data["parent_code"]}
    by_code = {p.code: p for p in db.session.scalars(sa.select(Place).where(Place.code.in_(codes)))}
    for row in rows:
        d = row.data
        place = by_code.get(d["code"]) or Place(active=True)
        parent = by_code.get(d["parent_code"]) if d["parent_code"] else None
        services.apply_place(place, name=d["name"], kind=d["kind"], parent_id=parent.id if parent else None,
                             code=d["code"], active=d["active"])
        db.session.add(place)
        db.session.flush()  # the next rows may hang under this one
        by_code[d["code"]] = place


# --- People -------------------------------------------------------------------------------

PEOPLE_COLUMNS = [
    Column("username", _l("用户名"), ("账号", "username", "login"), required=True),
    Column("name", _l("姓名"), ("name",), required=True),
    Column("role", _l("角色"), ("role",), required=True),
    Column("team", _l("队伍"), ("team",)),
    Column("phone", _l("电话"), ("手机", "手机号", "phone", "mobile")),
    Column("password", _l("初始密码"), ("密码", "password", "initial_password"), secret=True),
    Column("places", _l("包片地点编码"), ("包片地点", "包片", "place_codes", "places")),
]
ROLE_ALIASES = {**{zh(label).lower(): code for code, label in ROLE_LABELS.items()},
                **{code: code for code in ROLE_LABELS},
                "领导": "leader", "调度": "leader", "街道领导": "leader", "包村干部": "village_liaison",
                "包片干部": "village_liaison"}
TEAM_ALIASES = {**{zh(label): code for code, label in TEAM_LABELS.items()}, **{c: c for c in TEAM_LABELS},
                "包村干部": "village_liaison", "包片干部": "village_liaison"}
CODE_SPLIT = re.compile(r"[;；、,，\s]+")


class PersonRowForm(PersonForm):
    active = None  # an import never locks anyone out or lets a stopped account back in


def check_people(rows: list[RowResult], acting_user) -> None:
    names = {r.values.get("username", "").strip().lower() for r in rows}
    stored = {u.username.lower(): u for u in db.session.scalars(
        sa.select(User).where(sa.func.lower(User.username).in_(names - {""})))}
    wanted_codes = {c for r in rows for c in CODE_SPLIT.split(r.values.get("places", "")) if c}
    places = {p.code: p for p in db.session.scalars(sa.select(Place).where(Place.code.in_(wanted_codes)))}
    assigned: dict[int, set[int]] = {}
    for user_id, place_id in db.session.execute(sa.select(Assignment.user_id, Assignment.place_id).where(
            Assignment.user_id.in_([u.id for u in stored.values()]))).all():
        assigned.setdefault(user_id, set()).add(place_id)
    seen: dict[str, int] = {}
    for row in rows:
        v = row.values
        username = v.get("username", "").strip()
        existing = stored.get(username.lower())
        password = v.get("password", "")
        if existing is not None and password:
            row.notes.append(_("账号已存在，不修改密码"))
            password = ""
        role = _lookup(ROLE_ALIASES, v.get("role", ""))
        team = _lookup(TEAM_ALIASES, v.get("team", ""))
        form = PersonRowForm(formdata=MultiDict({
            "username": username, "name": v.get("name", ""), "role": role, "team": team,
            "phone": v.get("phone", ""), "password": password}),
            meta={"csrf": False}, person=existing, acting_user=acting_user)
        form.validate()
        _form_errors(row, form)
        if username and username.lower() in seen:
            row.error(_("用户名 %(username)s 与第%(row)s行重复", username=username, row=seen[username.lower()]))
        seen.setdefault(username.lower(), row.number)
        place_ids = []
        for code in dict.fromkeys(c for c in CODE_SPLIT.split(v.get("places", "")) if c):
            place = places.get(code)
            if place is None:
                row.error(_("包片地点编码 %(code)s 不存在", code=code))
            elif place.kind == SUBDISTRICT:
                row.error(_("包片地点 %(code)s 是街道，只能分配社区、村、网格或小区", code=code))
            elif not place.active:
                row.error(_("包片地点 %(code)s（%(name)s）已停用", code=code, name=place.name))
            else:
                place_ids.append(place.id)
        row.data = {**form.data, "password": password, "place_ids": place_ids}
        if existing is None:
            row.action = NEW
            continue
        row.data["username"] = existing.username  # matched ignoring case; keep how it is spelt
        added = [pid for pid in place_ids if pid not in assigned.get(existing.id, set())]
        if added:
            row.notes.append(_("新增包片：%(places)s",
                               places=join_list(p.name for p in places.values() if p.id in added)))
            row.action = UPDATE
        now = {"name": existing.name, "role": existing.role_label, "team": existing.team_label,
               "phone": existing.phone}
        wanted = {"name": row.data["name"], "role": ROLE_LABELS.get(role, role),
                  "team": TEAM_LABELS.get(services.team_for(role, team or None) or "", ""),
                  "phone": row.data["phone"] or None}
        _compare(row, now, wanted, {"name": _("姓名"), "role": _("角色"), "team": _("队伍"), "phone": _("电话")},
                 private=("phone",))


def apply_people(rows: list[RowResult]) -> None:
    names = [r.data["username"].lower() for r in rows]
    stored = {u.username.lower(): u for u in db.session.scalars(
        sa.select(User).where(sa.func.lower(User.username).in_(names)))}
    for row in rows:
        d = row.data
        person = stored.get(d["username"].lower())
        is_new = person is None
        person = services.apply_person(person or User(), d, password=d["password"] if is_new else None,
                                       active=True if is_new else None)
        db.session.add(person)
        db.session.flush()
        have = set() if is_new else set(db.session.scalars(
            sa.select(Assignment.place_id).where(Assignment.user_id == person.id)))
        for place_id in d["place_ids"]:
            if place_id not in have:
                db.session.add(Assignment(user_id=person.id, place_id=place_id))


# --- Households ---------------------------------------------------------------------------

HOUSEHOLD_COLUMNS = [
    Column("place_code", _l("地点编码"), ("地点", "place_code", "place"), required=True),
    Column("address", _l("地址"), ("门牌", "address"), required=True),
    Column("head_name", _l("户主"), ("户主姓名", "head_name", "head"), required=True),
    Column("phone", _l("电话"), ("手机", "联系电话", "phone")),
    Column("id_number", _l("身份证号"), ("身份证", "身份证号码", "id_number", "id_card")),
    Column("members", _l("人口"), ("人数", "家庭人口", "members")),
    Column("note", _l("备注"), ("note",)),
    # Empty leaves a household's care groups as they are; filled, they become exactly these.
    Column("care_tags", _l("重点人群"), ("重点人群类别", "care_tags")),
]
HOUSEHOLD_LABELS = {c.field: c.label for c in HOUSEHOLD_COLUMNS}
HOUSEHOLD_FIELDS = ("address", "head_name", "phone", "id_number", "members", "note")


def check_households(rows: list[RowResult], acting_user) -> None:
    codes = {r.values.get("place_code", "").strip() for r in rows}
    places = {p.code: p for p in db.session.scalars(sa.select(Place).where(Place.code.in_(codes - {""})))}
    stored = {(h.place_id, h.address): h for h in db.session.scalars(
        sa.select(Household).where(Household.place_id.in_([p.id for p in places.values()])))}
    seen: dict[tuple, int] = {}
    stored_tags = tags_of(h.id for h in stored.values())
    for row in rows:
        v = row.values
        code = v.get("place_code", "").strip()
        place = places.get(code)
        tags, unknown = parse_care_tags(v.get("care_tags", ""))
        if unknown:
            row.error(_("重点人群“%(words)s”无效，可填 %(allowed)s", words="、".join(unknown),
                        allowed=_zh_values(CARE_TAGS)))
        if not code:
            row.error(_("请填写地点编码"))
        elif place is None:
            row.error(_("地点编码 %(code)s 不存在", code=code))
        elif services.household_place_problem(place):
            row.error(services.household_place_problem(place))
        place_id = place.id if place is not None else None
        existing = stored.get((place_id, v.get("address", "").strip()))
        form = HouseholdForm(formdata=MultiDict({f: v.get(f, "") for f in HOUSEHOLD_FIELDS}),
                             meta={"csrf": False}, place_id=place_id or -1, household=existing)
        form.validate()
        _form_errors(row, form)
        key = (code, form.address.data)
        if form.address.data and key in seen:
            row.error(_("地点 %(code)s 的地址 %(address)s 与第%(row)s行重复", code=code, address=form.address.data,
                        row=seen[key]))
        seen.setdefault(key, row.number)
        row.data = {**{f: form.data[f] for f in HOUSEHOLD_FIELDS}, "place_id": place_id,
                    "care_tags": tags if v.get("care_tags", "").strip() else None}
        if existing is None:
            row.action = NEW
        else:
            now = {f: getattr(existing, f) for f in HOUSEHOLD_FIELDS}
            wanted = {f: (None if row.data[f] == "" else row.data[f]) for f in HOUSEHOLD_FIELDS}
            if row.data["care_tags"] is not None:
                now["care_tags"] = tag_words(stored_tags.get(existing.id, set()))
                wanted["care_tags"] = tag_words(tags)
            _compare(row, now, wanted, HOUSEHOLD_LABELS, private=("phone", "id_number"))


def apply_households(rows: list[RowResult]) -> None:
    place_ids = {r.data["place_id"] for r in rows}
    stored = {(h.place_id, h.address): h for h in db.session.scalars(
        sa.select(Household).where(Household.place_id.in_(place_ids)))}
    stored_tags = tags_of(h.id for h in stored.values())
    for row in rows:
        d = row.data
        household = stored.get((d["place_id"], d["address"])) or Household(place_id=d["place_id"])
        services.apply_household(household, d)
        db.session.add(household)
        stored[(d["place_id"], d["address"])] = household
        if d.get("care_tags") is not None:
            replace_tags(household, d["care_tags"], stored_tags.pop(household.id, set()) if household.id else set())

def _zh_values(labels: dict) -> str:
    """The Chinese labels a file may use, as the hints list them in every language."""
    return "、".join(zh(label) for label in labels.values())


SPECS = {
    "places": ImportSpec(_l("地点"), PLACE_COLUMNS, check_places, apply_places, [
        _l("类型填 %(kinds)s（或英文代码）", kinds=_zh_values(PLACE_KINDS)),
        _l("上级编码可以引用本文件前面行中的地点"), _l("启用填 是/否；不填则新地点启用、已有地点不变")]),
    "people": ImportSpec(_l("人员"), PEOPLE_COLUMNS, check_people, apply_people, [
        _l("角色填 %(roles)s", roles=_zh_values(ROLE_LABELS)),
        _l("队伍填 %(teams)s；外勤人员不填则按角色", teams=_zh_values(TEAM_LABELS)),
        _l("包片地点编码可填多个，用 ; 或 、 分隔；只会新增，不会取消已有包片"),
        _l("初始密码只用于新账号，至少10位，不能是常见密码；已有账号不改密码，也不改启用状态")]),
    "households": ImportSpec(_l("户"), HOUSEHOLD_COLUMNS, check_households, apply_households, [
        _l("地点编码为社区、村、网格或小区的编码"),
        _l("同一地点下地址相同的户视为同一户，会更新而不是重复添加"),
        _l("身份证号请以文本格式填写，避免 Excel 改成科学计数法"),
        _l("重点人群填 %(tags)s，可填多个，用 ; 或 、 分隔；不填则不变", tags=_zh_values(CARE_TAGS))]),
}
