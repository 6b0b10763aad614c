"""A leader's visit rule, and a household's care groups."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField
from wtforms.validators import DataRequired, InputRequired, NumberRange, ValidationError

from ..auth.models import TEAM_LABELS
from .models import CARE_TAGS, MAX_VISITS_PER_MONTH


class RuleForm(FlaskForm):
    team = SelectField(_l("队伍"), validate_choice=False, validators=[DataRequired(_l("请选择队伍"))])
    care_tag = SelectField(_l("重点人群"), validate_choice=False, validators=[DataRequired(_l("请选择重点人群"))])
    visits_per_month = IntegerField(_l("每户每月走访次数"), validators=[
        InputRequired(_l("请填写每月走访次数")),
        NumberRange(1, MAX_VISITS_PER_MONTH, _l("每月走访次数应在 1 到 %(n)s 之间", n=MAX_VISITS_PER_MONTH))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.team.choices = [("", _("请选择"))] + [(code, str(label)) for code, label in TEAM_LABELS.items()]
        self.care_tag.choices = [("", _("请选择"))] + [(code, str(label)) for code, label in CARE_TAGS.items()]

    def validate_team(self, field):
        if field.data not in TEAM_LABELS:
            raise ValidationError(_("请选择队伍"))

    def validate_care_tag(self, field):
        if field.data not in CARE_TAGS:
            raise ValidationError(_("请选择重点人群"))


class CareTagsForm(FlaskForm):
    tags = SelectMultipleField(_l("重点人群"), validate_choice=False)

    def validate_tags(self, field):
        if any(tag not in CARE_TAGS for tag in field.data or []):
            raise ValidationError(_("所选重点人群无效"))


class ConfirmForm(FlaskForm):
    """A button that changes something: its CSRF token and nothing else."""
