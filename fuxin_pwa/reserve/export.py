"""后备干部名册 as an Excel sheet, through the ledgers' writer (formula-safe cells), and in
the access log like every export (it names people and their status). The evidence columns
carry their period in the heading: they are counts from the record, not a score."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..privacy.services import LoggedExport
from ..stats.workbook import write_table
from .queries import pool

SUBJECT = "reserve"


def _day(value) -> str:
    return value.isoformat() if value else ""


def _rows(found):
    for candidate, ev in found.rows:
        yield (candidate.user.name, str(candidate.status_label), _day(candidate.nominated_on),
               _day(candidate.admitted_on), _day(candidate.appointed_on), candidate.appointed_as or "",
               ev.incidents, ev.demolition_talks, ev.holdout_visits, ev.cases, ev.guard_shifts, ev.total)


def roster_workbook(user):
    found = pool()
    span = _("%(start)s 至 %(end)s", start=found.period.start.isoformat(), end=found.period.end.isoformat())
    columns = [(_l("姓名"), 12), (_l("状态"), 8), (_l("提名日期"), 12), (_l("入库日期"), 12), (_l("任用日期"), 12),
               (_l("任用职务"), 20), (_l("应急响应"), 10), (_l("违建约谈"), 10), (_l("尾留户走访"), 10),
               (_l("化解案件"), 10), (_l("征迁值守班次"), 12), (_("重大任务人次（%(span)s）", span=span), 24)]
    export = LoggedExport(user, SUBJECT, f"{SUBJECT}.xlsx", {})
    out = write_table(_("后备干部名册"), columns, export.count(_rows(found)))
    export.finish()
    return out, f"{_('后备干部名册')}.xlsx", "fuxin-reserve.xlsx"
