"""Training views: thin — parse, check access, call a service, render.

Sessions, attendance and the reports are for leaders and admins (the organisers). A person's
credentials are personnel data: the person adds and sees their own, leaders and admins
everyone's; anyone else gets 404, as on the profile."""
from datetime import date

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from ..access import roles_required
from ..auth.models import OVERSIGHT_ROLES, TEAM_LABELS, User
from ..directives.attachments import AttachmentRefused
from ..domain import NotFound
from ..extensions import db
from ..people.sections import profile_section
from ..people.services import get_person
from ..timeutil import local_today
from ..web import form_status, is_htmx, render
from . import bp
from .forms import ConfirmForm, CredentialForm, SessionForm
from .models import EDUCATION, LEVELS, QUALIFICATION, Credential, TrainingAttendance, TrainingSession
from .queries import (attendance_of, certificate_counts, credentials_of, education_raised, hours_for,
                      sessions_attended, sessions_in, team_hours)
from .services import add_credential, create_session, photo_file, read_photo, remove_credential, set_attended


def _year() -> int:
    year = request.args.get("year", local_today().year, type=int)
    return year if 2000 <= year <= 2100 else local_today().year


@profile_section("training", order=20)
def _profile_training(viewer, person):
    year = local_today().year
    start, end = date(year, 1, 1), date(year, 12, 31)
    last_year = hours_for([person.id], date(year - 1, 1, 1), date(year - 1, 12, 31))[person.id]
    return Markup(render_template(
        "training/_profile.html", person=person, year=year, hours=hours_for([person.id], start, end)[person.id],
        last_year=last_year, sessions=sessions_attended(person.id, start, end), credentials=credentials_of(person.id)))


@bp.get("/")
@roles_required(*OVERSIGHT_ROLES)
def index():
    year = _year()
    return render("training/index.html", sessions=sessions_in(year), year=year, teams=TEAM_LABELS)


def _person_choices():
    people = db.session.scalars(db.select(User).where(User.active).order_by(User.name, User.id)).all()
    return [(p.id, f"{p.name}（{p.team_label or p.role_label}）") for p in people]


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*OVERSIGHT_ROLES)
def new():
    form = SessionForm()
    form.person_ids.choices = _person_choices()
    if form.validate_on_submit():
        session = create_session(current_user, form.kind.data, form.title.data, form.held_on.data, form.hours.data,
                                 form.place.data, form.trainer.data, form.teams.data, form.person_ids.data)
        flash(_("已创建培训，应参加 %(n)s 人", n=len(session.expected)), "success")
        return redirect(url_for("training.show", session_id=session.id))
    return render("training/new.html", form=form, status=form_status(form))


@bp.get("/<int:session_id>")
@roles_required(*OVERSIGHT_ROLES)
def show(session_id):
    session = db.get_or_404(TrainingSession, session_id)
    return render("training/show.html", training=session, rows=attendance_of(session.id), confirm=ConfirmForm())


@bp.post("/<int:session_id>/attendance/<int:user_id>")
@roles_required(*OVERSIGHT_ROLES)
def attendance(session_id, user_id):
    """One tap: 到 or 未到 for one person of the expected list; htmx swaps their row."""
    session = db.get_or_404(TrainingSession, session_id)
    row = db.session.scalar(db.select(TrainingAttendance).where(TrainingAttendance.session_id == session.id,
                                                                TrainingAttendance.user_id == user_id))
    if row is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        set_attended(row, request.form.get("attended") == "1")
    if is_htmx():
        return render_template("training/_attendance_row.html", training=session, row=row, confirm=ConfirmForm())
    return redirect(url_for("training.show", session_id=session.id))


@bp.get("/teams")
@roles_required(*OVERSIGHT_ROLES)
def teams():
    """A team's training hours this year, by name, and who has had none."""
    team = request.args.get("team", "")
    team = team if team in TEAM_LABELS else next(iter(TEAM_LABELS))
    year = _year()
    return render("training/teams.html", team=team, teams=TEAM_LABELS, year=year, hours=team_hours(team, year))


@bp.get("/reports")
@roles_required(*OVERSIGHT_ROLES)
def reports():
    year = _year()
    return render("training/reports.html", year=year, certificates=certificate_counts(),
                  raised=education_raised(year), levels=LEVELS, QUALIFICATION=QUALIFICATION, EDUCATION=EDUCATION)


@bp.route("/people/<int:person_id>/credentials", methods=["GET", "POST"])
@login_required
def add_credentials(person_id):
    person = get_person(person_id, current_user)
    form = CredentialForm()
    if form.validate_on_submit():
        try:
            photo = read_photo(form.photo.data)
        except AttachmentRefused as refused:
            form.photo.errors = [refused.message]
        else:
            add_credential(current_user, person, form.level.data, form.obtained_on.data, photo)
            flash(_("已保存"), "success")
            return redirect(url_for("people.show", person_id=person.id))
    status = 422 if form.errors or form.photo.errors else 200
    return render("training/credential.html", form=form, person=person, status=status)


@bp.route("/credentials/<int:credential_id>/delete", methods=["GET", "POST"])
@login_required
def delete_credential(credential_id):
    """Taking off a certificate or degree entered by mistake, after a confirmation: whoever
    may add one to this profile (the person, leaders, admins)."""
    credential = db.session.get(Credential, credential_id)
    if credential is None:
        raise NotFound()
    person = get_person(credential.user_id, current_user)  # not theirs: 404
    form = ConfirmForm()
    if form.validate_on_submit():
        remove_credential(credential)
        flash(_("已删除"), "success")
        return redirect(url_for("people.show", person_id=person.id))
    return render("training/delete_credential.html", form=form, credential=credential, person=person,
                  status=form_status(form))


@bp.get("/credentials/<int:credential_id>/photo")
@login_required
def credential_photo(credential_id):
    credential = db.session.get(Credential, credential_id)
    if credential is None:
        raise NotFound()
    get_person(credential.user_id, current_user)  # not theirs: 404
    path = photo_file(credential)
    if path is None:
        raise NotFound()
    response = send_file(path, mimetype=credential.photo_type)
    response.headers["Cache-Control"] = "private, no-store"
    return response
