"""The reveal form (a reason from the short list) and the access log's filters."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired

from ..field.forms import int_or_none
from ..filters import DateRangeFilterForm
from .models import ACCESS_KINDS, REVEAL_REASONS
from .queries import AccessLogFilter


class RevealForm(FlaskForm):
    reason = SelectField(_l("查看用途"), validators=[DataRequired(message=_l("请选择查看用途"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = list(REVEAL_REASONS.items())


class AccessLogFilterForm(DateRangeFilterForm):
    actor_id = SelectField(_l("人员"), coerce=int_or_none, default=None)
    kind = SelectField(_l("类型"), default="")

    def set_choices(self, people: list[tuple[int, str]]) -> None:
        self.actor_id.choices = [("", _("全部人员"))] + people
        self.kind.choices = [("", _("全部"))] + list(ACCESS_KINDS.items())

    def access_filter(self) -> AccessLogFilter:
        """Only valid filters apply; local dates become UTC bounds."""
        since, until = self.utc_bounds()
        return AccessLogFilter(actor_id=self.valid("actor_id"), kind=self.valid("kind"), since=since, until=until)
