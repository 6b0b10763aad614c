"""A training session, an attendance tap, a credential. Every choice list is set by the view;
a value not offered is refused with a sentence, never looked up."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, FloatField, SelectField, SelectMultipleField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..auth.models import TEAM_LABELS
from ..field.forms import finite, int_or_none, plausible_date
from ..timeutil import local_today
from .models import LEVELS, MAX_HOURS, PLACE_MAX, SESSION_KINDS, TITLE_MAX, TRAINER_MAX

LEVEL_CHOICES = [(level, label) for levels in LEVELS.values() for level, label in levels.items()]


class SessionForm(FlaskForm):
    kind = SelectField(_l("培训类型"), choices=list(SESSION_KINDS.items()),
                       validators=[AnyOf(list(SESSION_KINDS), message=_l("请选择培训类型"))])
    title = StringField(_l("培训主题"), validators=[
        DataRequired(_l("请填写培训主题")), Length(max=TITLE_MAX, message=_l("培训主题不能超过%(n)s字", n=TITLE_MAX))])
    held_on = DateField(_l("培训日期"), validators=[DataRequired(_l("请填写培训日期")), plausible_date])
    hours = FloatField(_l("学时（小时）"), default=2, validators=[
        InputRequired(_l("请填写学时")), finite,
        NumberRange(0.5, MAX_HOURS, message=_l("学时应在 0.5 到 %(n)s 之间", n=MAX_HOURS))])
    place = StringField(_l("地点"), validators=[
        Optional(), Length(max=PLACE_MAX, message=_l("地点不能超过%(n)s字", n=PLACE_MAX))])
    trainer = StringField(_l("授课人"), validators=[
        Optional(), Length(max=TRAINER_MAX, message=_l("授课人不能超过%(n)s字", n=TRAINER_MAX))])
    teams = SelectMultipleField(_l("应参加的队伍"), choices=list(TEAM_LABELS.items()), validate_choice=False)
    person_ids = SelectMultipleField(_l("应参加的人员"), coerce=int_or_none, validate_choice=False)

    def validate_teams(self, field):
        if any(team not in TEAM_LABELS for team in field.data or []):
            raise ValidationError(_("所选队伍无效"))

    def validate_person_ids(self, field):
        offered = {value for value, _label in field.choices or []}
        if any(v is None or v not in offered for v in field.data or []):
            raise ValidationError(_("所选人员不在可选名单中"))
        if not field.data and not self.teams.data:
            raise ValidationError(_("请选择应参加的队伍或人员"))


class CredentialForm(FlaskForm):
    level = SelectField(_l("证书或学历"), choices=LEVEL_CHOICES,
                        validators=[AnyOf([v for v, _label in LEVEL_CHOICES], message=_l("请选择证书或学历"))])
    obtained_on = DateField(_l("取得日期"), validators=[DataRequired(_l("请填写取得日期")), plausible_date])
    photo = FileField(_l("证书照片（可不传）"))

    def validate_obtained_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError(_("取得日期不能晚于今天"))


class ConfirmForm(FlaskForm):
    """A button: its CSRF token and nothing else."""
