"""A roster as the grid the office keeps on the wall: a row per day, a column per shift, the
names in the cells; through the ledgers' writer (formula-safe cells) and in the access log,
since people's names leave the app with it."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..privacy.services import LoggedExport
from ..stats.workbook import write_table
from ..timeutil import local_today
from .queries import roster_grid

SUBJECT = "roster"
WEEKDAYS = (_l("周一"), _l("周二"), _l("周三"), _l("周四"), _l("周五"), _l("周六"), _l("周日"))


def _rows(grid):
    for day in grid.days:
        cells = ["、".join(p.user.name for s in grid.cells.get((day, label), []) for p in s.people)
                 for label in grid.labels]
        yield (f"{day:%Y-%m-%d}", str(WEEKDAYS[day.weekday()]), *cells)


def roster_workbook(roster, user):
    """The workbook (a rewound temporary file) and its Chinese and ASCII file names."""
    export = LoggedExport(user, SUBJECT, f"{SUBJECT}.xlsx", {"roster_id": roster.id}, subject_id=roster.id)
    grid = roster_grid(roster)
    columns = [(_l("日期"), 12), (_l("星期"), 8), *((label, 24) for label in grid.labels)]
    out = write_table(_("值守排班"), columns, export.count(_rows(grid)))
    export.finish()
    day = f"{local_today():%Y%m%d}"
    return out, f"{_('值守排班')}_{roster.name[:40]}_{day}.xlsx", f"fuxin-roster-{roster.id}-{day}.xlsx"
