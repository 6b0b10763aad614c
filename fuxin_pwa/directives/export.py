"""A directive's places as an Excel sheet, for the office's files: one row per target place,
the same figures as its page, through the ledgers' writer (formula-safe cells) and in the
access log like every export (the relayers' names leave the app with it)."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..privacy.services import LoggedExport
from ..stats.workbook import write_table
from ..timeutil import local_today
from ..web import local_time
from .queries import target_states

SUBJECT = "directive"
COLUMNS = [(_l("地点"), 16), (_l("是否传达"), 10), (_l("传达人"), 18), (_l("传达时间"), 18),
           (_l("传达次数"), 10), (_l("传达人数"), 10), (_l("是否逾期"), 10)]


def _rows(states):
    relayed, waiting, yes = _("已传达"), _("未传达"), _("是")
    for s in states:
        names = list(dict.fromkeys(r.by for r in s.relays))  # each person once, first relay first
        first = s.relays[0].at if s.relays else None
        yield (s.place.name, relayed if s.relays else waiting, "、".join(names),
               local_time(first) if first else "", len(s.relays), s.people_reached, yes if s.overdue else "")


def directive_workbook(directive, user):
    """The workbook (a rewound temporary file) and its two file names: the Chinese one and an
    ASCII one for old clients. Logged before a row is read, its row count after."""
    export = LoggedExport(user, SUBJECT, f"{SUBJECT}.xlsx", {"directive_id": directive.id}, subject_id=directive.id)
    out = write_table(_("传达情况"), COLUMNS, export.count(_rows(target_states(directive, user))))
    export.finish()
    day = f"{local_today():%Y%m%d}"
    return out, f"{_('传达部署')}_{directive.title[:40]}_{day}.xlsx", f"fuxin-directive-{directive.id}-{day}.xlsx"
