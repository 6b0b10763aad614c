"""The reveal form (a reason from the short list) and the access log's filters."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import DataRequired, Optional, ValidationError

from ..field.forms import int_or_none, plausible_date
from ..timeutil import local_day_bounds_utc
from .models import ACCESS_KINDS, REVEAL_REASONS
from .queries import AccessLogFilter


class RevealForm(FlaskForm):
    reason = SelectField(_l("查看用途"), validators=[DataRequired(message=_l("请选择查看用途"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = list(REVEAL_REASONS.items())


class AccessLogFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter: it changes nothing, and its URL is bookmarked by an auditor

    actor_id = SelectField(_l("人员"), coerce=int_or_none, default=None)
    kind = SelectField(_l("类型"), default="")
    date_from = DateField(_l("开始日期"), validators=[Optional(), plausible_date])
    date_to = DateField(_l("结束日期"), validators=[Optional(), plausible_date])

    def set_choices(self, people: list[tuple[int, str]]) -> None:
        self.actor_id.choices = [("", _("全部人员"))] + people
        self.kind.choices = [("", _("全部"))] + list(ACCESS_KINDS.items())

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("结束日期不能早于开始日期"))

    def access_filter(self) -> AccessLogFilter:
        """Only valid filters apply; local dates become UTC bounds."""
        def valid(name):
            field = self[name]
            return None if field.errors else (field.data or None)

        since = until = None
        if valid("date_from"):
            since = local_day_bounds_utc(self.date_from.data, self.date_from.data)[0]
        if valid("date_to"):
            until = local_day_bounds_utc(self.date_to.data, self.date_to.data)[1]
        return AccessLogFilter(actor_id=valid("actor_id"), kind=valid("kind"), since=since, until=until)
