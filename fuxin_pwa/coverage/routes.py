"""Weekly coverage (全域覆盖): thin views — parse, check access, query, render.

Leaders and admins only, checked once here by `leaders_only`."""
from flask import abort, request
from flask_babel import ngettext
from flask_login import current_user

from ..access import roles_required
from ..auth.models import OVERSIGHT_ROLES
from ..domain import an_id
from ..care.queries import owed_visits
from ..photos.services import photos_for_records
from ..rounds.queries import overdue_by_place
from ..web import form_status, render
from . import bp
from .forms import WeekForm
from .queries import CELL_LIMIT, cell_evidence, week_coverage

leaders_only = roles_required(*OVERSIGHT_ROLES)


class PerCount(dict):
    """A plural label looked up once per distinct number: the matrix has a cell per person
    and place, and each translation lookup costs more than the rest of the cell."""

    def __init__(self, label):
        super().__init__()
        self.label = label

    def __missing__(self, n):
        self[n] = text = self.label(n)
        return text



@bp.get("/")
@leaders_only
def index():
    """Liaisons × villages and grid workers × grids for a week, the 12-week strips and what
    no one has visited yet."""
    form = WeekForm(request.args)
    week = form.chosen_week()
    return render("coverage/index.html", status=form_status(form), form=form, week=week,
                  coverage=week_coverage(week), overdue_rounds=overdue_by_place() if week.is_current else None,
                  # Leaders land here, not on the field home: the care visits they owe are named too.
                  care_owed=owed_visits(current_user.id),
                  times=PerCount(lambda n: ngettext("%(num)s 次", "%(num)s 次", n)),
                  weak_times=PerCount(lambda n: ngettext("含定位精度低/无定位 %(num)s 次", "含定位精度低/无定位 %(num)s 次", n)))


@bp.get("/cell")
@leaders_only
def cell():
    """The evidence behind one cell: a whole page, or the panel's content for htmx."""
    week = WeekForm(request.args).chosen_week()
    evidence = cell_evidence(request.args.get("user_id", type=an_id), request.args.get("place_id", type=an_id), week)
    if evidence is None:
        abort(404)
    photos = photos_for_records([*evidence.checkins, *evidence.task_logs])
    return render("coverage/cell.html", "coverage/_cell.html", evidence=evidence, photos=photos, week=week,
                  limit=CELL_LIMIT)
