"""The statistics filter (a GET form: bookmarkable, filled back with its errors) and the export's
arguments, which are the same filter plus which ledger and a few ledger-only filters."""
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional, ValidationError

from ..auth.models import TEAM_LABELS
from ..cases.models import CASE_STATUSES
from ..domain import ID_MAX
from ..field.forms import int_or_none, plausible, plausible_date
from ..places.services import with_descendants
from ..requests.models import REQUEST_STATUSES
from ..timeutil import local_today
from .filters import MAX_DAYS, StatsFilter

DEFAULT_MONTHS = 12

VISITS, TASKS, CASES, REQUESTS, INCIDENTS, ALL = "visits", "tasks", "cases", "requests", "incidents", "all"
SERVICES = "services"
LEDGERS = {
    VISITS: _l("签到台账"),
    TASKS: _l("工作台账"),
    CASES: _l("一户一策台账"),
    REQUESTS: _l("群众诉求台账"),
    INCIDENTS: _l("突发事件记录"),
    SERVICES: _l("便民服务台账"),
}
# Request statuses a ledger may be narrowed to: each status, or the three groups a board uses.
REQUEST_STATUS_FILTERS = {**REQUEST_STATUSES, "open": _l("未办结"), "closed": _l("已办结（含部分解决、无法办理、转办）"),
                          "overdue": _l("超期")}


def default_first(last: date) -> date:
    """The first day of the month eleven months before `last`'s: twelve whole local months."""
    year, month = last.year, last.month - (DEFAULT_MONTHS - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


class StatsFilterForm(FlaskForm):
    class Meta:
        csrf = False  # it changes nothing; its URL is meant to be bookmarked and shared

    date_from = DateField(_l("开始日期"), validators=[Optional(), plausible_date])
    date_to = DateField(_l("结束日期"), validators=[Optional(), plausible_date])
    team = SelectField(_l("队伍"), default="")
    place_id = SelectField(_l("地点（含下级）"), coerce=int_or_none)

    def set_choices(self, places: list[tuple[int, str]]) -> None:
        """Before validating (WTForms 3.3 deprecates tuples given in `choices=`)."""
        self.team.choices = [("", _("全部队伍"))] + list(TEAM_LABELS.items())
        self.place_id.choices = [("", _("全部地点"))] + places

    def fill_default_dates(self) -> None:
        """An empty date means the default range: the last twelve months up to today (local). A
        date typed wrong stays wrong, so the form says so rather than silently replacing it."""
        today = local_today()
        if _blank(self.date_to):
            self.date_to.data = today
        if _blank(self.date_from):
            anchor = self.date_to.data
            if anchor is None or not plausible(anchor):
                anchor = today  # the form says what is wrong with date_to; the default needs a real year
            self.date_from.data = default_first(anchor)

    def validate_date_to(self, field):
        if field.data and self.date_from.data:
            if field.data < self.date_from.data:
                raise ValidationError(_("结束日期不能早于开始日期"))
            if (field.data - self.date_from.data).days >= MAX_DAYS:
                raise ValidationError(_("日期范围不能超过%(n)s天", n=MAX_DAYS))

    def stats_filter(self) -> StatsFilter:
        """The filter as the queries take it: a place with everything below it."""
        place_ids = with_descendants({self.place_id.data}) if self.place_id.data else None
        return StatsFilter(first=self.date_from.data, last=self.date_to.data,
                           team=self.team.data or None, place_ids=place_ids)

    def args(self) -> dict:
        """The filter as URL arguments, for the export links: the dates always, so a ledger
        downloaded today and filed holds the range the page showed."""
        args = {"date_from": self.date_from.data.isoformat(), "date_to": self.date_to.data.isoformat()}
        if self.team.data:
            args["team"] = self.team.data
        if self.place_id.data:
            args["place_id"] = self.place_id.data
        return args


class ExportForm(StatsFilterForm):
    """GET /stats/export.<fmt>: which ledger, the page's filters, and the ledger-only ones."""

    ledger = SelectField(_l("台账"), default=ALL)
    kind = SelectField(_l("工作类型"), default="")
    status = SelectField(_l("状态"), default="")
    incident_id = IntegerField(_l("突发事件"), validators=[Optional(), NumberRange(1, ID_MAX)])

    def set_export_choices(self, places, kinds: list[tuple[str, str]], fmt: str) -> None:
        self.set_choices(places)
        self.fmt = fmt
        self.ledger.choices = list(LEDGERS.items()) + [(ALL, _("全部台账"))]
        self.kind.choices = [("", _("全部类型"))] + kinds
        statuses = {**CASE_STATUSES, **REQUEST_STATUS_FILTERS}
        self.status.choices = [("", _("全部状态"))] + list(statuses.items())

    def validate_ledger(self, field):
        if field.data == ALL and self.fmt == "csv":
            raise ValidationError(_("CSV 文件一次只能导出一种台账，请选择一种台账，或导出 Excel（每种台账一个工作表）"))

    def validate_status(self, field):
        """A status belongs to the ledger it narrows: the case ledger takes a case status, the
        request ledger a request status (or 未办结/已办结/超期); the other ledgers take none."""
        if not field.data:
            return
        allowed = {CASES: CASE_STATUSES, REQUESTS: REQUEST_STATUS_FILTERS}.get(self.ledger.data, {})
        if field.data not in allowed:
            raise ValidationError(_("该台账不能按这个状态筛选"))


def _blank(field) -> bool:
    """Nothing typed, spaces included (Optional() lets spaces through as "no date")."""
    return not field.raw_data or not str(field.raw_data[0]).strip()
