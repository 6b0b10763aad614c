"""A care trigger, and the visit it owes. CareVisitForm validates the online form and the
synced `care_visit` record alike (sync/registry.py): one rule set, two doors."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from ..extensions import db
from ..field.forms import int_or_none, plausible_date
from ..timeutil import local_today
from .models import CARE_REASONS, NOTE_MAX, VISITORS_MAX, CareTrigger


def _offered(field):
    if field.data is None or field.data not in {v for v, _label in field.choices or []}:
        raise ValidationError(_("请从列表中选择"))


class TriggerForm(FlaskForm):
    person_id = SelectField(_l("关爱对象"), coerce=int_or_none, validate_choice=False)
    reason = SelectField(_l("情形"), choices=list(CARE_REASONS.items()),
                         validators=[AnyOf(list(CARE_REASONS), message=_l("请选择情形"))])
    happened_on = DateField(_l("发生日期"), validators=[DataRequired(_l("请填写发生日期")), plausible_date])
    note = TextAreaField(_l("情况说明"), validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("情况说明不能超过%(n)s字", n=NOTE_MAX))])
    responsible_id = SelectField(_l("负责走访的领导"), coerce=int_or_none, validate_choice=False)

    def validate_person_id(self, field):
        _offered(field)

    def validate_responsible_id(self, field):
        _offered(field)

    def validate_happened_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError(_("发生日期不能晚于今天"))


class CareVisitForm(FlaskForm):
    """Who went, when, what was brought or arranged, what must follow."""

    record_id = HiddenField()
    trigger_id = HiddenField(filters=[int_or_none])
    visited_on = DateField(_l("走访日期"), validators=[DataRequired(_l("请填写走访日期")), plausible_date])
    visitors = StringField(_l("走访人员"), validators=[
        DataRequired(_l("请填写走访人员")),
        Length(max=VISITORS_MAX, message=_l("走访人员不能超过%(n)s字", n=VISITORS_MAX))])
    brought = TextAreaField(_l("带去的慰问或帮助"), validators=[
        DataRequired(_l("请填写带去的慰问或帮助")),
        Length(max=NOTE_MAX, message=_l("内容不能超过%(n)s字", n=NOTE_MAX))])
    follow_up = TextAreaField(_l("需要跟进的事项"), validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("内容不能超过%(n)s字", n=NOTE_MAX))])

    def __init__(self, *args, user, occurred_at=None, **kwargs):  # the sync hands every record's form its time
        super().__init__(*args, **kwargs)
        self.user = user
        self.trigger = None

    def validate_trigger_id(self, field):
        trigger = db.session.get(CareTrigger, field.data) if field.data is not None else None
        # Leaders and admins make the visits; to anyone else a trigger is someone's personnel
        # record they may not see, so it is "not found" either way.
        if trigger is None or not self.user.sees_all:
            raise ValidationError(_("关爱记录不存在"))
        self.trigger = trigger

    def validate_visited_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError(_("走访日期不能晚于今天"))

    def record_data(self) -> dict:
        """What the person sent, as the sync protocol names it (for hashing)."""
        return {name: field.data for name, field in self._fields.items() if name not in ("csrf_token", "record_id")}


class ConfirmForm(FlaskForm):
    """A button: its CSRF token and nothing else."""
