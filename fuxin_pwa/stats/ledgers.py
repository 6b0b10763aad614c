"""The ledgers a subdistrict office files (台账): for each, its Chinese sheet name, its columns
and its rows, read in chunks under the same filters as the statistics page.

Ledgers are printed, filed and passed around: residents' phone numbers are masked
(138****5678) and ID numbers never appear. Times are local (Asia/Shanghai), "YYYY-MM-DD HH:MM".
Rows are plain tuples from column queries (no ORM objects), fetched `YIELD_PER` at a time, so
a year of 100k check-ins streams through without being held in memory."""
import heapq
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterator

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from ..auth.models import TEAM_LABELS, User
from ..cases.models import CASE_KINDS, CASE_STATUSES, Case
from ..dispatch.models import DEPLOYMENT_STATES, Deployment, Incident, IncidentAck, IncidentGroup, Post
from ..extensions import db
from ..field.models import LOW_ACCURACY_M, CheckIn, TaskKind, TaskLog
from ..i18n import is_english
from ..places.models import Household
from ..records import SOURCE_IMPORT, SOURCE_SYNC, SOURCE_WEB
from ..requests.models import (CLOSED_STATUSES, OPEN_STATUSES, REQUEST_STATUSES, SATISFACTION, RequestCategory,
                               ResidentRequest)
from ..timeutil import utcnow
from ..web import local_time, mask_phone
from .filters import (StatsFilter, case_from, cases_where, deployments_where, field_records, incidents_where,
                      request_overdue, requests_where)
from .forms import CASES, INCIDENTS, LEDGERS, REQUESTS, SERVICES, TASKS, VISITS
from .queries import PlaceIndex

YIELD_PER = 1000
SOURCES = {SOURCE_WEB: _l("在线填写"), SOURCE_SYNC: _l("离线同步"), SOURCE_IMPORT: _l("导入")}
DISPATCHED = _l("派出")
REPORT = _l("现场报告")
YES = _l("是")


@dataclass
class Options:
    """What one export asks for: the page's filter and the ledger-only filters."""

    filter: StatsFilter
    kind: str | None = None
    status: str | None = None
    incident: Incident | None = None  # one incident's whole log, whatever the dates


@dataclass
class Ledger:
    key: str
    title: object  # lazy: the sheet's name in the page's language
    columns: list  # (header, width in Excel characters)
    rows: Callable[[Options, PlaceIndex], Iterator[tuple]]


def _stream(stmt):
    return db.session.execute(stmt.execution_options(yield_per=YIELD_PER))


class _Labels:
    """Every label a ledger repeats, translated once per export: a gettext call per cell of a
    100k-row sheet cost more than the rest of the export together."""

    def __init__(self):
        self.teams = {code: str(label) for code, label in TEAM_LABELS.items()}
        self.sources = {code: str(label) for code, label in SOURCES.items()}
        self.no_location, self.low_accuracy, self.located = str(_l("无定位")), str(_l("定位精度低")), str(_l("正常"))
        self.yes, self.dispatched, self.report = str(YES), str(DISPATCHED), str(REPORT)
        self.case_kinds = {code: str(label) for code, label in CASE_KINDS.items()}
        self.case_statuses = {code: str(label) for code, label in CASE_STATUSES.items()}
        self.request_statuses = {code: str(label) for code, label in REQUEST_STATUSES.items()}
        self.satisfaction = {code: str(label) for code, label in SATISFACTION.items()}
        self.states = {code: str(label) for code, label in DEPLOYMENT_STATES.items()}

    def team(self, code) -> str:
        return self.teams.get(code or "", "")

    @staticmethod
    def of(labels: dict, code) -> str:
        return labels.get(code or "", code or "")

    def location(self, lat, lon, accuracy) -> str:
        if lat is None or lon is None:
            return self.no_location
        if accuracy is None or accuracy > LOW_ACCURACY_M:
            return self.low_accuracy
        return self.located


