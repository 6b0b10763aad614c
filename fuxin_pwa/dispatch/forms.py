"""Forms of emergency dispatch. The leader's forms (incident, post, group, assignment) and the
acknowledgement a dispatched person sends: AckForm validates the online button and the
synced `incident_ack` record alike (one rule set, two doors)."""
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (DateTimeLocalField, HiddenField, SelectField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..extensions import db
from ..field.forms import accuracy_field, int_or_none, lat_field, lon_field, plausible_date
from ..timeutil import LOCAL_TZ
from .access import deployment_of
from .models import ACK_STATES, INCIDENT_KINDS, Incident

TITLE_MAX = 200
NAME_MAX = 100
NOTE_MAX = 500
INCIDENT_NOTE_MAX = 1000
LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends


def _both_or_neither(form) -> bool:
    """A position is both numbers or neither; half a position is a broken reading."""
    if (form.lat.data is None) != (form.lon.data is None) and not (form.lat.errors or form.lon.errors):
        missing = form.lon if form.lon.data is None else form.lat
        missing.errors = list(missing.errors) + [_("经纬度需同时提供")]
        return False
    return True


def _check_choice(field, message):
    if field.data is not None and field.data not in {value for value, _label in field.choices}:
        raise ValidationError(message)


class IncidentForm(FlaskForm):
    kind = SelectField(_l("类型"), validate_choice=False)
    title = StringField(_l("事件名称"), validators=[
        DataRequired(_l("请填写事件名称")), Length(max=TITLE_MAX, message=_l("事件名称不能超过%(n)s字", n=TITLE_MAX))])
    area = StringField(_l("范围"), validators=[
        Optional(), Length(max=TITLE_MAX, message=_l("范围不能超过%(n)s字", n=TITLE_MAX))])
    place_id = SelectField(_l("地点（可选）"), coerce=int_or_none, validate_choice=False)
    started_at = DateTimeLocalField(_l("开始时间"), format=LOCAL_INPUT,
                                    validators=[DataRequired(_l("请填写开始时间")), plausible_date])
    note = TextAreaField(_l("说明（可选）"), validators=[
        Optional(), Length(max=INCIDENT_NOTE_MAX, message=_l("说明不能超过%(n)s字", n=INCIDENT_NOTE_MAX))])

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = list(INCIDENT_KINDS.items())
        self.place_id.choices = [("", _("不指定"))] + list(places)

    def validate_kind(self, field):
        if field.data not in INCIDENT_KINDS:
            raise ValidationError(_("请选择类型"))

    def validate_place_id(self, field):
        _check_choice(field, _("地点不存在"))

    def validate_started_at(self, field):
        # The time is typed as Shanghai local time; a start a day ahead is a typo, not a plan.
        if field.data and field.data > datetime.now(LOCAL_TZ).replace(tzinfo=None) + timedelta(days=1):
            raise ValidationError(_("开始时间不能晚于明天此时"))


class PostForm(FlaskForm):
    name = StringField(_l("岗位名称"), validators=[
        DataRequired(_l("请填写岗位名称")), Length(max=NAME_MAX, message=_l("岗位名称不能超过%(n)s字", n=NAME_MAX))])
    place_id = SelectField(_l("地点（可选）"), coerce=int_or_none, validate_choice=False)
    lat = lat_field()
    lon = lon_field()
    note = StringField(_l("任务说明（可选）"), validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("任务说明不能超过%(n)s字", n=NOTE_MAX))])

    def __init__(self, *args, places=(), **kwargs):
        # Prefixed: the board holds three forms at once, and their field ids must not collide.
        super().__init__(*args, prefix="post", **kwargs)
        self.place_id.choices = [("", _("不指定"))] + list(places)

    def validate_place_id(self, field):
        _check_choice(field, _("地点不存在"))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        return _both_or_neither(self) and ok


