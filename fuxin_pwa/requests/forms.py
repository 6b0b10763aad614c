"""The rule sets of resident requests. RequestForm and RequestUpdateForm validate the online
pages and the synced records (`request`, `request_update`) alike: one rule set, two doors."""
import re

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SearchField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..auth.models import TEAM_LABELS, User
from ..extensions import db
from ..field.forms import FieldRecordForm, int_or_none, named_household
from ..phones import check_phone, normalise_phone
from ..places.services import with_descendants
from .access import may_answer_resident, may_assign, may_see_request, was_assigned_to
from .models import (ASSIGN, CALLBACK, CANNOT_RESOLVE, CLOSE, CLOSED_STATUSES, REFERRED, REOPEN,
                     REQUEST_ACTIONS, REQUEST_STATUSES, SATISFACTION, RequestCategory, ResidentRequest)

NAME_MAX = 64
DESCRIPTION_MAX = 2000
NOTE_MAX = 500
REFERRED_MAX = 200
CATEGORY_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")

OPEN = "open"        # list filters beside the statuses: not yet closed,
OVERDUE = "overdue"  # and not closed past the due time


def strip(value):
    return value.strip() if isinstance(value, str) else value


class RequestForm(FieldRecordForm):
    """A resident's request, raised at the centre or in the field (record type `request`)."""

    resident_name = StringField(_l("居民姓名"), filters=[strip], validators=[
        DataRequired(_l("请填写居民姓名")), Length(max=NAME_MAX, message=_l("姓名不能超过%(n)s字", n=NAME_MAX))])
    resident_phone = StringField(_l("联系电话（可选）"), filters=[normalise_phone], validators=[Optional(), check_phone])
    household_id = SelectField(_l("户（可选）"), coerce=int_or_none, validate_choice=False)
    category = SelectField(_l("诉求类别"), validate_choice=False)
    description = TextAreaField(_l("诉求内容"), filters=[strip], validators=[
        DataRequired(_l("请填写诉求内容")),
        Length(max=DESCRIPTION_MAX, message=_l("诉求内容不能超过%(n)s字", n=DESCRIPTION_MAX))])

    def validate_household_id(self, field):
        household = named_household(self.user, field)
        if household is not None and self.place_id.data is not None and household.place_id not in with_descendants({self.place_id.data}):
            raise ValidationError(_("该户不在所选地点"))

    # Raised at a service day's tablet from a conversation there (the tally page's link).
    service_day_id = HiddenField(filters=[int_or_none])

    def linked_service_day(self):
        from ..service_days.models import ServiceDay  # service days build on requests' pages
        from ..service_days.services import reaches

        day = db.session.get(ServiceDay, self.service_day_id.data) if self.service_day_id.data else None
        return day if day is not None and reaches(self.user, day) else None

    def validate_service_day_id(self, field):
        if field.data is None:
            if field.raw_data and field.raw_data[0] not in ("", None):
                raise ValidationError(_("服务日不存在或不在您的范围内"))
            return
        if self.linked_service_day() is None:
            raise ValidationError(_("服务日不存在或不在您的范围内"))

    def place_allowed_by_link(self, place_id: int) -> bool:
        """Staff on a service day take requests at its place, even one they do not cover."""
        day = self.linked_service_day()
        return day is not None and place_id in with_descendants({day.place_id})

    def validate_category(self, field):
        if not field.data:
            raise ValidationError(_("请选择诉求类别"))
        category = db.session.scalar(sa.select(RequestCategory).where(RequestCategory.code == field.data,
                                                                      RequestCategory.active))
        if category is None:
            raise ValidationError(_("未知的诉求类别"))
        self.category_obj = category