def _days(start: datetime | None, end: datetime | None) -> float | str:
    if start is None or end is None:
        return ""
    return round(max((end - start).total_seconds(), 0) / 86400, 1)


def _display_label(model):
    """A kind's or category's name in the page's language, as its display_label property does."""
    if is_english():
        return sa.func.coalesce(sa.func.nullif(model.label_en, ""), model.label)
    return model.label


def _both(a, b) -> str:
    return f"{a}\n{b}" if a and b else (a or b or "")


# --- 签到台账 --------------------------------------------------------------------------------

VISIT_COLUMNS = [(_l("时间"), 17), (_l("人员"), 10), (_l("队伍"), 12), (_l("村居"), 12), (_l("地点"), 18),
                 (_l("纬度"), 11), (_l("经度"), 11), (_l("定位精度（米）"), 9), (_l("定位"), 10),
                 (_l("备注"), 40), (_l("时间已校正"), 8), (_l("记录方式"), 10)]


def visit_rows(o: Options, places: PlaceIndex):
    stmt = (sa.select(CheckIn.occurred_at, User.name, User.team, CheckIn.place_id, CheckIn.lat, CheckIn.lon,
                      CheckIn.accuracy_m, CheckIn.note, CheckIn.clock_corrected, CheckIn.source)
            .select_from(CheckIn).join(User, User.id == CheckIn.user_id))
    stmt = field_records(stmt, CheckIn, o.filter).order_by(CheckIn.occurred_at, CheckIn.id)
    labels = _Labels()
    for at, name, team, place_id, lat, lon, acc, note, corrected, source in _stream(stmt):
        yield (local_time(at), name, labels.team(team), places.top_name(place_id), places.names.get(place_id, ""),
               lat, lon, acc, labels.location(lat, lon, acc), note or "", labels.yes if corrected else "",
               labels.of(labels.sources, source))


# --- 工作台账 (by kind) ----------------------------------------------------------------------

TASK_COLUMNS = [(_l("工作类型"), 10), (_l("时间"), 17), (_l("人员"), 10), (_l("队伍"), 12), (_l("村居"), 12),
                (_l("地点"), 18), (_l("户（地址）"), 20), (_l("户主"), 8), (_l("工作内容"), 40), (_l("结果"), 30),
                (_l("下一步日期"), 11), (_l("用时（分钟）"), 8), (_l("一户一策事项"), 20),
                (_l("群众诉求编号"), 10), (_l("突发事件"), 16), (_l("记录方式"), 10)]


def task_rows(o: Options, places: PlaceIndex):
    """Sorted by kind (in the admin's order), then time: the office reads one kind at a time."""
    stmt = (sa.select(_display_label(TaskKind), TaskLog.occurred_at, User.name, User.team,
                      TaskLog.place_id, Household.address, Household.head_name, TaskLog.summary,
                      TaskLog.outcome, TaskLog.next_step_on, TaskLog.duration_min, Case.title,
                      TaskLog.request_id, Incident.title, TaskLog.source)
            .select_from(TaskLog).join(User, User.id == TaskLog.user_id)
            .join(TaskKind, TaskKind.id == TaskLog.kind_id)
            .outerjoin(Household, Household.id == TaskLog.household_id)
            .outerjoin(Case, Case.id == TaskLog.case_id)
            .outerjoin(Incident, Incident.id == TaskLog.incident_id))
    stmt = field_records(stmt, TaskLog, o.filter)
    if o.kind:
        stmt = stmt.where(TaskKind.code == o.kind)
    stmt = stmt.order_by(TaskKind.sort, TaskKind.id, TaskLog.occurred_at, TaskLog.id)
    labels = _Labels()
    for (kind, at, name, team, place_id, address, head, summary, outcome, next_on, minutes, case_title,
         request_id, incident, source) in _stream(stmt):
        yield (kind, local_time(at), name, labels.team(team), places.top_name(place_id),
               places.names.get(place_id, ""),
               address or "", head or "", summary, outcome or "",
               next_on.isoformat() if next_on else "", minutes if minutes is not None else "",
               case_title or "", request_id or "", incident or "", labels.of(labels.sources, source))


