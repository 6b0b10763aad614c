"""The ledgers (台账) a subdistrict office files, exported to Excel or CSV under the statistics
page's filters: they open in openpyxl (and so in Excel), hold exactly what the page counted,
speak Chinese, show local times, and never give away a resident's phone or ID number."""
import csv
import io
import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from fuxin_pwa.cases.models import RESOLVED
from fuxin_pwa.dispatch.models import EN_ROUTE, ON_SITE, RECEIVED
from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import TaskKind
from tests.factories import make_checkin, make_task_log
from tests.test_stats import (MARCH_APRIL, local, make_case, make_incident, make_request, stats_page,
                              total)

SHEETS = ["签到台账", "工作台账", "一户一策台账", "群众诉求台账", "突发事件记录", "便民服务台账"]


def workbook(client, **args):
    r = client.get("/stats/export.xlsx", query_string=args)
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(r.data))


def rows(sheet) -> list[dict]:
    """A sheet's data rows as {header: value}."""
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    return [dict(zip(header, row)) for row in values[1:]]


def every_cell(wb) -> str:
    return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
                     if v is not None)


@pytest.fixture
def spring(world):
    """March–April 2026 in Fuxin: visits, work of several kinds, cases and requests on
    households whose phone and ID numbers must not leave the app whole."""
    w = world
    day = local(2026, 3, 10, 9, 0)
    make_checkin(w.liaison, w.village_a, when=day, note="入村走访")
    make_checkin(w.liaison, w.grid_a, when=local(2026, 3, 31, 23, 30), lat=37.5, lon=121.2, accuracy_m=15)
    make_checkin(w.liaison_b, w.grid_b, when=day, lat=37.5, lon=121.2, accuracy_m=350)
    make_checkin(w.grid, w.estate, when=local(2026, 4, 2, 20, 15))
    make_checkin(w.grid, w.estate, when=local(2026, 5, 2, 9))  # after the range
    make_task_log(w.cadre, w.grid_a, "demolition_talk", when=day, household_id=w.household_a.id, summary="约谈")
    make_task_log(w.grid, w.estate, "resident_visit", when=day, summary="走访")
    make_task_log(w.cadre, w.grid_b, "demolition_talk", when=local(2026, 4, 1, 8), summary="二次约谈")
    make_case(w.liaison, w.household_a, day, status=RESOLVED, closed_at=day + timedelta(days=12))
    make_case(w.grid, w.household_c, day)
    make_request(w.grid, w.estate, day, status="resolved", closed_at=day + timedelta(hours=5),
                 household=w.household_c)
    make_request(w.liaison, w.grid_a, day, due_days=2, household=w.household_a, phone="13598765432")
    return w


# --- The workbook -----------------------------------------------------------------------------

def test_the_whole_workbook_has_one_chinese_sheet_per_ledger_with_a_frozen_header(client, auth, spring):
    auth.login("leader")
    wb = workbook(client, ledger="all", **MARCH_APRIL)
    assert wb.sheetnames == SHEETS
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws["A1"].font.bold
        assert ws.column_dimensions["A"].width >= 7
    assert [c.value for c in wb["签到台账"][1]][:5] == ["时间", "人员", "队伍", "村居", "地点"]
    assert [c.value for c in wb["群众诉求台账"][1]][:3] == ["编号", "受理时间", "村居"]


def test_the_ledgers_hold_the_same_counts_as_the_page(client, auth, spring):
    auth.login("leader")
    for args in (MARCH_APRIL, {"team": "grid_worker", **MARCH_APRIL}, {"place_id": spring.village_a.id, **MARCH_APRIL},
                 {"date_from": "2026-04-01", "date_to": "2026-04-30"}):
        page = stats_page(client, **args)
        wb = workbook(client, ledger="all", **args)
        assert str(wb["签到台账"].max_row - 1) == total(page, "checkins"), args
        assert str(wb["工作台账"].max_row - 1) == total(page, "task_logs"), args
        assert str(wb["一户一策台账"].max_row - 1) == total(page, "cases").split(" / ")[0], args
        assert str(wb["群众诉求台账"].max_row - 1) == total(page, "requests").split(" / ")[0], args


