"""The personnel profile: /people/ for leaders and admins to find anyone, /people/me for
one's own, /people/<id> for the person, leaders and admins (404 for anyone else). The
profile photo follows the same rule: uploaded and seen by the person, leaders and admins."""
from flask import flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import roles_required
from ..auth.models import OVERSIGHT_ROLES, TEAM_LABELS
from ..domain import NotFound
from ..web import form_status, render
from . import bp
from .forms import PhotoForm
from .photos import PhotoRefused, photo_file, photo_of, read_portrait, set_photo
from .sections import sections_for
from .services import get_person, people_by_team


@bp.get("/")
@roles_required(*OVERSIGHT_ROLES)
def index():
    return render("people/index.html", groups=people_by_team(), teams=TEAM_LABELS)


@bp.get("/me")
@login_required
def me():
    return redirect(url_for("people.show", person_id=current_user.id))


@bp.get("/<int:person_id>")
@login_required
def show(person_id):
    person = get_person(person_id, current_user)
    return render("people/show.html", person=person, photo=photo_of(person.id),
                  sections=sections_for(current_user, person))


@bp.route("/<int:person_id>/photo/edit", methods=["GET", "POST"])
@login_required
def edit_photo(person_id):
    person = get_person(person_id, current_user)
    form = PhotoForm()
    if form.validate_on_submit():
        try:
            portrait = read_portrait(form.photo.data)
        except PhotoRefused as refused:
            form.photo.errors = [refused.message]
        else:
            set_photo(current_user, person, portrait)
            flash(_("照片已更新"), "success")
            return redirect(url_for("people.show", person_id=person.id))
    return render("people/photo.html", form=form, person=person, photo=photo_of(person.id),
                  status=form_status(form))


@bp.get("/<int:person_id>/photo")
@login_required
def photo(person_id):
    person = get_person(person_id, current_user)
    path = photo_file(photo_of(person.id))
    if path is None:
        raise NotFound()
    response = send_file(path, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=86400"  # the URL names its version (?v=)
    return response
