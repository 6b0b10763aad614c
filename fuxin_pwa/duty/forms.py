"""The roster a leader builds by rule, one shift's people, a standby group, a swap asked and
answered, a group called up. Every choice list is set by the view; a value not offered is
refused with a sentence, never looked up."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField, TimeField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..field.forms import int_or_none, plausible_date
from .models import LABEL_MAX, NAME_MAX, ROSTER_KINDS
from .services import MAX_DAYS

MAX_PER_SHIFT = 20


def _offered(field, values) -> list:
    offered = {value for value, _label in field.choices or []}
    if any(v is None or v not in offered for v in values):
        raise ValidationError(_("所选人员不在可选名单中"))
    return values


class RosterForm(FlaskForm):
    name = StringField(_l("排班名称"), validators=[
        DataRequired(_l("请填写排班名称")), Length(max=NAME_MAX, message=_l("排班名称不能超过%(n)s字", n=NAME_MAX))])
    kind = SelectField(_l("值守类型"), choices=list(ROSTER_KINDS.items()),
                       validators=[AnyOf(list(ROSTER_KINDS), message=_l("请选择值守类型"))])
    place_id = SelectField(_l("值守地点"), coerce=int_or_none, validate_choice=False)
    starts_on = DateField(_l("开始日期"), validators=[DataRequired(_l("请选择开始日期")), plausible_date])
    days = IntegerField(_l("天数"), default=14, validators=[
        InputRequired(_l("请填写天数")),
        NumberRange(1, MAX_DAYS, message=_l("天数应在 1 到 %(n)s 之间", n=MAX_DAYS))])
    shift1_label = StringField(_l("第一班名称"), default="白班", validators=[
        DataRequired(_l("请填写班次名称")), Length(max=LABEL_MAX, message=_l("班次名称不能超过%(n)s字", n=LABEL_MAX))])
    shift1_starts = TimeField(_l("开始时间"), validators=[InputRequired(_l("请填写开始时间"))])
    shift1_ends = TimeField(_l("结束时间"), validators=[InputRequired(_l("请填写结束时间"))])
    shift2_label = StringField(_l("第二班名称（可不填）"), validators=[
        Optional(), Length(max=LABEL_MAX, message=_l("班次名称不能超过%(n)s字", n=LABEL_MAX))])
    shift2_starts = TimeField(_l("开始时间"), validators=[Optional()])
    shift2_ends = TimeField(_l("结束时间"), validators=[Optional()])
    per_shift = IntegerField(_l("每班人数"), default=2, validators=[
        InputRequired(_l("请填写每班人数")),
        NumberRange(1, MAX_PER_SHIFT, message=_l("每班人数应在 1 到 %(n)s 之间", n=MAX_PER_SHIFT))])
    member_ids = SelectMultipleField(_l("轮换人员（按顺序轮换）"), coerce=int_or_none, validate_choice=False)
    swap_needs_approval = BooleanField(_l("换班需领导批准"))
    holidays_only = BooleanField(_l("只排节假日"))

    def validate_place_id(self, field):
        typed = any(v not in ("", "None") for v in field.raw_data or [])  # sent, but no id we hold
        if (field.data is None and typed) or (
                field.data is not None and field.data not in {v for v, _label in field.choices or []}):
            raise ValidationError(_("请选择值守地点"))

    def validate_member_ids(self, field):
        chosen = _offered(field, field.data or [])
        if not chosen:
            raise ValidationError(_("请选择轮换人员"))
        if self.per_shift.data and self.per_shift.data > len(set(chosen)):
            raise ValidationError(_("每班人数不能多于轮换人员数"))

    def validate(self, extra_validators=None):
        # Here, not in validate_shift2_ends: an empty end stops that field's chain at Optional()
        # before any validate_<field> runs, and a second shift with no end would pass.
        ok = super().validate(extra_validators)
        parts = (self.shift2_label.data, self.shift2_starts.data, self.shift2_ends.data)
        message = None
        if any(parts) and not all(parts):
            message = _("第二班请填写名称、开始和结束时间，或全部不填")
        elif self.shift2_label.data and self.shift2_label.data.strip() == (self.shift1_label.data or "").strip():
            message = _("两个班次的名称不能相同")
        if message and not self.shift2_ends.errors:
            self.shift2_ends.errors = list(self.shift2_ends.errors) + [message]
        return ok and message is None


class ShiftForm(FlaskForm):
    user_ids = SelectMultipleField(_l("本班人员"), coerce=int_or_none, validate_choice=False)

    def validate_user_ids(self, field):
        if not _offered(field, field.data or []):
            raise ValidationError(_("每班至少一人"))


class GroupForm(FlaskForm):
    name = StringField(_l("小组名称"), validators=[
        DataRequired(_l("请填写小组名称")), Length(max=NAME_MAX, message=_l("小组名称不能超过%(n)s字", n=NAME_MAX))])
    leader_id = SelectField(_l("组长"), coerce=int_or_none, validate_choice=False)
    member_ids = SelectMultipleField(_l("组员"), coerce=int_or_none, validate_choice=False)

    def validate_leader_id(self, field):
        if field.data is None or field.data not in {v for v, _label in field.choices or []}:
            raise ValidationError(_("请选择组长"))

    def validate_member_ids(self, field):
        _offered(field, field.data or [])


class SwapForm(FlaskForm):
    to_user_id = SelectField(_l("请谁替班"), coerce=int_or_none, validate_choice=False)

    def validate_to_user_id(self, field):
        if field.data is None or field.data not in {v for v, _label in field.choices or []}:
            raise ValidationError(_("请选择替班人员"))


class AnswerForm(FlaskForm):
    """Yes or no to a swap: the button pressed names it."""
    answer = StringField(validators=[AnyOf(("yes", "no"), message=_l("请选择同意或不同意"))])


class CallUpForm(FlaskForm):
    group_id = SelectField(_l("预备队小组"), coerce=int_or_none, validate_choice=False)

    def validate_group_id(self, field):
        if field.data is None or field.data not in {v for v, _label in field.choices or []}:
            raise ValidationError(_("请选择预备队小组"))


class ExchangeForm(FlaskForm):
    """互换: one of the other people's shifts, offered as "shift id:user id"."""
    offer = SelectField(_l("换对方的哪一班"), validate_choice=False)

    def validate_offer(self, field):
        if field.data not in {v for v, _label in field.choices or []}:
            raise ValidationError(_("请选择要互换的班次"))

    def parsed(self) -> tuple[int, int]:
        shift_id, user_id = self.offer.data.split(":")
        return int(shift_id), int(user_id)


