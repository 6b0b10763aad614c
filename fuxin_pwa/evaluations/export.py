"""The round's 考核结果表 as an Excel sheet, through the ledgers' writer (formula-safe cells),
and in the access log like every export (it names people and their grades)."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..privacy.services import LoggedExport
from ..stats.workbook import write_table
from .models import GRADE_LABELS
from .scoring import PANEL, RESIDENTS, SELF, SUBDISTRICT
from .services import results

SUBJECT = "evaluation"
COLUMNS = [(_l("姓名"), 12), (_l("社区/村"), 14), (_l("群众评议"), 10), (_l("社区自评"), 10), (_l("街道通评"), 10),
           (_l("考核组综评"), 12), (_l("附加评价加分"), 12), (_l("总分"), 8), (_l("等次"), 10), (_l("说明"), 40)]


def _number(value):
    return "" if value is None else round(value, 1)


def _rows(rnd, places):
    for r in results(rnd):
        notes = []
        if not r.residents_counted:
            notes.append(_("群众评议票数 %(n)s 未达 %(m)s，不计入，其余三方权重按比例折算", n=r.residents_votes,
                           m=rnd.vote_minimum))
        elif r.combined.rescaled:
            notes.append(_("有评议方尚未评分，已按比例折算权重"))
        yield (r.person.name, places.get(r.community_id, ""), _number(r.parts[RESIDENTS]), _number(r.parts[SELF]),
               _number(r.parts[SUBDISTRICT]), _number(r.parts[PANEL]), _number(r.bonus), _number(r.combined.total),
               str(GRADE_LABELS.get(r.grade, "")) if r.grade else _("未评定"), "；".join(notes))


def results_workbook(rnd, user):
    places = {link.place_id: link.place.name for link in rnd.links}
    export = LoggedExport(user, SUBJECT, f"{SUBJECT}.xlsx", {}, subject_id=rnd.id)
    out = write_table(_("考核结果表"), COLUMNS, export.count(_rows(rnd, places)))
    export.finish()
    return out, f"{rnd.title}_{_('考核结果表')}.xlsx", f"fuxin-evaluation-{rnd.id}.xlsx"
