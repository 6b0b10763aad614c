"""Directive views: thin — parse, check access, call a service, render.

Leaders and admins publish; everyone sees the directives sent to their places, and a page
per directive (the tablet's: per target place, relayed or not). Relaying is the field's
task-log form (/log?directive_id=…&place_id=…), offline too through the sync."""
from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import roles_required
from ..auth.models import OVERSIGHT_ROLES
from ..field.panels import TOP, home_panel
from ..timeutil import local_today
from ..web import form_status, render
from . import bp
from .forms import DirectiveForm
from .services import (get_directive, list_directives, outstanding_for, publish_directive, target_choices,
                       target_states, uncovered_places)


@home_panel("directives", "directives/_home.html", slot=TOP, order=20)
def _home_directives(user):
    outstanding = outstanding_for(user)
    return {"directives": outstanding, "today": local_today()} if outstanding else None


@bp.get("/")
@login_required
def index():
    """Leaders: every directive, "8/10 村已传达", overdue marked. Field staff: those sent to their places."""
    return render("directives/index.html", items=list_directives(current_user),
                  may_publish=current_user.sees_all)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*OVERSIGHT_ROLES)
def new():
    form = DirectiveForm()
    form.place_ids.choices = target_choices()
    if form.validate_on_submit():
        directive = publish_directive(current_user, form.title.data, form.body.data, form.due_on.data,
                                      form.place_ids.data or [], form.all_places.data)
        flash(_("已发布传达部署"), "success")
        nobody = uncovered_places(t.place_id for t in directive.targets)
        if nobody:
            flash(_("以下地点无人包片：%(places)s", places="、".join(p.name for p in nobody)), "error")
        return redirect(url_for("directives.show", directive_id=directive.id))
    return render("directives/new.html", form=form, status=form_status(form))


@bp.get("/<int:directive_id>")
@login_required
def show(directive_id):
    directive = get_directive(directive_id, current_user)  # NotFound: 404, not yours or not there
    states = target_states(directive, current_user)
    return render("directives/show.html", directive=directive, states=states,
                  relayed=sum(1 for s in states if s.relays))
