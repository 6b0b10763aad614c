"""Nominating a young cadre, moving a candidate's status on, a leader's note. The person
list is set by the view (young cadres not yet in the pool); a value not offered is refused
with a sentence. The flow's own rules (which step follows which, the dates) are the
service's, and come back onto these fields."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..field.forms import int_or_none, plausible_date
from ..timeutil import local_today
from .models import NOMINATED, POST_MAX, STATUSES, TEXT_MAX


def _not_future(form, field):
    if field.data and field.data > local_today():
        raise ValidationError(_("日期不能晚于今天"))


class NominateForm(FlaskForm):
    user_id = SelectField(_l("年轻干部"), coerce=int_or_none, validate_choice=False)
    nominated_on = DateField(_l("提名日期"), default=local_today,
                             validators=[DataRequired(_l("请填写提名日期")), plausible_date, _not_future])
    reason = TextAreaField(_l("提名理由"), validators=[
        DataRequired(_l("请填写提名理由")), Length(max=TEXT_MAX, message=_l("不能超过%(n)s字", n=TEXT_MAX))])

    def validate_user_id(self, field):
        offered = {value for value, _label in field.choices or []}
        if field.data is None or field.data not in offered:
            raise ValidationError(_("请从名单中选择一名未入库的年轻干部"))


class MoveForm(FlaskForm):
    to_status = SelectField(_l("新状态"), choices=[(k, v) for k, v in STATUSES.items() if k != NOMINATED],
                            validate_choice=False)
    on = DateField(_l("日期"), default=local_today,
                   validators=[DataRequired(_l("请填写日期")), plausible_date, _not_future])
    appointed_as = StringField(_l("任用职务（已任用时填写）"), validators=[
        Optional(), Length(max=POST_MAX, message=_l("不能超过%(n)s字", n=POST_MAX))])
    reason = TextAreaField(_l("说明（退出时必填）"), validators=[
        Optional(), Length(max=TEXT_MAX, message=_l("不能超过%(n)s字", n=TEXT_MAX))])

    def validate_to_status(self, field):
        offered = {value for value, _label in field.choices or []}
        if field.data not in offered:
            raise ValidationError(_("请选择新的状态"))


class NoteForm(FlaskForm):
    text = TextAreaField(_l("考察记录"), validators=[
        DataRequired(_l("请填写考察记录")), Length(max=TEXT_MAX, message=_l("不能超过%(n)s字", n=TEXT_MAX))])
