"""The directive a leader publishes: what, by when, to which villages and communities."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..field.forms import int_or_none, plausible_date
from .models import BODY_MAX, TITLE_MAX


class DirectiveForm(FlaskForm):
    title = StringField(_l("标题"), validators=[
        DataRequired(_l("请填写标题")), Length(max=TITLE_MAX, message=_l("标题不能超过%(n)s字", n=TITLE_MAX))])
    body = TextAreaField(_l("部署内容"), validators=[
        DataRequired(_l("请填写部署内容")), Length(max=BODY_MAX, message=_l("部署内容不能超过%(n)s字", n=BODY_MAX))])
    due_on = DateField(_l("传达期限"), validators=[DataRequired(_l("请选择传达期限")), plausible_date])
    all_places = BooleanField(_l("全部村居"))
    # Checkboxes of the villages and communities; the choices are set by the view.
    place_ids = SelectMultipleField(_l("传达到"), coerce=int_or_none, validate_choice=False)

    def validate_place_ids(self, field):
        if self.all_places.data:
            return
        offered = {value for value, _label in field.choices}
        chosen = [pid for pid in field.data or [] if pid is not None]
        if not chosen:
            raise ValidationError(_("请选择要传达的村居，或勾选全部村居"))
        if any(pid not in offered for pid in chosen):
            raise ValidationError(_("所选地点不是村或社区"))
