"""A service day, and a tally at one. ServiceTallyForm validates the tablet's tap posted
without JS and the synced `service_tally` record alike (sync/registry.py): one rule set,
two doors. Its fields carry the names sync-protocol.md fixes (event_id, service, count)."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (DateField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField,
                     TextAreaField, TimeField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..extensions import db
from ..field.forms import int_or_none, named_household, plausible_date
from ..places.services import with_descendants
from ..timeutil import local_today
from .models import COUNT_MAX, NOTE_MAX, TITLE_MAX, VOLUNTEERS_MAX, ServiceDay
from .services import reaches


class ServiceDayForm(FlaskForm):
    title = StringField(_l("名称"), validators=[
        DataRequired(_l("请填写名称")), Length(max=TITLE_MAX, message=_l("名称不能超过%(n)s字", n=TITLE_MAX))])
    place_id = SelectField(_l("地点"), coerce=int_or_none, validate_choice=False)
    held_on = DateField(_l("日期"), validators=[DataRequired(_l("请填写日期")), plausible_date])
    starts_at = TimeField(_l("开始时间"), validators=[DataRequired(_l("请填写开始时间"))])
    ends_at = TimeField(_l("结束时间"), validators=[DataRequired(_l("请填写结束时间"))])
    kind_ids = SelectMultipleField(_l("服务项目"), coerce=int_or_none, validate_choice=False)
    staff_ids = SelectMultipleField(_l("工作人员"), coerce=int_or_none, validate_choice=False)
    volunteers = StringField(_l("志愿者"), validators=[
        Optional(), Length(max=VOLUNTEERS_MAX, message=_l("志愿者不能超过%(n)s字", n=VOLUNTEERS_MAX))])
    note = TextAreaField(_l("备注"), validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("备注不能超过%(n)s字", n=NOTE_MAX))])

    def validate_place_id(self, field):
        if field.data is None or field.data not in {v for v, _label in self.place_id.choices or []}:
            raise ValidationError(_("请从列表中选择地点"))

    def validate_kind_ids(self, field):
        offered = {v for v, _label in field.choices or []}
        chosen = [v for v in field.data or [] if v is not None]
        if not chosen:
            raise ValidationError(_("请至少选择一项服务"))
        if any(v not in offered for v in chosen) or len(chosen) != len(field.data or []):
            raise ValidationError(_("请从列表中选择服务项目"))

    def validate_staff_ids(self, field):
        offered = {v for v, _label in field.choices or []}
        if any(v is None or v not in offered for v in field.data or []):
            raise ValidationError(_("请从列表中选择工作人员"))

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_("结束时间应晚于开始时间"))


class ServiceTallyForm(FlaskForm):
    """Residents served with one of a day's services: usually one, a tap."""

    record_id = HiddenField()
    event_id = HiddenField(filters=[int_or_none])
    service = HiddenField()
    count = IntegerField(_l("人数"), default=1, validators=[
        DataRequired(_l("请填写人数")), NumberRange(1, COUNT_MAX, _l("人数应在 1 到 %(n)s 之间", n=COUNT_MAX))])
    household_id = HiddenField(filters=[int_or_none])
    note = TextAreaField(_l("备注"), validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("备注不能超过%(n)s字", n=NOTE_MAX))])

    def __init__(self, *args, user, occurred_at=None, **kwargs):  # the sync hands every record's form its time
        super().__init__(*args, **kwargs)
        self.user = user
        self.day = None
        self.kind = None

    def validate_event_id(self, field):
        day = db.session.get(ServiceDay, field.data) if field.data is not None else None
        if day is None or not reaches(self.user, day):
            raise ValidationError(_("服务日不存在或不在您的范围内"))
        if day.cancelled:
            raise ValidationError(_("该服务日已取消"))
        # Tallied before it began: a mistaken tap on next week's card. Lateness is never a
        # reason: a tablet offline for days still sends what it counted.
        if day.held_on > local_today():
            raise ValidationError(_("该服务日还没到，不能登记"))
        self.day = day

    def validate_service(self, field):
        if self.day is None:
            return  # the day's own error says what is wrong
        self.kind = next((k for k in self.day.services if k.code == field.data), None)
        if self.kind is None:
            raise ValidationError(_("该服务日没有这项服务"))

    def validate_household_id(self, field):
        # A resident from around the day's place, whoever's 包片 it is.
        named_household(self.user, field, also=lambda household: self.day is not None
                        and household.place_id in with_descendants({self.day.place_id}))

    def record_data(self) -> dict:
        """What the person sent, as the sync protocol names it (for hashing)."""
        return {name: field.data for name, field in self._fields.items() if name not in ("csrf_token", "record_id")}


class ConfirmForm(FlaskForm):
    """A button: its CSRF token and nothing else."""
