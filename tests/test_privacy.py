"""Residents' personal data: phone and ID numbers are masked wherever they are listed or
exported, whoever looks; the people whose work needs one see it whole with a tap and a
reason, and every such reveal, and every export, is in the access log the admin reads.
Spreadsheet cells that look like formulas stay text; old requests' phone numbers are erased."""
import csv
import io
import json
from datetime import timedelta

import sqlalchemy as sa
from openpyxl import load_workbook

from fuxin_pwa.extensions import db
from fuxin_pwa.privacy.models import EXPORT, REVEAL, AccessLogEntry
from fuxin_pwa.privacy.retention import erase_old_request_phones
from fuxin_pwa.requests.models import ASSIGNED, RESOLVED
from fuxin_pwa.timeutil import utcnow
from tests.factories import make_user
from tests.test_requests import a_request, switch
from tests.test_stats import MARCH_APRIL, local, make_request

HX = {"HX-Request": "true"}
PHONE, MASKED = "13812345678", "138****5678"
ID_NUMBER, MASKED_ID = "370611196001011234", "3706**********1234"


def log_rows(**where):
    stmt = sa.select(AccessLogEntry).order_by(AccessLogEntry.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(AccessLogEntry, name) == value)
    return db.session.scalars(stmt).all()


def reveal(client, subject, subject_id, field="phone", reason="callback", htmx=True):
    return client.post(f"/privacy/reveal/{subject}/{subject_id}/{field}", data={"reason": reason},
                       headers=HX if htmx else {})


