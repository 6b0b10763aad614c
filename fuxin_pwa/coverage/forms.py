"""Which week the coverage pages show: any day of it, as a bookmarkable GET parameter."""
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import Optional, ValidationError

from ..timeutil import local_today, week_start
from .weeks import Week

# Far enough back for any record this app holds; keeps date arithmetic clear of year 1.
EARLIEST = date(2000, 1, 1)


class WeekForm(FlaskForm):
    class Meta:
        csrf = False  # it changes nothing; the URL is meant to be shared

    week = DateField(_l("跳到某周（选该周任意一天）"), validators=[Optional()])

    def validate_week(self, field):
        if field.data is None:
            return
        if field.data < EARLIEST:
            raise ValidationError(_("日期太早，请选 %(year)s 年以后的日期", year=EARLIEST.year))
        if week_start(field.data) > week_start(local_today()):
            raise ValidationError(_("这一周还没有到，不能查看；已显示本周"))

    def chosen_week(self) -> Week:
        """The week asked for; this week when none was asked or the date was refused."""
        if self.validate() and self.week.data:
            return Week.of(self.week.data)
        return Week.of()
