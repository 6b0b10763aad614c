"""The personnel profile: /people/ for leaders and admins to find anyone, /people/me for
one's own, /people/<id> for the person, leaders and admins (404 for anyone else)."""
from flask import redirect, url_for
from flask_login import current_user, login_required

from ..access import roles_required
from ..auth.models import OVERSIGHT_ROLES, TEAM_LABELS
from ..web import render
from . import bp
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
    return render("people/show.html", person=person, sections=sections_for(current_user, person))
