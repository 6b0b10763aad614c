"""The admin's rule sets. The HTML forms and the importer validate with the same classes
(the importer feeds each row in as form data), so a row that would be refused in the form
is refused in the file with the same Chinese message."""
import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..auth.models import ADMIN, FIELD_ROLES, ROLE_LABELS, ROLES, TEAM_LABELS, User
from ..extensions import db
from ..field.forms import int_or_none
from ..field.models import TaskKind
from ..places.models import PLACE_KINDS, Household, Place
from . import services

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|(0\d{2,3}-?)?\d{7,8})$")
ID_NUMBER_RE = re.compile(r"^(\d{17}[\dX]|\d{15})$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")
TASK_KIND_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
PASSWORD_MIN = 8


def strip(value):
    return value.strip() if isinstance(value, str) else value


def normalise_phone(value):
    """Spaces and the +86 prefix are how people write numbers, not part of them."""
    if not isinstance(value, str):
        return value
    value = re.sub(r"\s+", "", value)
    return value[3:] if value.startswith("+86") else value


def upper_id(value):
    return re.sub(r"\s+", "", value).upper() if isinstance(value, str) else value


def check_phone(form, field):
    if field.data and not PHONE_RE.match(field.data):
        raise ValidationError(f"电话号码 {field.data} 格式不正确（手机11位，或座机如 0535-6681234）")