def test_the_visit_ledger_shows_local_times_places_and_location_quality(client, auth, spring):
    auth.login("leader")
    visits = rows(workbook(client, ledger="visits", **MARCH_APRIL)["签到台账"])
    assert [v["时间"] for v in visits] == ["2026-03-10 09:00", "2026-03-10 09:00", "2026-03-31 23:30",
                                         "2026-04-02 20:15"]
    late = visits[2]
    assert late["人员"] == "赵包村" and late["队伍"] == "包村包片干部"
    assert late["村居"] == "东村" and late["地点"] == "东村第1网格" and late["定位"] == "正常"
    assert {v["定位"] for v in visits} == {"无定位", "定位精度低", "正常"}
    assert visits[3]["村居"] == "万科社区" and visits[3]["地点"] == "万科假日风景小区"


def test_filters_apply_to_the_ledger(client, auth, spring):
    auth.login("leader")
    by_team = rows(workbook(client, ledger="visits", team="village_liaison", **MARCH_APRIL)["签到台账"])
    assert {v["队伍"] for v in by_team} == {"包村包片干部"} and len(by_team) == 3
    by_place = rows(workbook(client, ledger="visits", place_id=spring.village_a.id, **MARCH_APRIL)["签到台账"])
    assert {v["村居"] for v in by_place} == {"东村"} and len(by_place) == 2  # the village and its grid
    one_day = rows(workbook(client, ledger="visits", date_from="2026-03-31", date_to="2026-03-31")["签到台账"])
    assert [v["时间"] for v in one_day] == ["2026-03-31 23:30"]


def test_the_task_ledger_is_sorted_by_kind_and_filters_by_kind(client, auth, spring):
    auth.login("leader")
    logs = rows(workbook(client, ledger="tasks", **MARCH_APRIL)["工作台账"])
    assert [log["工作类型"] for log in logs] == ["违建约谈", "违建约谈", "走访群众"]
    assert logs[0]["户（地址）"] == "东村1号" and logs[0]["户主"] == "张三"
    talks = rows(workbook(client, ledger="tasks", kind="resident_visit", **MARCH_APRIL)["工作台账"])
    assert [log["工作内容"] for log in talks] == ["走访"]


def test_phone_numbers_are_masked_and_id_numbers_never_appear(client, auth, spring):
    auth.login("leader")
    wb = workbook(client, ledger="all", **MARCH_APRIL)
    text = every_cell(wb)
    for secret in ("13598765432", "13912345678", "13812345678", "13700001234", "370611196001011234"):
        assert secret not in text
    assert "身份证" not in text
    requests = rows(wb["群众诉求台账"])
    assert {r["联系电话"] for r in requests} == {"139****5678", "135****5432"}
    cases = rows(wb["一户一策台账"])
    assert {c["联系电话"] for c in cases} == {"138****5678", "137****1234"}


def test_the_request_ledger_says_which_are_overdue_and_filters_by_status(client, auth, spring):
    auth.login("leader")
    requests = rows(workbook(client, ledger="requests", **MARCH_APRIL)["群众诉求台账"])
    by_phone = {r["联系电话"]: r for r in requests}
    assert by_phone["135****5432"]["是否超期"] == "是" and by_phone["135****5432"]["状态"] == "已受理"
    done = by_phone["139****5678"]
    assert not done["是否超期"] and done["办理用时（天）"] == 0.2 and done["办结时间"] == "2026-03-10 14:00"
    overdue = rows(workbook(client, ledger="requests", status="overdue", **MARCH_APRIL)["群众诉求台账"])
    assert [r["联系电话"] for r in overdue] == ["135****5432"]
    resolved = rows(workbook(client, ledger="requests", status="resolved", **MARCH_APRIL)["群众诉求台账"])
    assert [r["联系电话"] for r in resolved] == ["139****5678"]


