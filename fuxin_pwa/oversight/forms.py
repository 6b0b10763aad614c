"""The filters of the leader's record list: a GET form, filled back and with its errors."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from ..auth.models import TEAM_LABELS
from ..field.forms import int_or_none, plausible_date
from ..field.queries import CHECKIN, RECORD_TYPES, RecordFilter
from ..places.services import with_descendants
from ..timeutil import local_day_bounds_utc

MAX_DAYS = 366


class RecordFilterForm(FlaskForm):
    class Meta:
        csrf = False  # it changes nothing; its URL is meant to be bookmarked and shared

    team = SelectField(_l("队伍"), default="")
    place_id = SelectField(_l("地点（含下级）"), coerce=int_or_none)
    kind = SelectField(_l("工作类型"), default="")
    type = SelectField(_l("记录"), default="")
    date_from = DateField(_l("开始日期"), validators=[Optional(), plausible_date])
    date_to = DateField(_l("结束日期"), validators=[Optional(), plausible_date])

    def set_choices(self, places: list[tuple[int, str]], kinds: list[tuple[str, str]]) -> None:
        """Before validating (WTForms 3.3 deprecates tuples given in `choices=`)."""
        self.team.choices = [("", _("全部队伍"))] + list(TEAM_LABELS.items())
        self.type.choices = [("", _("全部"))] + list(RECORD_TYPES.items())
        self.place_id.choices = [("", _("全部地点"))] + places
        self.kind.choices = [("", _("全部类型")), (CHECKIN, _("签到"))] + kinds

    def validate_date_to(self, field):
        if field.data and self.date_from.data:
            if field.data < self.date_from.data:
                raise ValidationError(_("结束日期不能早于开始日期"))
            if (field.data - self.date_from.data).days > MAX_DAYS:
                raise ValidationError(_("日期范围不能超过%(n)s天", n=MAX_DAYS))

    def record_filter(self) -> RecordFilter:
        """The filters as the record query takes them: local dates to UTC bounds, a place with
        everything below it."""
        since = until = None
        if self.date_from.data:
            since = local_day_bounds_utc(self.date_from.data, self.date_from.data)[0]
        if self.date_to.data:
            until = local_day_bounds_utc(self.date_to.data, self.date_to.data)[1]
        place_ids = with_descendants({self.place_id.data}) if self.place_id.data else None
        return RecordFilter(team=self.team.data or None, place_ids=place_ids, kind=self.kind.data or None,
                            type=self.type.data or None, since=since, until=until)