class PlaceForm(FlaskForm):
    name = StringField("名称", filters=[strip], validators=[
        DataRequired("请填写地点名称"), Length(max=100, message="地点名称不能超过100字")])
    kind = SelectField("类型", choices=dict(PLACE_KINDS), validate_choice=False)
    parent_id = SelectField("上级地点", coerce=int_or_none, validate_choice=False)
    code = StringField("编码", filters=[strip], validators=[
        Optional(), Length(max=32, message="编码不能超过32个字符")])
    active = BooleanField("启用", default=True)

    def __init__(self, *args, place: Place | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.place = place

    def validate_kind(self, field):
        if field.data not in PLACE_KINDS:
            raise ValidationError(f"未知的地点类型：{field.data or '（空）'}")
        problem = services.kind_change_problem(self.place, field.data)
        if problem:
            raise ValidationError(problem)

    def validate_parent_id(self, field):
        parent = db.session.get(Place, field.data) if field.data is not None else None
        if field.data is not None and parent is None:
            raise ValidationError("上级地点不存在")
        if parent is not None and self.place is not None and parent.id == self.place.id:
            raise ValidationError("上级地点不能是它自己")
        if self.kind.data in PLACE_KINDS:
            problem = services.parent_problem(self.kind.data, parent.kind if parent else None)
            if problem:
                raise ValidationError(problem)

    def validate_code(self, field):
        if field.data and services.code_taken(field.data, self.place):
            raise ValidationError(f"编码 {field.data} 已被其他地点使用")


class HouseholdForm(FlaskForm):
    address = StringField("地址", filters=[strip], validators=[
        DataRequired("请填写地址"), Length(max=200, message="地址不能超过200字")])
    head_name = StringField("户主", filters=[strip], validators=[
        DataRequired("请填写户主姓名"), Length(max=64, message="户主姓名不能超过64字")])
    phone = StringField("电话", filters=[normalise_phone], validators=[Optional(), check_phone])
    id_number = StringField("身份证号", filters=[upper_id], validators=[Optional()])
    members = IntegerField("人口", validators=[
        Optional(), NumberRange(1, 99, "人口应在 1 到 99 之间")])
    note = TextAreaField("备注", filters=[strip], validators=[
        Optional(), Length(max=500, message="备注不能超过500字")])

    def __init__(self, *args, place_id: int, household: Household | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.place_id, self.household = place_id, household

    def validate_members(self, field):
        if field.raw_data and field.raw_data[0] not in ("", None) and field.data is None:
            raise ValidationError(f"人口应为数字：{field.raw_data[0]}")

    def validate_id_number(self, field):
        if field.data and not ID_NUMBER_RE.match(field.data):
            raise ValidationError(f"身份证号 {field.data} 格式不正确（应为18位）")

    def validate_address(self, field):
        if field.data and services.household_address_taken(self.place_id, field.data, self.household):
            raise ValidationError(f"该地点已有地址为 {field.data} 的户")


class PersonForm(FlaskForm):
    username = StringField("用户名", filters=[strip], validators=[DataRequired("请填写用户名")])
    name = StringField("姓名", filters=[strip], validators=[
        DataRequired("请填写姓名"), Length(max=64, message="姓名不能超过64字")])
    role = SelectField("角色", choices={code: ROLE_LABELS[code] for code in ROLES}, validate_choice=False)
    team = SelectField("队伍", choices={"": "无", **TEAM_LABELS}, validate_choice=False)
    phone = StringField("电话", filters=[normalise_phone], validators=[Optional(), check_phone])
    active = BooleanField("启用（可登录）", default=True)
    password = PasswordField("密码")

    def __init__(self, *args, person: User | None = None, acting_user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person, self.acting_user = person, acting_user

    @property
    def is_self(self) -> bool:
        return self.person is not None and self.acting_user is not None and self.person.id == self.acting_user.id

    def validate_username(self, field):
        if not USERNAME_RE.match(field.data):
            raise ValidationError("用户名只能用字母、数字、下划线、点或横线，2到64位")
        if services.username_taken(field.data, self.person):
            raise ValidationError(f"用户名 {field.data} 已被使用")

    def validate_role(self, field):
        if field.data not in ROLES:
            raise ValidationError(f"未知的角色：{field.data or '（空）'}")
        if self.is_self and self.person.role == ADMIN and field.data != ADMIN:
            raise ValidationError("不能取消自己的管理员角色")

    def validate_team(self, field):
        if field.data and field.data not in TEAM_LABELS:
            raise ValidationError(f"未知的队伍：{field.data}")
        if field.data and self.role.data not in FIELD_ROLES:
            raise ValidationError("只有外勤人员属于队伍")

    def validate_active(self, field):
        if self.is_self and not field.data:
            raise ValidationError("不能停用自己的账号")

    def validate_password(self, field):
        if not field.data:
            if self.person is None:
                raise ValidationError("请设置初始密码")
            return  # blank on edit: keep the old one
        if not PASSWORD_MIN <= len(field.data) <= 128:
            raise ValidationError(f"密码至少{PASSWORD_MIN}位")


class AssignmentForm(FlaskForm):
    place_id = SelectField("包片地点", coerce=int_or_none, validate_choice=False)

    def validate_place_id(self, field):
        place = db.session.get(Place, field.data) if field.data is not None else None
        if place is None:
            raise ValidationError("请选择地点")
        if not place.active or place.kind == "subdistrict":
            raise ValidationError("只能分配启用的社区、村、网格或小区")


class TaskKindForm(FlaskForm):
    code = StringField("代码", filters=[strip], validators=[DataRequired("请填写代码")])
    label = StringField("中文名称", filters=[strip], validators=[
        DataRequired("请填写中文名称"), Length(max=32, message="中文名称不能超过32字")])
    label_en = StringField("英文名称", filters=[strip], validators=[
        Optional(), Length(max=64, message="英文名称不能超过64个字符")])
    sort = IntegerField("排序", default=100, validators=[
        Optional(), NumberRange(0, 9999, "排序应在 0 到 9999 之间")])
    active = BooleanField("启用", default=True)

    def __init__(self, *args, task_kind: TaskKind | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.task_kind = task_kind
        if task_kind is not None:
            # Devices and old records refer to a kind by its code: it never changes.
            self.code.render_kw = {"readonly": True}

    def validate_code(self, field):
        if self.task_kind is not None:
            field.data = self.task_kind.code
            return
        if not TASK_KIND_CODE_RE.match(field.data):
            raise ValidationError("代码只能用小写字母、数字和下划线，以字母开头，2到32位")
        if services.task_kind_code_taken(field.data):
            raise ValidationError(f"代码 {field.data} 已存在")


class OutboxImportForm(FlaskForm):
    file = FileField("未同步记录文件（.json）", validators=[
        FileRequired("请选择设备导出的未同步记录文件"),
        FileAllowed(["json"], "只支持设备导出的 .json 文件")])


class ImportForm(FlaskForm):
    file = FileField("文件（CSV 或 XLSX）", validators=[
        FileRequired("请选择要导入的文件"),
        FileAllowed(["csv", "xlsx"], "只支持 CSV 或 XLSX 文件")])