def test_the_case_ledger_filters_by_status(client, auth, spring):
    auth.login("leader")
    cases = rows(workbook(client, ledger="cases", status="resolved", **MARCH_APRIL)["一户一策台账"])
    assert len(cases) == 1 and cases[0]["状态"] == "已化解" and cases[0]["历时（天）"] == 12.0


def test_text_that_looks_like_a_formula_stays_text(client, auth, world):
    note = '=HYPERLINK("http://x.example","点我")'
    make_checkin(world.liaison, world.grid_a, when=local(2026, 3, 3, 9), note=note)
    auth.login("leader")
    ws = workbook(client, ledger="visits", **MARCH_APRIL)["签到台账"]
    cell = ws.cell(row=2, column=10)
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"
    body = client.get("/stats/export.csv", query_string={"ledger": "visits", **MARCH_APRIL}).get_data(as_text=True)
    assert "'=HYPERLINK" in body


# --- One incident's log ---------------------------------------------------------------------------

def test_one_incidents_log_who_where_each_acknowledgement_and_the_reports(client, auth, world):
    w = world
    start = local(2026, 6, 18, 23, 0)
    acks = [(w.cadre, RECEIVED, start + timedelta(minutes=2), None, None),
            (w.cadre, EN_ROUTE, start + timedelta(minutes=6), None, None),
            (w.cadre, ON_SITE, start + timedelta(minutes=31), 37.4968, 121.2541)]
    incident = make_incident(w.leader, start, place=w.subdistrict, people=[w.cadre, w.liaison],
                             post_place=w.grid_a, acks=acks)
    make_task_log(w.cadre, w.grid_a, "flood_duty", when=start + timedelta(minutes=50), incident_id=incident.id,
                  summary="积水约40厘米，已设警示", outcome="封闭福新路东段")
    other = make_incident(w.leader, start, title="另一起", people=[w.grid])
    make_task_log(w.grid, w.estate, "flood_duty", when=start, incident_id=other.id, summary="别的事件")
    auth.login("leader")
    r = client.get(f"/stats/export.xlsx?ledger=incidents&incident_id={incident.id}")
    assert r.status_code == 200
    disposition = r.headers["Content-Disposition"]
    assert f'filename="fuxin-incident-{incident.id}-20260618.xlsx"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "突发事件记录_6·18 暴雨_20260618.xlsx"
    log = rows(load_workbook(io.BytesIO(r.data))["突发事件记录"])
    assert [(e["时间"], e["人员"], e["记录"]) for e in log] == [
        ("2026-06-18 23:00", "孙干部", "派出"), ("2026-06-18 23:00", "赵包村", "派出"),
        ("2026-06-18 23:02", "孙干部", "收到"), ("2026-06-18 23:06", "孙干部", "出发"),
        ("2026-06-18 23:31", "孙干部", "到岗"), ("2026-06-18 23:50", "孙干部", "现场报告")]
    on_site = log[4]
    assert on_site["岗位"] == "福新路积水点" and on_site["地点"] == "东村第1网格"
    assert (on_site["纬度"], on_site["经度"], on_site["定位精度（米）"]) == (37.4968, 121.2541, 12)
    assert log[5]["内容"] == "积水约40厘米，已设警示\n封闭福新路东段" and log[5]["岗位"] == "福新路积水点"
    assert {e["事件"] for e in log} == {"6·18 暴雨"}


def test_an_unknown_incident_is_404(client, auth, world):
    auth.login("leader")
    assert client.get("/stats/export.xlsx?ledger=incidents&incident_id=999").status_code == 404


def test_the_incident_ledger_for_a_range_holds_the_pages_person_times(client, auth, world):
    w = world
    start = local(2026, 4, 18, 23, 0)
    make_incident(w.leader, start, people=[w.cadre, w.liaison, w.grid], post_place=w.grid_a,
                  acks=[(w.cadre, RECEIVED, start, None, None), (w.grid, RECEIVED, start, None, None)])
    auth.login("leader")
    page = stats_page(client, **MARCH_APRIL)
    log = rows(workbook(client, ledger="incidents", **MARCH_APRIL)["突发事件记录"])
    assert str(sum(e["记录"] == "派出" for e in log)) == total(page, "incidents").split(" / ")[1] == "3"


