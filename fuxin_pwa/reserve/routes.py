"""Reserve-pool views: thin — parse, check access, call a service, render.

The pool, nominations, the candidate page and the roster export are for leaders and admins.
A young cadre never opens these pages: their own candidacy is shown on their own profile
(the profile lets in only the person, leaders and admins, so a peer gets 404 there)."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ..access import roles_required
from ..auth.models import OVERSIGHT_ROLES, User
from ..extensions import db
from ..people.sections import profile_section
from ..stats.workbook import xlsx_download
from ..web import form_status, render
from . import bp
from .export import roster_workbook
from .forms import MoveForm, NominateForm, NoteForm
from .models import STATUSES, TRANSITIONS, ReserveCandidate
from .queries import candidate_of, history_of, nominable, notes_of, one_evidence, pool
from .services import ReserveRefused, add_note, move, nominate


@profile_section("reserve", order=60)
def _profile_reserve(viewer, person):
    """The candidacy, its history and the leaders' notes, to leaders and to the person too:
    a personnel record is the person's own and their leaders' (issue 12), so a cadre reads
    what was written about them; a peer never reaches a profile not theirs."""
    candidate = candidate_of(person.id)
    if candidate is None:
        return None
    within, evidence = one_evidence(candidate)
    return Markup(render_template("reserve/_profile.html", candidate=candidate, history=history_of(candidate),
                                  notes=notes_of(candidate), period=within, evidence=evidence,
                                  leader=viewer.role in OVERSIGHT_ROLES))


@bp.get("/")
@roles_required(*OVERSIGHT_ROLES)
def index():
    return render("reserve/index.html", pool=pool(), statuses=STATUSES)


def _refused_onto(form, refused: ReserveRefused) -> None:
    """The service's sentence beside the field it concerns (the first one if none is named)."""
    target = getattr(form, refused.field or "", None) or next(iter(form))
    target.errors = list(target.errors or []) + [refused.message]


@bp.route("/nominate", methods=["GET", "POST"])
@roles_required(*OVERSIGHT_ROLES)
def nominate_view():
    form = NominateForm()
    form.user_id.choices = [(p.id, p.name) for p in nominable()]
    status = 200
    if form.validate_on_submit():
        try:
            candidate = nominate(current_user, db.session.get(User, form.user_id.data), form.nominated_on.data,
                                 form.reason.data)
        except ReserveRefused as refused:
            _refused_onto(form, refused)
            status = 422
        else:
            flash(_("已提名"), "success")
            return redirect(url_for("reserve.show", candidate_id=candidate.id))
    return render("reserve/nominate.html", form=form, status=max(status, form_status(form)))


def _candidate_page(candidate, move_form=None, note_form=None, status=200):
    within, evidence = one_evidence(candidate)
    move_form = move_form or MoveForm(formdata=None)
    move_form.to_status.choices = [(s, STATUSES[s]) for s in TRANSITIONS[candidate.status]]
    return render("reserve/show.html", candidate=candidate, period=within, evidence=evidence,
                  history=history_of(candidate), notes=notes_of(candidate), move_form=move_form,
                  note_form=note_form or NoteForm(formdata=None), status=status)


@bp.get("/<int:candidate_id>")
@roles_required(*OVERSIGHT_ROLES)
def show(candidate_id):
    return _candidate_page(db.get_or_404(ReserveCandidate, candidate_id))


@bp.post("/<int:candidate_id>/status")
@roles_required(*OVERSIGHT_ROLES)
def change_status(candidate_id):
    candidate = db.get_or_404(ReserveCandidate, candidate_id)
    form = MoveForm()  # every status offered here: a step out of the flow is the service's to refuse, saying why
    if form.validate_on_submit():
        try:
            move(current_user, candidate, form.to_status.data, form.on.data, form.reason.data, form.appointed_as.data)
        except ReserveRefused as refused:
            _refused_onto(form, refused)
        else:
            flash(_("状态已更新"), "success")
            return redirect(url_for("reserve.show", candidate_id=candidate.id))
    return _candidate_page(candidate, move_form=form, status=422)


@bp.post("/<int:candidate_id>/notes")
@roles_required(*OVERSIGHT_ROLES)
def note(candidate_id):
    candidate = db.get_or_404(ReserveCandidate, candidate_id)
    form = NoteForm()
    if form.validate_on_submit():
        add_note(current_user, candidate, form.text.data)
        flash(_("已保存"), "success")
        return redirect(url_for("reserve.show", candidate_id=candidate.id))
    return _candidate_page(candidate, note_form=form, status=422)


@bp.get("/export.xlsx")
@roles_required(*OVERSIGHT_ROLES)
def export():
    return xlsx_download(*roster_workbook(current_user))
