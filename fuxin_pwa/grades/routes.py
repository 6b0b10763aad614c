"""Grade ledger views: thin — parse, check access, call a query or service, render.

The ledger, one person's reckoning, setting a post and confirming a change are for leaders and
admins; the person sees their own grade on their profile (peers never reach a profile)."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ..access import roles_required
from ..auth.models import COMMUNITY_WORKER, OVERSIGHT_ROLES, User
from ..domain import NotFound
from ..extensions import db
from ..people.sections import profile_section
from ..stats.workbook import xlsx_download
from ..timeutil import local_today
from ..web import form_status, render
from . import bp
from .export import ledger_workbook
from .forms import ChangeForm, PostForm
from .queries import changes_of, current_rule, ledger, post_choices, row_of
from .services import confirm_change, set_post


def _worker(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None or person.role != COMMUNITY_WORKER:
        raise NotFound()
    return person


@profile_section("grade", order=35)
def _profile_grade(viewer, person):
    if person.role != COMMUNITY_WORKER:
        return None
    row = row_of(person, local_today())
    if row.calculation is None:
        return None
    return Markup(render_template("grades/_profile.html", row=row, changes=changes_of(person.id),
                                  oversight=viewer.role in OVERSIGHT_ROLES))


@bp.get("/")
@roles_required(*OVERSIGHT_ROLES)
def index():
    rows = ledger(local_today())
    groups: dict[str, list] = {}
    for row in rows:  # already by community, then name
        groups.setdefault(row.community, []).append(row)
    return render("grades/index.html", groups=groups, pending=sum(1 for r in rows if r.differs))


@bp.get("/<int:user_id>")
@roles_required(*OVERSIGHT_ROLES)
def show(user_id):
    person = _worker(user_id)
    return _show_page(person, ChangeForm())


def _show_page(person, form, status=200):
    return render("grades/show.html", row=row_of(person, local_today()), changes=changes_of(person.id), form=form,
                  status=status)


@bp.post("/<int:user_id>/confirm")
@roles_required(*OVERSIGHT_ROLES)
def confirm(user_id):
    """A leader confirms the grade the rule now gives, with a reason (the grade_change record)."""
    person = _worker(user_id)
    form = ChangeForm()
    row = row_of(person, local_today())
    if not row.differs:
        flash(_("薪级没有变化，无需确认"), "info")
        return redirect(url_for("grades.show", user_id=person.id))
    if form.validate_on_submit():
        change = confirm_change(row, current_user, form.reason.data, local_today())
        flash(_("已确认 %(name)s 调整为 %(n)s级", name=person.name, n=change.to_grade), "success")
        return redirect(url_for("grades.show", user_id=person.id))
    return _show_page(person, form, status=form_status(form))


@bp.route("/<int:user_id>/post", methods=["GET", "POST"])
@roles_required(*OVERSIGHT_ROLES)
def edit_post(user_id):
    person = _worker(user_id)
    row = row_of(person, local_today())
    form = PostForm(obj=row.post)
    form.post.choices = post_choices(current_rule())
    if form.validate_on_submit():
        set_post(person, form.post.data, form.service_start.data)
        flash(_("已保存"), "success")
        return redirect(url_for("grades.show", user_id=person.id))
    return render("grades/post.html", form=form, person=person, status=form_status(form))


@bp.get("/export.xlsx")
@roles_required(*OVERSIGHT_ROLES)
def export():
    out, name, ascii_name = ledger_workbook(local_today(), current_user)
    return xlsx_download(out, name, ascii_name)
