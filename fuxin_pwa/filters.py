"""The date range every filtered list of the admin's logs shares (the audit trail, the
access log): a GET form that changes nothing, so no CSRF, whose dates are checked by the
project's own rules (plausible_date: a year-1 or year-9999 date is a field error, never a
bound a database cannot hold) and whose end may not come before its start. A field with
an error filters nothing; the list still answers, with the error beside the field."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import Optional, ValidationError

from .field.forms import plausible_date
from .timeutil import local_day_bounds_utc


class DateRangeFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter: it changes nothing, and its URL is bookmarked by an auditor

    date_from = DateField(_l("开始日期"), validators=[Optional(), plausible_date])
    date_to = DateField(_l("结束日期"), validators=[Optional(), plausible_date])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("结束日期不能早于开始日期"))

    def valid(self, name: str):
        """The field's value, or None when it is empty or came back with an error."""
        field = self[name]
        return None if field.errors else (field.data or None)

    def utc_bounds(self):
        """(since, until) in naive UTC for the local days chosen; None where not chosen."""
        since = until = None
        if self.valid("date_from"):
            since = local_day_bounds_utc(self.date_from.data, self.date_from.data)[0]
        if self.valid("date_to"):
            until = local_day_bounds_utc(self.date_to.data, self.date_to.data)[1]
        return since, until