# --- 一户一策台账 ----------------------------------------------------------------------------

CASE_COLUMNS = [(_l("编号"), 7), (_l("立案时间"), 17), (_l("村居"), 12), (_l("地点"), 18), (_l("户（地址）"), 20),
                (_l("户主"), 8), (_l("联系电话"), 13), (_l("类型"), 12), (_l("事项"), 24), (_l("工作计划"), 36),
                (_l("状态"), 8), (_l("责任人"), 10), (_l("责任人队伍"), 12), (_l("立案人"), 10),
                (_l("办结时间"), 17), (_l("历时（天）"), 8), (_l("走访次数"), 8)]


def case_rows(o: Options, places: PlaceIndex):
    """Cases opened in the range (the page's 新立), with how often they were visited."""
    creator = aliased(User)
    visits = (sa.select(sa.func.count(TaskLog.id)).where(TaskLog.case_id == Case.id)
              .correlate(Case).scalar_subquery())
    stmt = case_from().add_columns(
        Case.id, Case.opened_at, Household.place_id, Household.address, Household.head_name, Household.phone,
        Case.kind, Case.title, Case.plan, Case.status, User.name, User.team, creator.name, Case.closed_at, visits
    ).join(creator, creator.id == Case.created_by_id)
    stmt = cases_where(stmt, o.filter, Case.opened_at)
    if o.status:
        stmt = stmt.where(Case.status == o.status)
    now, labels = utcnow(), _Labels()
    for (case_id, opened, place_id, address, head, phone, kind, title, plan, status, owner, team, created_by,
         closed, n) in _stream(stmt.order_by(Case.opened_at, Case.id)):
        yield (case_id, local_time(opened), places.top_name(place_id), places.names.get(place_id, ""), address,
               head, mask_phone(phone), labels.of(labels.case_kinds, kind), title, plan or "",
               labels.of(labels.case_statuses, status), owner, labels.team(team), created_by, local_time(closed),
               _days(opened, closed or now), n)


# --- 群众诉求台账 ----------------------------------------------------------------------------

REQUEST_COLUMNS = [(_l("编号"), 7), (_l("受理时间"), 17), (_l("村居"), 12), (_l("地点"), 18),
                   (_l("户（地址）"), 20), (_l("群众姓名"), 9), (_l("联系电话"), 13), (_l("类别"), 10),
                   (_l("诉求内容"), 40), (_l("状态"), 9), (_l("承办人"), 10), (_l("承办队伍"), 12),
                   (_l("办理期限"), 17), (_l("办结时间"), 17), (_l("办理用时（天）"), 9), (_l("是否超期"), 8),
                   (_l("转办至"), 16), (_l("办结说明"), 30), (_l("回访满意度"), 10), (_l("走访次数"), 8),
                   (_l("受理人"), 10), (_l("受理人队伍"), 12)]


