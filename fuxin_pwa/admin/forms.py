"""The admin's rule sets. The HTML forms and the importer validate with the same classes
(the importer feeds each row in as form data), so a row that would be refused in the form
is refused in the file with the same message."""
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..auth.models import ADMIN, FIELD_ROLES, ROLE_LABELS, ROLES, TEAM_LABELS, User
from ..auth.passwords import password_problem
from ..extensions import db
from ..field.forms import int_or_none
from ..field.models import TaskKind
from ..phones import check_phone, normalise_phone
from ..places.models import PLACE_KINDS, SUBDISTRICT, Household, Place
from . import services

ID_NUMBER_RE = re.compile(r"^(\d{17}[\dX]|\d{15})$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")
TASK_KIND_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


def strip(value):
    return value.strip() if isinstance(value, str) else value


def upper_id(value):
    return re.sub(r"\s+", "", value).upper() if isinstance(value, str) else value


class PlaceForm(FlaskForm):
    name = StringField(_l("名称"), filters=[strip], validators=[
        DataRequired(_l("请填写地点名称")), Length(max=100, message=_l("地点名称不能超过100字"))])
    kind = SelectField(_l("类型"), validate_choice=False)
    parent_id = SelectField(_l("上级地点"), coerce=int_or_none, validate_choice=False)
    code = StringField(_l("编码"), filters=[strip], validators=[
        Optional(), Length(max=32, message=_l("编码不能超过32个字符"))])
    active = BooleanField(_l("启用"), default=True)

    def __init__(self, *args, place: Place | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.place = place
        # Set here, not in the field: WTForms 3.3 deprecates dicts and tuples in `choices=`.
        self.kind.choices = list(PLACE_KINDS.items())

    def validate_kind(self, field):
        if field.data not in PLACE_KINDS:
            raise ValidationError(_("未知的地点类型：%(kind)s", kind=field.data or _("（空）")))
        problem = services.kind_change_problem(self.place, field.data)
        if problem:
            raise ValidationError(problem)

    def validate_parent_id(self, field):
        parent = db.session.get(Place, field.data) if field.data is not None else None
        if field.data is not None and parent is None:
            raise ValidationError(_("上级地点不存在"))
        if parent is not None and self.place is not None and parent.id == self.place.id:
            raise ValidationError(_("上级地点不能是它自己"))
        if self.kind.data in PLACE_KINDS:
            problem = services.parent_problem(self.kind.data, parent.kind if parent else None)
            if problem:
                raise ValidationError(problem)

    def validate_code(self, field):
        if field.data and services.code_taken(field.data, self.place):
            raise ValidationError(_("编码 %(code)s 已被其他地点使用", code=field.data))


class HouseholdForm(FlaskForm):
    address = StringField(_l("地址"), filters=[strip], validators=[
        DataRequired(_l("请填写地址")), Length(max=200, message=_l("地址不能超过200字"))])
    head_name = StringField(_l("户主"), filters=[strip], validators=[
        DataRequired(_l("请填写户主姓名")), Length(max=64, message=_l("户主姓名不能超过64字"))])
    phone = StringField(_l("电话"), filters=[normalise_phone], validators=[Optional(), check_phone])
    id_number = StringField(_l("身份证号"), filters=[upper_id], validators=[Optional()])
    members = IntegerField(_l("人口"), validators=[
        Optional(), NumberRange(1, 99, _l("人口应在 1 到 99 之间"))])
    note = TextAreaField(_l("备注"), filters=[strip], validators=[
        Optional(), Length(max=500, message=_l("备注不能超过%(n)s字", n=500))])

    def __init__(self, *args, place_id: int, household: Household | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.place_id, self.household = place_id, household

    def validate_members(self, field):
        if field.raw_data and field.raw_data[0] not in ("", None) and field.data is None:
            raise ValidationError(_("人口应为数字：%(value)s", value=field.raw_data[0]))

    def validate_id_number(self, field):
        if field.data and not ID_NUMBER_RE.match(field.data):
            raise ValidationError(_("身份证号 %(value)s 格式不正确（应为18位）", value=field.data))

    def validate_address(self, field):
        if field.data and services.household_address_taken(self.place_id, field.data, self.household):
            raise ValidationError(_("该地点已有地址为 %(address)s 的户", address=field.data))


class PersonForm(FlaskForm):
    username = StringField(_l("用户名"), filters=[strip], validators=[DataRequired(_l("请填写用户名"))])
    name = StringField(_l("姓名"), filters=[strip], validators=[
        DataRequired(_l("请填写姓名")), Length(max=64, message=_l("姓名不能超过64字"))])
    role = SelectField(_l("角色"), validate_choice=False)
    team = SelectField(_l("队伍"), validate_choice=False)
    phone = StringField(_l("电话"), filters=[normalise_phone], validators=[Optional(), check_phone])
    active = BooleanField(_l("启用（可登录）"), default=True)
    password = PasswordField(_l("密码"))

    def __init__(self, *args, person: User | None = None, acting_user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person, self.acting_user = person, acting_user
        self.role.choices = [(code, ROLE_LABELS[code]) for code in ROLES]
        self.team.choices = [("", _("无"))] + list(TEAM_LABELS.items())

    @property
    def is_self(self) -> bool:
        return self.person is not None and self.acting_user is not None and self.person.id == self.acting_user.id

    def validate_username(self, field):
        if not USERNAME_RE.match(field.data):
            raise ValidationError(_("用户名只能用字母、数字、下划线、点或横线，2到64位"))
        if services.username_taken(field.data, self.person):
            raise ValidationError(_("用户名 %(username)s 已被使用", username=field.data))

    def validate_role(self, field):
        if field.data not in ROLES:
            raise ValidationError(_("未知的角色：%(role)s", role=field.data or _("（空）")))
        if self.is_self and self.person.role == ADMIN and field.data != ADMIN:
            raise ValidationError(_("不能取消自己的管理员角色"))

    def validate_team(self, field):
        if field.data and field.data not in TEAM_LABELS:
            raise ValidationError(_("未知的队伍：%(team)s", team=field.data))
        if field.data and self.role.data not in FIELD_ROLES:
            raise ValidationError(_("只有外勤人员属于队伍"))

    def validate_active(self, field):
        if self.is_self and not field.data:
            raise ValidationError(_("不能停用自己的账号"))

    def validate_password(self, field):
        if not field.data:
            if self.person is None:
                raise ValidationError(_("请设置初始密码"))
            return  # blank on edit: keep the old one
        problem = password_problem(field.data)
        if problem:
            raise ValidationError(problem)


class AssignmentForm(FlaskForm):
    place_id = SelectField(_l("包片地点"), coerce=int_or_none, validate_choice=False)

    def validate_place_id(self, field):
        place = db.session.get(Place, field.data) if field.data is not None else None
        if place is None:
            raise ValidationError(_("请选择地点"))
        if not place.active or place.kind == SUBDISTRICT:
            raise ValidationError(_("只能分配启用的社区、村、网格或小区"))


class TaskKindForm(FlaskForm):
    code = StringField(_l("代码"), filters=[strip], validators=[DataRequired(_l("请填写代码"))])
    label = StringField(_l("中文名称"), filters=[strip], validators=[
        DataRequired(_l("请填写中文名称")), Length(max=32, message=_l("中文名称不能超过32字"))])
    label_en = StringField(_l("英文名称"), filters=[strip], validators=[
        Optional(), Length(max=64, message=_l("英文名称不能超过64个字符"))])
    sort = IntegerField(_l("排序"), default=100, validators=[
        Optional(), NumberRange(0, 9999, _l("排序应在 0 到 9999 之间"))])
    active = BooleanField(_l("启用"), default=True)

    def __init__(self, *args, task_kind=None, model=TaskKind, **kwargs):
        super().__init__(*args, **kwargs)
        self.task_kind = task_kind
        self.model = model  # the coded list this entry belongs to: task kinds, or services
        if task_kind is not None:
            # Devices and old records refer to a kind by its code: it never changes.
            self.code.render_kw = {"readonly": True}

    def validate_code(self, field):
        if self.task_kind is not None:
            field.data = self.task_kind.code
            return
        if not TASK_KIND_CODE_RE.match(field.data):
            raise ValidationError(_("代码只能用小写字母、数字和下划线，以字母开头，2到32位"))
        if services.kind_code_taken(field.data, self.model):
            raise ValidationError(_("代码 %(code)s 已存在", code=field.data))


class OutboxImportForm(FlaskForm):
    file = FileField(_l("未同步记录文件（.json）"), validators=[
        FileRequired(_l("请选择设备导出的未同步记录文件")),
        FileAllowed(["json"], _l("只支持设备导出的 .json 文件"))])


class ImportForm(FlaskForm):
    file = FileField(_l("文件（CSV 或 XLSX）"), validators=[
        FileRequired(_l("请选择要导入的文件")),
        FileAllowed(["csv", "xlsx"], _l("只支持 CSV 或 XLSX 文件"))])