class ExtendForm(FlaskForm):
    days = IntegerField(_l("延长天数"), default=7, validators=[
        InputRequired(_l("请填写天数")),
        NumberRange(1, MAX_DAYS, message=_l("天数应在 1 到 %(n)s 之间", n=MAX_DAYS))])


class PeopleForm(FlaskForm):
    """The rotation's people, for rebuilding the shifts not yet begun."""
    member_ids = SelectMultipleField(_l("轮换人员（按顺序轮换）"), coerce=int_or_none, validate_choice=False)

    def __init__(self, *args, per_shift: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.per_shift = per_shift

    def validate_member_ids(self, field):
        chosen = _offered(field, field.data or [])
        if not chosen:
            raise ValidationError(_("请选择轮换人员"))
        if self.per_shift > len(set(chosen)):
            raise ValidationError(_("每班人数不能多于轮换人员数"))


class DeleteForm(FlaskForm):
    confirm = BooleanField(_l("我确认删除"), validators=[DataRequired(_l("请勾选确认后再删除"))])


class HolidayForm(FlaskForm):
    name = StringField(_l("节日名称"), validators=[
        DataRequired(_l("请填写节日名称")), Length(max=LABEL_MAX, message=_l("节日名称不能超过%(n)s字", n=LABEL_MAX))])
    day = DateField(_l("第一天"), validators=[DataRequired(_l("请选择日期")), plausible_date])
    days = IntegerField(_l("放假天数"), default=1, validators=[
        InputRequired(_l("请填写放假天数")), NumberRange(1, 14, message=_l("放假天数应在 1 到 14 之间"))])
