"""The 薪级台账 for the payroll office as an Excel sheet: one row per community worker, by
community and name, through the ledgers' writer (formula-safe cells), and in the access log
like every export (it names people and their pay grade)."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..privacy.services import LoggedExport
from ..stats.workbook import write_table
from .queries import ledger

SUBJECT = "grades"
COLUMNS = [(_l("姓名"), 12), (_l("社区/村"), 14), (_l("岗位"), 16), (_l("参加社区工作时间"), 14), (_l("学历"), 10),
           (_l("社工证"), 14), (_l("薪级"), 8), (_l("下一档"), 8), (_l("下一档日期"), 12)]


def _rows(rows):
    for r in rows:
        calc = r.calculation
        yield (r.person.name, r.community, r.post_label,
               f"{r.post.service_start:%Y-%m-%d}" if r.post else "", r.education.label if r.education else "",
               r.certificate.label if r.certificate else "", calc.grade if calc else _("未定岗"),
               (calc.next_grade or _("已到最高级")) if calc else "",
               f"{calc.next_on:%Y-%m-%d}" if calc and calc.next_on else "")


def ledger_workbook(today, user):
    export = LoggedExport(user, SUBJECT, f"{SUBJECT}.xlsx", {"on": f"{today:%Y-%m-%d}"})
    out = write_table(_("薪级台账"), COLUMNS, export.count(_rows(ledger(today))))
    export.finish()
    return out, f"{_('薪级台账')}_{today:%Y%m%d}.xlsx", f"fuxin-grades-{today:%Y%m%d}.xlsx"
