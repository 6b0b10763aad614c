"""A year's 关爱台账 as an Excel sheet: one row per trigger and its first visit, through the
ledgers' writer (formula-safe cells), and in the access log like every export (it names
people and what befell them)."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..privacy.services import LoggedExport
from ..stats.workbook import write_table
from .queries import year_triggers

SUBJECT = "care"
COLUMNS = [(_l("关爱对象"), 12), (_l("队伍"), 12), (_l("情形"), 14), (_l("发生日期"), 12), (_l("情况说明"), 30),
           (_l("负责领导"), 12), (_l("应访日期"), 12), (_l("走访日期"), 12), (_l("走访人员"), 20),
           (_l("带去的慰问或帮助"), 30), (_l("需要跟进的事项"), 30)]


def _rows(triggers):
    for t in triggers:
        v = t.visits[0] if t.visits else None
        yield (t.person.name, str(t.person.team_label), str(t.reason_label), f"{t.happened_on:%Y-%m-%d}", t.note or "",
               t.responsible.name, f"{t.due_on:%Y-%m-%d}", f"{v.visited_on:%Y-%m-%d}" if v else _("未走访"),
               v.visitors if v else "", v.brought if v else "", (v.follow_up or "") if v else "")


def ledger_workbook(year: int, user):
    export = LoggedExport(user, SUBJECT, f"{SUBJECT}.xlsx", {"year": year})
    out = write_table(_("关爱台账"), COLUMNS, export.count(_rows(year_triggers(year))))
    export.finish()
    return out, f"{_('关爱台账')}_{year}.xlsx", f"fuxin-care-{year}.xlsx"
