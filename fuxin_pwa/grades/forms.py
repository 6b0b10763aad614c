"""A community worker's post and service start; a leader's reason for a grade change."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..field.forms import plausible_date
from ..timeutil import local_today
from .models import REASON_MAX


class PostForm(FlaskForm):
    """The view sets the post choices from the locality's rule."""

    post = SelectField(_l("岗位"), validate_choice=False)
    service_start = DateField(_l("参加社区工作时间"), validators=[DataRequired(_l("请填写参加社区工作时间")),
                                                                 plausible_date])

    def validate_post(self, field):
        if field.data not in {value for value, _label in self.post.choices or []}:
            raise ValidationError(_("请选择岗位"))

    def validate_service_start(self, field):
        if field.data and field.data > local_today():
            raise ValidationError(_("参加社区工作时间不能晚于今天"))


class ChangeForm(FlaskForm):
    reason = StringField(_l("调整原因"), validators=[
        DataRequired(_l("请填写调整原因")), Length(max=REASON_MAX, message=_l("调整原因不能超过%(n)s字", n=REASON_MAX))])
