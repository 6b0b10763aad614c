"""Directive views: thin — parse, check access, call a service, render.

Leaders and admins publish, edit, withdraw and export; everyone sees the directives sent to
their places, and a page per directive (the tablet's: per target place, relayed or not) with
its files. Relaying is the field's task-log form (/log?directive_id=…&place_id=…), offline
too through the sync."""
from flask import abort, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import roles_required
from ..auth.models import OVERSIGHT_ROLES
from ..field.panels import TOP, home_panel
from ..stats.workbook import content_disposition, xlsx_download
from ..timeutil import local_today
from ..web import form_status, page_args, render
from . import bp
from .attachments import ENDINGS, RULES, AttachmentRefused, file_path
from .export import directive_workbook
from .forms import ConfirmForm, DirectiveForm
from .queries import list_directives, target_states
from .services import (AlreadyWithdrawn, Edit, TargetsRelayed, edit_directive, get_attachment, get_directive,
                       outstanding_for, publish_directive, target_choices, uncovered_places, withdraw_directive)


@home_panel("directives", "directives/_home.html", slot=TOP, order=20)
def _home_directives(user):
    outstanding = outstanding_for(user)
    return {"directives": outstanding, "today": local_today()} if outstanding else None


@bp.get("/")
@login_required
def index():
    """Leaders: every directive, "8/10 村已传达", overdue and withdrawn marked. Field staff:
    those sent to their places. A page at a time."""
    return render("directives/index.html", page=list_directives(current_user, *page_args()),
                  may_publish=current_user.sees_all)


def _warn_uncovered(place_ids) -> None:
    nobody = uncovered_places(place_ids)
    if nobody:
        flash(_("以下地点无人包片：%(places)s", places="、".join(p.name for p in nobody)), "error")


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*OVERSIGHT_ROLES)
def new():
    form = DirectiveForm()
    form.place_ids.choices = target_choices()
    if form.validate_on_submit():
        directive = publish_directive(current_user, form.title.data, form.body.data, form.due_on.data,
                                      form.place_ids.data or [], form.all_places.data, uploads=form.uploads)
        flash(_("已发布传达部署"), "success")
        _warn_uncovered(t.place_id for t in directive.targets)
        return redirect(url_for("directives.show", directive_id=directive.id))
    return render("directives/new.html", form=form, rules=RULES, status=form_status(form))


@bp.get("/<int:directive_id>")
@login_required
def show(directive_id):
    directive = get_directive(directive_id, current_user)  # NotFound: 404, not yours or not there
    states = target_states(directive, current_user)
    return render("directives/show.html", directive=directive, states=states,
                  relayed=sum(1 for s in states if s.relays), may_manage=current_user.sees_all)


@bp.route("/<int:directive_id>/edit", methods=["GET", "POST"])
@roles_required(*OVERSIGHT_ROLES)
def edit(directive_id):
    """Its words, date, places (added; one already relayed stays) and files."""
    directive = get_directive(directive_id, current_user)
    if directive.withdrawn:
        flash(_("已撤回的传达部署不能再修改"), "error")
        return redirect(url_for("directives.show", directive_id=directive.id))
    targets = [t.place_id for t in directive.targets]
    form = DirectiveForm(data={"title": directive.title, "body": directive.body, "due_on": directive.due_on,
                               "place_ids": targets}, kept_attachments=len(directive.attachments))
    form.place_ids.choices = target_choices(keep=targets)
    form.remove_attachment_ids.choices = [(a.id, a.filename) for a in directive.attachments]
    if form.validate_on_submit():
        try:
            added = edit_directive(directive, current_user, Edit(
                form.title.data, form.body.data, form.due_on.data, form.place_ids.data or [], form.all_places.data,
                form.uploads, form.removed_attachment_ids()))
        except TargetsRelayed as refused:
            form.place_ids.errors.append(_("%(places)s 已有传达记录，不能移出传达范围",
                                           places="、".join(refused.places)))
        except AttachmentRefused as refused:  # files added meanwhile by someone else
            form.attachments.errors.append(refused.message)
        except AlreadyWithdrawn:
            flash(_("已撤回的传达部署不能再修改"), "error")
            return redirect(url_for("directives.show", directive_id=directive.id))
        else:
            flash(_("已保存修改"), "success")
            _warn_uncovered(p.id for p in added)
            return redirect(url_for("directives.show", directive_id=directive.id))
    return render("directives/edit.html", form=form, directive=directive, rules=RULES, status=form_status(form))


@bp.route("/<int:directive_id>/withdraw", methods=["GET", "POST"])
@roles_required(*OVERSIGHT_ROLES)
def withdraw(directive_id):
    """GET asks to confirm (without JavaScript too); the POST withdraws. A POST without its
    token never gets here: CSRFProtect answers it."""
    directive = get_directive(directive_id, current_user)
    form = ConfirmForm()
    if form.validate_on_submit():
        if withdraw_directive(directive, current_user):
            flash(_("已撤回，各村居不再收到此传达部署"), "success")
        return redirect(url_for("directives.show", directive_id=directive.id))
    if directive.withdrawn:
        flash(_("此传达部署已撤回"), "success")
        return redirect(url_for("directives.show", directive_id=directive.id))
    return render("directives/withdraw.html", directive=directive)


@bp.get("/<int:directive_id>.xlsx")
@roles_required(*OVERSIGHT_ROLES)
def export(directive_id):
    """Per target place: relayed or not, by whom, when, to how many, overdue. Logged."""
    directive = get_directive(directive_id, current_user)
    return xlsx_download(*directive_workbook(directive, current_user))


@bp.get("/<int:directive_id>/attachments/<int:attachment_id>")
@login_required
def attachment(directive_id, attachment_id):
    """A file of a directive the person may see; 404 for anyone else (no hint it exists).
    Always a download, never shown as a page of this site, and never sniffed into one."""
    item = get_attachment(get_directive(directive_id, current_user), attachment_id)
    path = file_path(item) or abort(404)
    response = send_file(path, mimetype=item.content_type, conditional=True, etag=True)
    response.headers["Content-Disposition"] = content_disposition(
        item.filename, f"fuxin-directive-{directive_id}-{item.id}.{ENDINGS[item.content_type][0]}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Private: a shared cache must not hand it on; revalidated, so a withdrawal is heard.
    response.headers["Cache-Control"] = "private, no-cache"
    return response