def request_rows(o: Options, places: PlaceIndex):
    """Requests raised in the range (the page's 受理); 是否超期 by the page's definition."""
    now = utcnow()
    assignee = aliased(User)
    overdue = request_overdue(now)
    visits = (sa.select(sa.func.count(TaskLog.id)).where(TaskLog.request_id == ResidentRequest.id)
              .correlate(ResidentRequest).scalar_subquery())
    stmt = (sa.select(ResidentRequest.id, ResidentRequest.occurred_at, ResidentRequest.place_id, Household.address,
                      ResidentRequest.resident_name, ResidentRequest.resident_phone,
                      _display_label(RequestCategory), ResidentRequest.description,
                      ResidentRequest.status, assignee.name, ResidentRequest.assignee_team, ResidentRequest.due_at,
                      ResidentRequest.closed_at, sa.case((overdue, 1), else_=0), ResidentRequest.referred_to,
                      ResidentRequest.close_note, ResidentRequest.satisfaction, visits, User.name, User.team)
            .select_from(ResidentRequest).join(User, User.id == ResidentRequest.user_id)
            .join(RequestCategory, RequestCategory.id == ResidentRequest.category_id)
            .outerjoin(Household, Household.id == ResidentRequest.household_id)
            .outerjoin(assignee, assignee.id == ResidentRequest.assignee_id))
    stmt = requests_where(stmt, o.filter, ResidentRequest.occurred_at)
    if o.status == "open":
        stmt = stmt.where(ResidentRequest.status.in_(OPEN_STATUSES))
    elif o.status == "closed":
        stmt = stmt.where(ResidentRequest.status.in_(CLOSED_STATUSES))
    elif o.status == "overdue":
        stmt = stmt.where(overdue)
    elif o.status:
        stmt = stmt.where(ResidentRequest.status == o.status)
    labels = _Labels()
    for (rid, raised, place_id, address, name, phone, cat, text, status, assignee_name, assignee_team, due,
         closed, late, referred, close_note, satisfaction, n, raised_by, team) in _stream(
            stmt.order_by(ResidentRequest.occurred_at, ResidentRequest.id)):
        is_closed = status in CLOSED_STATUSES
        yield (rid, local_time(raised), places.top_name(place_id), places.names.get(place_id, ""), address or "",
               name, mask_phone(phone), cat, text, labels.of(labels.request_statuses, status), assignee_name or "",
               labels.team(assignee_team), local_time(due), local_time(closed) if is_closed else "",
               _days(raised, closed) if is_closed else "", labels.yes if late else "", referred or "",
               close_note or "", labels.of(labels.satisfaction, satisfaction) if satisfaction else "", n,
               raised_by, labels.team(team))


# --- 突发事件记录 ----------------------------------------------------------------------------

INCIDENT_COLUMNS = [(_l("事件"), 18), (_l("事件开始"), 17), (_l("时间"), 17), (_l("记录"), 9), (_l("人员"), 10),
                    (_l("队伍"), 12), (_l("分组"), 10), (_l("岗位"), 16), (_l("地点"), 16), (_l("纬度"), 11),
                    (_l("经度"), 11), (_l("定位精度（米）"), 9), (_l("内容"), 40)]


def _incident_scope(stmt, o: Options):
    if o.incident is not None:
        return stmt.where(Incident.id == o.incident.id)
    return deployments_where(stmt, o.filter)


def incident_rows(o: Options, places: PlaceIndex):
    """An incident's log in time order: each person sent (派出), each acknowledgement with its
    local time and position, each report from a post (a task log on the incident). Three
    ordered streams merged, so no stream is ever held whole."""
    base = (sa.select().select_from(Deployment).join(Incident, Incident.id == Deployment.incident_id)
            .outerjoin(Post, Post.id == Deployment.post_id).join(User, User.id == Deployment.user_id)
            .outerjoin(IncidentGroup, IncidentGroup.id == Deployment.group_id))
    head = (Incident.started_at, Incident.id, Incident.title)
    who = (User.name, User.team, IncidentGroup.name, Post.name, sa.func.coalesce(Post.place_id, Incident.place_id))
    sent = _incident_scope(base.add_columns(*head, Deployment.assigned_at, Deployment.id, *who), o)
    acks = _incident_scope(base.join(IncidentAck, IncidentAck.deployment_id == Deployment.id).add_columns(
        *head, IncidentAck.occurred_at, IncidentAck.id, *who, IncidentAck.state, IncidentAck.lat, IncidentAck.lon,
        IncidentAck.accuracy_m, IncidentAck.note), o)
    reports = _report_stmt(o, head)
    order = (Incident.started_at, Incident.id)

    def rows(stmt, kind, at_col, id_col):
        for r in _stream(stmt.order_by(*order, at_col, id_col)):
            yield (r[0], r[1], r[3], kind, r[4]), r

    streams = [rows(sent, 0, Deployment.assigned_at, Deployment.id),
               rows(acks, 1, IncidentAck.occurred_at, IncidentAck.id),
               rows(reports, 2, TaskLog.occurred_at, TaskLog.id)]
    labels = _Labels()
    for key, r in heapq.merge(*streams, key=lambda pair: pair[0]):
        yield _incident_line(key[3], r, places, labels)