# --- CSV ----------------------------------------------------------------------------------------

def test_csv_is_utf8_with_a_bom_chinese_headers_and_the_same_rows(client, auth, spring):
    auth.login("leader")
    r = client.get("/stats/export.csv", query_string={"ledger": "requests", **MARCH_APRIL})
    assert r.status_code == 200 and r.mimetype == "text/csv" and r.mimetype_params["charset"] == "utf-8"
    assert r.data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert table[0][:4] == ["编号", "受理时间", "村居", "地点"]
    assert len(table) - 1 == 2 and "135****5432" in r.data.decode("utf-8-sig")
    disposition = r.headers["Content-Disposition"]
    assert 'filename="fuxin-requests-20260301-20260430.csv"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "群众诉求台账_20260301-20260430.csv"
    assert r.headers["Cache-Control"] == "private, no-store"


def test_all_ledgers_as_one_csv_is_refused_with_a_clear_message(client, auth, world):
    auth.login("leader")
    r = client.get("/stats/export.csv?ledger=all")
    assert r.status_code == 400
    assert "CSV 文件一次只能导出一种台账" in r.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/stats/export.pdf?ledger=visits", "/stats/export.xls", "/stats/export"])
def test_other_formats_are_404(client, auth, world, url):
    auth.login("leader")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("args, message", [
    ({"ledger": "payroll"}, "台账"),
    ({"ledger": "visits", "status": "resolved"}, "该台账不能按这个状态筛选"),
    ({"ledger": "cases", "status": "overdue"}, "该台账不能按这个状态筛选"),
    ({"ledger": "visits", "date_from": "2026-05-01", "date_to": "2026-04-01"}, "结束日期不能早于开始日期"),
])
def test_a_wrong_export_request_says_what_is_wrong(client, auth, world, args, message):
    auth.login("leader")
    r = client.get("/stats/export.xlsx", query_string=args)
    assert r.status_code == 400 and message in r.get_data(as_text=True)


def test_the_default_export_is_the_last_twelve_months_named_by_its_dates(client, auth, world):
    make_checkin(world.liaison, world.grid_a)
    auth.login("leader")
    r = client.get("/stats/export.xlsx?ledger=visits")
    assert re.search(r'filename="fuxin-visits-\d{8}-\d{8}\.xlsx"', r.headers["Content-Disposition"])
    assert load_workbook(io.BytesIO(r.data))["签到台账"].max_row == 2


def test_an_export_takes_the_same_number_of_queries_for_few_and_many_rows(client, auth, spring, count_queries):
    auth.login("leader")
    db.session.expire_all()
    with count_queries() as few:
        workbook(client, ledger="all", **MARCH_APRIL)
    for i in range(60):
        make_checkin(spring.liaison, spring.grid_a, when=local(2026, 3, 1 + i % 28, 10))
        make_task_log(spring.cadre, spring.grid_b, "demolition_talk", when=local(2026, 4, 1 + i % 28, 10))
        make_request(spring.grid, spring.estate, local(2026, 3, 1 + i % 28, 10))
    db.session.expire_all()
    with count_queries() as many:
        wb = workbook(client, ledger="all", **MARCH_APRIL)
    assert wb["签到台账"].max_row == 1 + 4 + 60
    assert few.count == many.count


def test_a_retired_task_kind_still_has_its_ledger(client, auth, spring):
    talk = db.session.scalar(sa.select(TaskKind).where(TaskKind.code == "demolition_talk"))
    talk.active = False
    db.session.commit()
    auth.login("leader")
    page = stats_page(client, **MARCH_APRIL)
    assert 'data-kind="demolition_talk">2<' in page
    logs = rows(workbook(client, ledger="tasks", kind="demolition_talk", **MARCH_APRIL)["工作台账"])
    assert [log["工作内容"] for log in logs] == ["约谈", "二次约谈"]