class RequestUpdateForm(FlaskForm):
    """A change to a request (record type `request_update`): which request, what action, and
    the version the person saw. What the current state allows is decided by the service,
    after it knows whether the change is stale; this form checks what never depends on it."""

    record_id = HiddenField()
    request_id = HiddenField(_l("诉求"), filters=[int_or_none])
    action = HiddenField(_l("操作"))
    base_version = HiddenField(_l("版本"), filters=[int_or_none])
    assignee_id = SelectField(_l("派给人员"), coerce=int_or_none, validate_choice=False)
    assignee_team = SelectField(_l("或派给队伍"), validate_choice=False)
    to_status = SelectField(_l("办结结果"), validate_choice=False)
    # No Optional() on these two: it would stop the chain before the rules that require them.
    referred_to = StringField(_l("转办至"), filters=[strip], validators=[
        Length(max=REFERRED_MAX, message=_l("转办单位不能超过%(n)s字", n=REFERRED_MAX))])
    satisfaction = SelectField(_l("群众满意度"), validate_choice=False)
    note = TextAreaField(_l("说明"), filters=[strip], validators=[
        Length(max=NOTE_MAX, message=_l("说明不能超过%(n)s字", n=NOTE_MAX))])

    def __init__(self, *args, user, occurred_at=None, **kwargs):  # the sync hands every record's form its time
        super().__init__(*args, **kwargs)
        self.user = user
        self.request_obj = None
        # Choices are set here, not in the fields: WTForms 3.3 deprecates tuples in `choices=`.
        self.assignee_team.choices = [("", _("不派给队伍"))] + list(TEAM_LABELS.items())
        self.to_status.choices = [("", _("请选择"))] + [(s, REQUEST_STATUSES[s]) for s in CLOSED_STATUSES]
        self.satisfaction.choices = [("", _("请选择"))] + list(SATISFACTION.items())
        self.assignee_id.choices = [("", _("请选择"))]

    def record_data(self) -> dict:
        return {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", "record_id")}

    # Fields are validated in the order they are declared: the request comes first.
    def validate_request_id(self, field):
        if field.data is None:
            raise ValidationError(_("诉求不存在"))
        request = db.session.get(ResidentRequest, field.data)
        if not may_see_request(self.user, request) and not (request and was_assigned_to(self.user, request)):
            raise ValidationError(_("诉求不存在或不在您的范围内"))
        self.request_obj = request

    def validate_action(self, field):
        if field.data not in REQUEST_ACTIONS:
            raise ValidationError(_("未知的操作"))
        if field.data == ASSIGN and not may_assign(self.user):
            raise ValidationError(_("只有街道领导或管理员可以派单"))
        if field.data in (REOPEN, CALLBACK) and self.request_obj is not None \
                and not may_answer_resident(self.user, self.request_obj):
            raise ValidationError(_("只有街道领导或登记人可以重新打开或回访"))

    def validate_base_version(self, field):
        if field.data is None or field.data < 1:
            raise ValidationError(_("缺少版本号，请刷新页面后重试"))

    def validate_assignee_id(self, field):
        if self.action.data != ASSIGN:
            return
        if (field.data is None) == (not self.assignee_team.data):
            raise ValidationError(_("请选择派给一位人员或一支队伍（二选一）"))
        if field.data is not None:
            person = db.session.get(User, field.data)
            if person is None or not person.active:
                raise ValidationError(_("承办人不存在或已停用"))

    def validate_assignee_team(self, field):
        if self.action.data == ASSIGN and field.data and field.data not in TEAM_LABELS:
            raise ValidationError(_("未知的队伍"))

    def validate_to_status(self, field):
        if self.action.data == CLOSE and field.data not in CLOSED_STATUSES:
            raise ValidationError(_("请选择办结结果"))

    def validate_referred_to(self, field):
        if self.action.data == CLOSE and self.to_status.data == REFERRED and not field.data:
            raise ValidationError(_("转办须写明转给哪个单位或部门"))

    def validate_satisfaction(self, field):
        if self.action.data == CALLBACK and field.data not in SATISFACTION:
            raise ValidationError(_("请选择群众满意度"))

    def validate_note(self, field):
        if self.action.data == CLOSE and self.to_status.data == CANNOT_RESOLVE and not field.data:
            raise ValidationError(_("无法办理须说明原因"))

    def change_data(self) -> dict:
        """The fields the service reads, as values."""
        return {"to_status": self.to_status.data or None, "assignee_id": self.assignee_id.data,
                "assignee_team": self.assignee_team.data or None, "referred_to": self.referred_to.data or None,
                "note": self.note.data or None, "satisfaction": self.satisfaction.data or None}


class RequestFilterForm(FlaskForm):
    """The board's GET filters; no CSRF (it changes nothing) and no prefix, so URLs stay short."""

    class Meta:
        csrf = False

    q = SearchField(_l("搜索"), filters=[strip],
                    validators=[Optional(), Length(max=100, message=_l("搜索内容不能超过100字"))])
    status = SelectField(_l("状态"), default="")
    category = SelectField(_l("类别"), default="")
    place_id = SelectField(_l("地点"), coerce=int_or_none, default=None)
    mine = BooleanField(_l("只看派给我的"))

    def __init__(self, *args, categories=(), places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = ([("", _("全部")), (OPEN, _("未办结")), (OVERDUE, _("已超期"))]
                               + list(REQUEST_STATUSES.items()))
        self.category.choices = [("", _("全部"))] + [(c.code, c.display_label) for c in categories]
        self.place_id.choices = [("", _("全部"))] + list(places)

    def values(self) -> dict:
        """Only valid filters apply; an invalid one is shown with its error and ignored."""
        def valid(name, empty):
            field = self[name]
            return empty if field.errors or not field.data else field.data

        return {"q": valid("q", ""), "status": valid("status", ""), "category": valid("category", ""),
                "place_id": valid("place_id", None), "mine": valid("mine", False)}

    def is_filtered(self) -> bool:
        return any(self.values().values())


class RequestCategoryForm(FlaskForm):
    code = StringField(_l("代码"), filters=[strip], validators=[DataRequired(_l("请填写代码"))])
    label = StringField(_l("中文名称"), filters=[strip], validators=[
        DataRequired(_l("请填写中文名称")), Length(max=32, message=_l("中文名称不能超过32字"))])
    label_en = StringField(_l("英文名称"), filters=[strip], validators=[
        Optional(), Length(max=64, message=_l("英文名称不能超过64个字符"))])
    deadline_days = IntegerField(_l("办理时限（天）"), default=7, validators=[
        InputRequired(_l("请填写办理时限")), NumberRange(1, 365, _l("办理时限应在 1 到 365 天之间"))])
    sort = IntegerField(_l("排序"), default=100, validators=[
        Optional(), NumberRange(0, 9999, _l("排序应在 0 到 9999 之间"))])
    active = BooleanField(_l("启用"), default=True)

    def __init__(self, *args, category: RequestCategory | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        if category is not None:
            # Devices and old records refer to a category by its code: it never changes.
            self.code.render_kw = {"readonly": True}

    def validate_code(self, field):
        if self.category is not None:
            field.data = self.category.code
            return
        if not CATEGORY_CODE_RE.match(field.data):
            raise ValidationError(_("代码只能用小写字母、数字和下划线，以字母开头，2到32位"))
        if db.session.scalar(sa.select(RequestCategory.id).where(RequestCategory.code == field.data)):
            raise ValidationError(_("代码 %(code)s 已存在", code=field.data))
