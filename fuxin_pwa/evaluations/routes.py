"""Evaluation views: thin — parse, check access, call a service, render.

Rounds, marks, the vote posters and the results table are for leaders and admins. A person's
result is personnel data: the person sees their own (each side's part), leaders and admins
everyone's; anyone else gets 404, as on the profile."""
import io

import segno
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from ..access import roles_required
from ..auth.models import OVERSIGHT_ROLES, TEAM_LABELS
from ..domain import NotFound
from ..extensions import db
from ..people.sections import profile_section
from ..people.services import get_person
from ..stats.workbook import xlsx_download
from ..timeutil import local_today
from ..web import form_status, render
from . import bp
from .evidence import evidence_for
from .export import results_workbook
from .forms import ConfirmForm, RoundForm, marks_form, marks_from, mark_field_name, split_items
from .models import GRADE_LABELS, MARKED_SIDES, SIDE_LABELS, EvaluationRound, VoteLink
from .scoring import SIDES
from .services import (ballot_counts, close_vote, create_round, marks_of, note_of, results, rounds_of_person,
                       save_marks)

leaders_only = roles_required(*OVERSIGHT_ROLES)
LABELS = {"sides": SIDE_LABELS, "grades": GRADE_LABELS, "SIDES": SIDES}


@profile_section("evaluations", order=45)
def evaluation_section(viewer, person):
    """The person's result in each round of their team, each side's part shown."""
    rows = [(rnd, (results(rnd, only=person.id) or [None])[0]) for rnd in rounds_of_person(person)]
    rows = [(rnd, r) for rnd, r in rows if r is not None]
    if not rows:
        return None
    return Markup(render_template("evaluations/_profile.html", rows=rows, person=person, today=local_today(),
                                  **LABELS))


@bp.get("/")
@leaders_only
def index():
    rounds = db.session.scalars(db.select(EvaluationRound).order_by(EvaluationRound.ends_on.desc(),
                                                                    EvaluationRound.id.desc()).limit(100)).all()
    return render("evaluations/index.html", rounds=rounds, teams=TEAM_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@leaders_only
def new():
    form = RoundForm()
    if form.validate_on_submit():
        rnd = create_round(current_user, form.title.data, form.team.data, form.starts_on.data, form.ends_on.data,
                           split_items(form.items.data), form.weights(), form.vote_minimum.data,
                           form.excellent_share.data, form.bonus_cap.data)
        flash(_("已创建考核，每个社区的群众评议二维码在下方"), "success")
        return redirect(url_for("evaluations.show", round_id=rnd.id))
    return render("evaluations/new.html", form=form, status=form_status(form))


@bp.get("/<int:round_id>")
@leaders_only
def show(round_id):
    rnd = db.get_or_404(EvaluationRound, round_id)
    return render("evaluations/show.html", rnd=rnd, counts=ballot_counts(rnd.id), results=results(rnd),
                  team=TEAM_LABELS.get(rnd.team, rnd.team), **LABELS)


def _person_in(rnd, person_id):
    person = get_person(person_id, current_user)  # not theirs to see: 404
    if person.role != rnd.team:
        raise NotFound()
    return person


def _marks_page(rnd, person, form, status=200):
    result = results(rnd, only=person.id)[0]
    return render("evaluations/person.html", rnd=rnd, person=person, form=form, result=result, today=local_today(),
                  evidence=evidence_for(person.id, rnd), marked=MARKED_SIDES, field_name=mark_field_name,
                  status=status, **LABELS)


@bp.get("/<int:round_id>/people/<int:person_id>")
@login_required
def person(round_id, person_id):
    rnd = db.get_or_404(EvaluationRound, round_id)
    person = _person_in(rnd, person_id)
    form = None
    if current_user.sees_all:
        form = marks_form(rnd.items)
        for side, scores in marks_of(rnd.id, person.id).items():
            for i, item in enumerate(rnd.items):
                if side in MARKED_SIDES:
                    form[mark_field_name(side, i)].data = scores.get(item)
        note = note_of(rnd.id, person.id)
        if note:
            form.daily.data, form.extra.data, form.bonus.data = note.daily, note.extra, note.bonus
    return _marks_page(rnd, person, form)


@bp.post("/<int:round_id>/people/<int:person_id>")
@login_required
def mark(round_id, person_id):
    rnd = db.get_or_404(EvaluationRound, round_id)
    person = _person_in(rnd, person_id)
    if not current_user.sees_all:  # the person sees their result; the panel marks
        raise NotFound()
    form = marks_form(rnd.items, request.form)
    if form.validate_on_submit():
        save_marks(rnd, person, current_user, marks_from(form), form.daily.data, form.extra.data, form.bonus.data)
        flash(_("已保存%(name)s的评分", name=person.name), "success")
        return redirect(url_for("evaluations.person", round_id=rnd.id, person_id=person.id))
    return _marks_page(rnd, person, form, form_status(form) if form.errors else 400)


def _link(rnd, link_id) -> VoteLink:
    link = db.session.get(VoteLink, link_id)
    if link is None or link.round_id != rnd.id:
        abort(404)
    return link


def vote_url(link) -> str:
    return url_for("votes.ballot", token=link.token, _external=True)


@bp.get("/<int:round_id>/votes/<int:link_id>/poster")
@leaders_only
def poster(round_id, link_id):
    """The printable poster, also what the centre's tablet shows full screen."""
    rnd = db.get_or_404(EvaluationRound, round_id)
    link = _link(rnd, link_id)
    return render("evaluations/poster.html", rnd=rnd, link=link, url=vote_url(link))


@bp.get("/<int:round_id>/votes/<int:link_id>/qr.svg")
@leaders_only
def qr(round_id, link_id):
    """The QR code of the vote page, drawn here as SVG (segno): no outside service sees the token."""
    link = _link(db.get_or_404(EvaluationRound, round_id), link_id)
    out = io.BytesIO()
    segno.make(vote_url(link), error="m").save(out, kind="svg", scale=8, border=2, xmldecl=False)
    out.seek(0)
    response = send_file(out, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/<int:round_id>/votes/<int:link_id>/close")
@leaders_only
def close(round_id, link_id):
    rnd = db.get_or_404(EvaluationRound, round_id)
    link = _link(rnd, link_id)
    if ConfirmForm().validate_on_submit():  # an empty form: the CSRF check alone
        close_vote(link)
        flash(_("%(place)s的群众评议已结束投票", place=link.place.name), "success")
    return redirect(url_for("evaluations.show", round_id=rnd.id))


@bp.get("/<int:round_id>/results.xlsx")
@leaders_only
def export(round_id):
    rnd = db.get_or_404(EvaluationRound, round_id)
    out, name, ascii_name = results_workbook(rnd, current_user)
    return xlsx_download(out, name, ascii_name)