def csv_rows(body: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


# --- Masked wherever listed -------------------------------------------------------------------

def test_lists_and_pages_show_numbers_masked_to_everyone_even_leaders(client, auth, world):
    req = a_request(world, raiser=world.leader, status=ASSIGNED, assignee=world.liaison)
    for username in ("admin", "leader", "liaison"):
        switch(auth, username)
        for url in ("/requests/", f"/requests/{req.id}", f"/cases/households/{world.household_a.id}"):
            page = client.get(url).get_data(as_text=True)
            assert MASKED in page and PHONE not in page, (username, url)
        household = client.get(f"/cases/households/{world.household_a.id}").get_data(as_text=True)
        assert MASKED_ID in household and ID_NUMBER not in household
    switch(auth, "admin")
    admin_list = client.get(f"/admin/places/{world.grid_a.id}/households").get_data(as_text=True)
    assert MASKED in admin_list and MASKED_ID in admin_list
    assert PHONE not in admin_list and ID_NUMBER not in admin_list
    assert log_rows() == []  # looking at masked numbers is not a reveal


def test_the_reveal_form_is_offered_only_to_those_whose_work_needs_the_number(client, auth, world):
    req = a_request(world, raiser=world.leader, status=ASSIGNED, assignee=world.liaison)
    form = f'action="/privacy/reveal/request/{req.id}/phone"'
    switch(auth, "liaison")  # the assignee
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert form in page and 'name="csrf_token"' in page and 'name="reason"' in page and "回访群众" in page
    switch(auth, "cadre")  # covers 东村, so sees the request, but it is not theirs
    assert form not in client.get(f"/requests/{req.id}").get_data(as_text=True)


# --- Revealing --------------------------------------------------------------------------------

def test_the_assignee_reveals_the_residents_phone_for_a_callback_and_it_is_logged(client, auth, world):
    req = a_request(world, raiser=world.leader, status=ASSIGNED, assignee=world.liaison)
    auth.login("liaison")
    before = utcnow()
    r = reveal(client, "request", req.id, reason="callback")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in html
    assert f'href="tel:{PHONE}"' in html and f'id="reveal-request-{req.id}-phone"' in html
    [entry] = log_rows()
    assert (entry.kind, entry.actor_id, entry.subject_type, entry.subject_id, entry.field, entry.reason) == (
        REVEAL, world.liaison.id, "request", req.id, "phone", "callback")
    assert entry.at >= before - timedelta(seconds=1)
    # The page itself stays masked: the number is shown only in the answer to the reveal.
    assert PHONE not in client.get(f"/requests/{req.id}").get_data(as_text=True)


def test_without_javascript_the_reveal_answers_with_the_whole_page(client, auth, world):
    req = a_request(world, raiser=world.leader, status=ASSIGNED, assignee=world.liaison)
    auth.login("liaison")
    r = reveal(client, "request", req.id, reason="home_visit", htmx=False)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" in html and "屋顶漏水" in html and f"tel:{PHONE}" in html
    assert [e.reason for e in log_rows()] == ["home_visit"]


def test_whoever_covers_a_household_reveals_its_id_number(client, auth, world):
    auth.login("liaison")
    r = reveal(client, "household", world.household_a.id, field="id_number", reason="verify")
    assert r.status_code == 200 and ID_NUMBER in r.get_data(as_text=True)
    r = reveal(client, "household", world.household_a.id, field="phone", reason="home_visit", htmx=False)
    assert r.status_code == 200 and "东村1号" in r.get_data(as_text=True) and PHONE in r.get_data(as_text=True)
    assert [(e.subject_type, e.subject_id, e.field, e.reason) for e in log_rows()] == [
        ("household", world.household_a.id, "id_number", "verify"),
        ("household", world.household_a.id, "phone", "home_visit")]


def test_a_field_worker_outside_the_place_gets_404_and_nothing_is_logged(client, auth, world):
    req = a_request(world, raiser=world.leader, status=ASSIGNED, assignee=world.liaison)
    auth.login("grid")  # covers 万科第1网格 only
    for subject, subject_id, field in (("request", req.id, "phone"), ("household", world.household_a.id, "phone"),
                                       ("household", world.household_a.id, "id_number")):
        r = reveal(client, subject, subject_id, field=field)
        assert r.status_code == 404 and PHONE not in r.get_data(as_text=True)
    switch(auth, "cadre")  # sees the request (covers 东村) but is not the one working it
    r = reveal(client, "request", req.id)
    assert r.status_code == 403 and PHONE not in r.get_data(as_text=True)
    assert log_rows() == []


def test_a_reason_outside_the_list_reveals_nothing(client, auth, world):
    req = a_request(world, raiser=world.leader, status=ASSIGNED, assignee=world.liaison)
    auth.login("liaison")
    for reason in ("", "好奇"):
        r = reveal(client, "request", req.id, reason=reason)
        assert r.status_code == 422 and PHONE not in r.get_data(as_text=True) and MASKED in r.get_data(as_text=True)
    assert log_rows() == []


def test_the_admins_edit_form_shows_the_numbers_whole_and_is_logged_as_a_reveal(client, auth, world):
    auth.login("admin")
    form = client.get(f"/admin/households/{world.household_a.id}/edit").get_data(as_text=True)
    assert f'value="{PHONE}"' in form and f'value="{ID_NUMBER}"' in form
    assert [(e.actor_id, e.subject_id, e.field, e.reason) for e in log_rows()] == [
        (world.admin.id, world.household_a.id, "phone", "admin_edit"),
        (world.admin.id, world.household_a.id, "id_number", "admin_edit")]


# --- Exports ----------------------------------------------------------------------------------

def test_ledger_exports_mask_phones_and_each_is_logged_with_its_filters_and_rows(client, auth, world):
    day = local(2026, 3, 10, 9, 0)
    make_request(world.grid, world.estate, day, phone="13912345678")
    make_request(world.liaison, world.grid_a, day, phone="13598765432", household=world.household_a)
    auth.login("leader")
    args = {"ledger": "requests", **MARCH_APRIL}
    r = client.get("/stats/export.xlsx", query_string=args)
    sheet = load_workbook(io.BytesIO(r.data))["群众诉求台账"]
    phones = {row[6] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert phones == {"139****5678", "135****5432"}
    body = client.get("/stats/export.csv", query_string=args).get_data(as_text=True)
    assert {row["联系电话"] for row in csv_rows(body)} == {"139****5678", "135****5432"}
    assert "13912345678" not in body and "13598765432" not in body
    xlsx, csv_entry = log_rows(kind=EXPORT)
    assert (xlsx.actor_id, xlsx.subject_type, xlsx.field, xlsx.rows) == (world.leader.id, "ledger", "requests.xlsx", 2)
    assert (csv_entry.field, csv_entry.rows) == ("requests.csv", 2)
    assert json.loads(xlsx.filters) == json.loads(csv_entry.filters) == args


def test_every_ledger_of_the_workbook_counts_into_one_log_row(client, auth, world):
    make_request(world.grid, world.estate, local(2026, 3, 10, 9, 0))
    auth.login("admin")
    assert client.get("/stats/export.xlsx", query_string={"ledger": "all", **MARCH_APRIL}).status_code == 200
    [entry] = log_rows()
    assert entry.field == "all.xlsx" and entry.rows == 1


def test_cells_that_look_like_formulas_come_out_as_text(client, auth, world):
    world.household_a.address = "@SUM(A1)"
    db.session.commit()
    make_request(world.liaison, world.grid_a, local(2026, 3, 10, 9, 0), name="=1+2", household=world.household_a,
                 description="-2+3")
    auth.login("leader")
    args = {"ledger": "requests", **MARCH_APRIL}
    sheet = load_workbook(io.BytesIO(client.get("/stats/export.xlsx", query_string=args).data))["群众诉求台账"]
    header = [c.value for c in sheet[1]]
    cells = {name: sheet.cell(row=2, column=header.index(name) + 1) for name in ("群众姓名", "户（地址）", "诉求内容")}
    assert {name: c.value for name, c in cells.items()} == {"群众姓名": "=1+2", "户（地址）": "@SUM(A1)",
                                                             "诉求内容": "-2+3"}
    assert all(c.data_type == "s" and c.quotePrefix for c in cells.values())
    [row] = csv_rows(client.get("/stats/export.csv", query_string=args).get_data(as_text=True))
    assert (row["群众姓名"], row["户（地址）"], row["诉求内容"]) == ("'=1+2", "'@SUM(A1)", "'-2+3")


# --- The admin's access log -------------------------------------------------------------------

def make_entry(actor, kind, at, **kw):
    fields = {"subject_type": "household", "subject_id": 1, "field": "phone", "reason": "verify"}
    if kind == EXPORT:
        fields = {"subject_type": "ledger", "field": "requests.csv", "filters": "{}", "rows": 3}
    entry = AccessLogEntry(actor_id=actor.id, kind=kind, at=at, **{**fields, **kw})
    db.session.add(entry)
    db.session.commit()
    return entry


def test_the_access_log_filters_by_person_kind_and_dates(client, auth, world):
    make_entry(world.liaison, REVEAL, local(2026, 3, 10, 9))
    make_entry(world.liaison, REVEAL, local(2026, 3, 20, 9), field="id_number", reason="callback")
    make_entry(world.leader, EXPORT, local(2026, 3, 10, 10))
    auth.login("admin")
    page = client.get("/admin/access-log/").get_data(as_text=True)
    assert page.count("<tr>") == 4 and "赵包村" in page and "刘书记" in page and "群众诉求台账 (csv)" in page
    only = client.get("/admin/access-log/", query_string={"actor_id": world.liaison.id}, headers=HX)
    html = only.get_data(as_text=True)
    assert "<html" not in html and html.count("<tr>") == 3 and "刘书记" not in html
    exports = client.get("/admin/access-log/", query_string={"kind": EXPORT}).get_data(as_text=True)
    assert exports.count("<tr>") == 2 and "群众诉求台账" in exports
    march_10 = client.get("/admin/access-log/", query_string={"date_from": "2026-03-10", "date_to": "2026-03-10"})
    assert march_10.get_data(as_text=True).count("<tr>") == 3
    bad = client.get("/admin/access-log/", query_string={"date_from": "2026-03-20", "date_to": "2026-03-01"})
    assert bad.status_code == 422 and "结束日期不能早于开始日期" in bad.get_data(as_text=True)


def test_the_access_log_exports_to_csv_neutralised_and_the_export_is_logged(client, auth, world):
    odd = make_user("odd", "grid_worker", name="=HYPERLINK(\"http://x\")", places=[world.grid_c])
    make_entry(odd, REVEAL, local(2026, 3, 10, 9))
    make_entry(world.liaison, REVEAL, local(2026, 3, 11, 9))
    auth.login("admin")
    page = client.get("/admin/access-log/", query_string={"actor_id": odd.id}).get_data(as_text=True)
    assert f"/admin/access-log/export.csv?actor_id={odd.id}" in page
    r = client.get("/admin/access-log/export.csv", query_string={"actor_id": odd.id})
    assert r.headers["Content-Disposition"].startswith("attachment;") and r.mimetype == "text/csv"
    [row] = csv_rows(r.get_data(as_text=True))
    assert row["人员"] == "'=HYPERLINK(\"http://x\")" and row["字段/台账"] == "电话" and row["用途"] == "核实信息"
    [entry] = log_rows(kind=EXPORT)
    assert (entry.actor_id, entry.subject_type, entry.rows) == (world.admin.id, "access_log", 1)
    assert json.loads(entry.filters) == {"actor_id": str(odd.id)}


# --- Retention --------------------------------------------------------------------------------

def test_retention_erases_only_closed_requests_older_than_the_limit(app, world):
    now = utcnow()
    old_closed = a_request(world, status=RESOLVED, raised_ago=timedelta(days=1200))
    old_open = a_request(world, status=ASSIGNED, assignee=world.liaison, raised_ago=timedelta(days=1200))
    recent_closed = a_request(world, status=RESOLVED, raised_ago=timedelta(days=30))
    closed_late = a_request(world, status=RESOLVED, raised_ago=timedelta(days=1200))
    closed_late.closed_at = now - timedelta(days=100)  # raised long ago, closed recently: kept
    no_phone = a_request(world, status=RESOLVED, phone=None, raised_ago=timedelta(days=1200))
    db.session.commit()
    assert erase_old_request_phones(1095, now=now) == 1
    db.session.expire_all()
    assert old_closed.resident_phone is None and no_phone.resident_phone is None
    assert old_closed.resident_name == "张大妈" and old_closed.description  # the request itself stays
    assert {r.resident_phone for r in (old_open, recent_closed, closed_late)} == {PHONE}
    assert erase_old_request_phones(1095, now=now) == 0
    # The erasure is in the audit trail (a bulk UPDATE is captured too), the number masked.
    from fuxin_pwa.audit.models import AuditEntry
    erased = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "request",
                                                             AuditEntry.object_id == old_closed.id)).all()
    assert [(e.action, e.actor_id, e.changes) for e in erased] == [("update", None, {"resident_phone": [
        MASKED, None]})]


def test_the_retention_command_uses_the_configured_days_and_says_how_many(app, world):
    a_request(world, status=RESOLVED, raised_ago=timedelta(days=1200))
    a_request(world, status=RESOLVED, raised_ago=timedelta(days=40))
    assert app.config["RETENTION_REQUEST_PHONE_DAYS"] == 1095
    result = app.test_cli_runner().invoke(args=["retention"])
    assert result.exit_code == 0 and "Erased 1 " in result.output
    result = app.test_cli_runner().invoke(args=["retention", "--days", "30"])
    assert "Erased 1 " in result.output
    assert db.session.scalar(sa.text("SELECT COUNT(*) FROM resident_requests WHERE resident_phone IS NULL")) == 2