def _report_stmt(o: Options, head):
    """Task logs on the incident, with the reporter's post if they were deployed."""
    stmt = (sa.select(*head, TaskLog.occurred_at, TaskLog.id, User.name, User.team, IncidentGroup.name, Post.name,
                      TaskLog.place_id, TaskLog.summary, TaskLog.outcome)
            .select_from(TaskLog).join(Incident, Incident.id == TaskLog.incident_id)
            .join(User, User.id == TaskLog.user_id)
            .outerjoin(Deployment, sa.and_(Deployment.incident_id == TaskLog.incident_id,
                                           Deployment.user_id == TaskLog.user_id))
            .outerjoin(Post, Post.id == Deployment.post_id)
            .outerjoin(IncidentGroup, IncidentGroup.id == Deployment.group_id))
    if o.incident is not None:
        return stmt.where(Incident.id == o.incident.id)
    f = o.filter
    stmt = incidents_where(stmt, StatsFilter(f.first, f.last))  # the incident's start in the range
    if f.team:
        stmt = stmt.where(User.team == f.team)
    if f.place_ids is not None:
        stmt = stmt.where(TaskLog.place_id.in_(f.place_ids or {-1}))
    return stmt


def _incident_line(kind: int, r, places: PlaceIndex, labels: _Labels) -> tuple:
    started, _id, title, at, _row_id, name, team, group, post, place_id = r[:10]
    lat = lon = acc = None
    if kind == 0:
        what, text = labels.dispatched, ""
    elif kind == 1:
        state, lat, lon, acc, note = r[10:]
        what, text = labels.of(labels.states, state), note or ""
    else:
        summary, outcome = r[10:]
        what, text = labels.report, _both(summary, outcome)
    return (title, local_time(started), local_time(at), what, name, labels.team(team), group or "", post or "",
            places.names.get(place_id, "") if place_id else "", lat, lon, acc, text)


# --- 便民服务台账 (service days) ----------------------------------------------------------------

SERVICE_COLUMNS = [(_l("日期"), 11), (_l("服务日"), 30), (_l("村居"), 12), (_l("地点"), 18), (_l("服务项目"), 12),
                   (_l("服务人次"), 9), (_l("工作人员"), 24), (_l("志愿者"), 24)]


def service_rows(o: Options, places: PlaceIndex):
    """A row per day and service held in the range at the chosen places (teams do not apply:
    residents served are the centre's, not a team's)."""
    from ..service_days.queries import ledger_rows  # service days build on the statistics

    f = o.filter
    for held_on, title, place_id, service, served, staff, volunteers in ledger_rows(f.first, f.last, f.place_ids):
        yield (f"{held_on:%Y-%m-%d}", title, places.top_name(place_id), places.names.get(place_id, ""), service,
               served, staff, volunteers)


LEDGER_DEFS = {
    VISITS: Ledger(VISITS, LEDGERS[VISITS], VISIT_COLUMNS, visit_rows),
    TASKS: Ledger(TASKS, LEDGERS[TASKS], TASK_COLUMNS, task_rows),
    CASES: Ledger(CASES, LEDGERS[CASES], CASE_COLUMNS, case_rows),
    REQUESTS: Ledger(REQUESTS, LEDGERS[REQUESTS], REQUEST_COLUMNS, request_rows),
    INCIDENTS: Ledger(INCIDENTS, LEDGERS[INCIDENTS], INCIDENT_COLUMNS, incident_rows),
    SERVICES: Ledger(SERVICES, LEDGERS[SERVICES], SERVICE_COLUMNS, service_rows),
}


def ledgers_for(key: str) -> list[Ledger]:
    """One ledger, or all of them in the order an office files them."""
    return [LEDGER_DEFS[key]] if key in LEDGER_DEFS else list(LEDGER_DEFS.values())