class GroupForm(FlaskForm):
    """A group of people for this incident; its members are chosen from active field staff."""

    name = StringField(_l("小组名称"), validators=[
        DataRequired(_l("请填写小组名称")), Length(max=NAME_MAX, message=_l("小组名称不能超过%(n)s字", n=NAME_MAX))])
    post_id = SelectField(_l("派往岗位（可选）"), coerce=int_or_none, validate_choice=False)
    members = SelectMultipleField(_l("组员"), coerce=int, validate_choice=False)

    def __init__(self, *args, posts=(), staff=(), **kwargs):
        super().__init__(*args, prefix="group", **kwargs)
        self.post_id.choices = [("", _("暂不分岗"))] + [(p.id, p.name) for p in posts]
        self.members.choices = [(u.id, u.name) for u in staff]

    def validate_post_id(self, field):
        _check_choice(field, _("岗位不存在"))

    def validate_members(self, field):
        if not field.data:
            raise ValidationError(_("请至少选择一名组员"))
        allowed = {value for value, _label in field.choices}
        if any(member not in allowed for member in field.data):
            raise ValidationError(_("组员须是在岗的外勤人员"))


class AssignForm(FlaskForm):
    """Send one person or a whole group to a post (empty post: 未分岗, standing by)."""

    user_id = SelectField(_l("人员"), coerce=int_or_none, validate_choice=False)
    group_id = SelectField(_l("小组"), coerce=int_or_none, validate_choice=False)
    post_id = SelectField(_l("岗位"), coerce=int_or_none, validate_choice=False)

    def __init__(self, *args, posts=(), staff=(), groups=(), **kwargs):
        super().__init__(*args, prefix="assign", **kwargs)
        self.user_id.choices = [("", _("请选择"))] + [(u.id, u.name) for u in staff]
        self.group_id.choices = [("", _("请选择"))] + [(g.id, g.name) for g in groups]
        self.post_id.choices = [("", _("未分岗（待命）"))] + [(p.id, p.name) for p in posts]

    def validate_user_id(self, field):
        _check_choice(field, _("该人员不能派遣"))

    def validate_group_id(self, field):
        _check_choice(field, _("小组不存在"))

    def validate_post_id(self, field):
        _check_choice(field, _("岗位不存在"))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and (self.user_id.data is None) == (self.group_id.data is None):
            self.user_id.errors = list(self.user_id.errors) + [_("请选择一名人员或一个小组")]
            return False
        return ok


class ActionForm(FlaskForm):
    """A button that changes something (remove a person, close the incident): CSRF only."""


class AckForm(FlaskForm):
    """收到 → 出发 → 到岗 → 撤离 from a person deployed in an open incident. 到岗 may carry
    the phone's position: that acknowledgement is the person's check-in at the post."""

    record_id = HiddenField()
    incident_id = HiddenField(filters=[int_or_none])
    state = HiddenField()
    lat = lat_field()
    lon = lon_field()
    accuracy_m = accuracy_field()
    note = TextAreaField(_l("备注"), validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("备注不能超过%(n)s字", n=NOTE_MAX))])

    def __init__(self, *args, user, occurred_at=None, **kwargs):  # the sync hands every record's form its time
        super().__init__(*args, **kwargs)
        self.user = user
        self.deployment = None

    def validate_incident_id(self, field):
        incident = db.session.get(Incident, field.data) if field.data is not None else None
        if incident is None:
            raise ValidationError(_("突发事件不存在"))
        deployment = deployment_of(self.user, incident.id)
        if deployment is None:
            raise ValidationError(_("您未被派往该突发事件"))
        # Whether the incident had ended when the person tapped is the service's to judge: an
        # ack made before the end is a fact of the incident, whenever it arrives.
        self.deployment = deployment

    def validate_state(self, field):
        if field.data not in ACK_STATES:
            raise ValidationError(_("确认状态无效"))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        return _both_or_neither(self) and ok

    def record_data(self) -> dict:
        """What the person sent, as the sync protocol names it (for hashing)."""
        return {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", "record_id")}
