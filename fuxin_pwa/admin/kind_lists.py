"""The admin's coded lists: task kinds (工作类型) and the services of service days (便民服务
项目). Each entry has a code devices and old records name it by (never changed), Chinese and
English labels, an order and a switch; one pair of views and templates serves both lists."""
from dataclasses import dataclass

from flask import flash, redirect, url_for
from flask_babel import lazy_gettext as _l

from ..field.models import TaskKind
from ..service_days.models import ServiceKind
from ..web import form_status, page_args, render
from . import queries, services
from .forms import TaskKindForm


@dataclass(frozen=True)
class KindList:
    model: type
    endpoint: str  # the list's view
    edit_endpoint: str
    title: object
    add_title: object
    edit_title: object  # with %(label)s
    added: object  # flash, with %(label)s
    saved: object
    example: object  # the placeholder of a new entry's Chinese name
    example_en: str
    example_code: str
    inactive_hint: object


TASK_KINDS = KindList(TaskKind, "admin.task_kinds", "admin.edit_task_kind", _l("工作类型"), _l("添加类型"), _l("编辑工作类型：%(label)s"),
                      _l("已添加工作类型：%(label)s"), _l("已保存工作类型：%(label)s"), _l("如：安全巡查"),
                      "Safety patrol", "safety_patrol", _l("停用后不再出现在“记一笔”中，已有记录保留"))
SERVICE_KINDS = KindList(ServiceKind, "admin.service_kinds", "admin.edit_service_kind", _l("便民服务项目"), _l("添加服务项目"),
                         _l("编辑服务项目：%(label)s"), _l("已添加服务项目：%(label)s"), _l("已保存服务项目：%(label)s"),
                         _l("如：磨刀"), "Knife sharpening", "knife_sharpening",
                         _l("停用后新的服务日不再提供，已有服务日和登记保留"))


def list_view(spec: KindList):
    """The list, and a form to add an entry."""
    form = TaskKindForm(model=spec.model)
    if form.validate_on_submit():
        kind = services.save_kind(form, model=spec.model)
        flash(str(spec.added) % {"label": kind.display_label}, "success")
        return redirect(url_for(spec.endpoint))
    return render("admin/task_kinds.html", form=form, spec=spec,
                  page=queries.kind_page(*page_args(), model=spec.model), status=form_status(form))


def edit_view(spec: KindList, kind_id: int):
    kind = services.get_record(spec.model, kind_id)
    form = TaskKindForm(obj=kind, task_kind=kind, model=spec.model)
    if form.validate_on_submit():
        services.save_kind(form, kind, model=spec.model)
        flash(str(spec.saved) % {"label": kind.display_label}, "success")
        return redirect(url_for(spec.endpoint))
    return render("admin/task_kind_form.html", form=form, task_kind=kind, spec=spec, status=form_status(form))



