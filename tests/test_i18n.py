"""English as the second language: the catalog is complete, and the stories read in English
with ?lang=en and stay Chinese without it.

The Chinese text is the msgid (zh_CN has no catalog); fuxin_pwa/translations/en holds the
English. `make run` and `make test` compile the .mo; this module compiles it too when it is
missing or older than the .po, so `pytest` run on its own tests the catalog as it is."""
import io
import os
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import TaskKind

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRANSLATIONS = os.path.join(ROOT, "fuxin_pwa", "translations")
EN_PO = os.path.join(TRANSLATIONS, "en", "LC_MESSAGES", "messages.po")
EN_MO = os.path.join(TRANSLATIONS, "en", "LC_MESSAGES", "messages.mo")
POT = os.path.join(TRANSLATIONS, "messages.pot")
CJK = re.compile(r"[\u4e00-\u9fff]")


def read_catalog(path):
    with open(path, "rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module", autouse=True)
def compiled_catalog():
    """What `pybabel compile` does, when the .mo is missing or older than the .po."""
    if not os.path.exists(EN_MO) or os.path.getmtime(EN_MO) < os.path.getmtime(EN_PO):
        catalog = read_catalog(EN_PO)
        with open(EN_MO, "wb") as handle:
            write_mo(handle, catalog)


def source_msgids() -> set[str]:
    """Every msgid in the code and templates now, extracted as `make translations` does."""
    with open(os.path.join(ROOT, "babel.cfg")) as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map, keywords=keywords):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def english(client, path, **kw):
    return client.get(path + ("&" if "?" in path else "?") + "lang=en", **kw)


def text(response) -> str:
    return response.get_data(as_text=True)


# --- The catalog --------------------------------------------------------------------------

def test_every_msgid_of_the_template_has_a_finished_english_translation():
    template = read_catalog(POT)
    catalog = read_catalog(EN_PO)
    translated = {m.id: m for m in catalog if m.id}
    missing = [m.id for m in template if m.id and m.id not in translated]
    assert not missing, f"msgids in messages.pot but not in the English .po: {missing}"
    empty = [m.id for m in translated.values()
             if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    assert not empty, f"English missing for: {empty}"
    fuzzy = [m.id for m in translated.values() if m.fuzzy]
    assert not fuzzy, f"fuzzy (check and unmark): {fuzzy}"
    untranslated = [m.id for m in translated.values()
                    if any(CJK.search(s) for s in (m.string if isinstance(m.string, tuple) else (m.string,)))
                    and m.id == m.string]
    assert not untranslated, f"msgstr copied from the Chinese: {untranslated}"


def test_the_placeholders_of_each_translation_match_its_msgid():
    problems = [(m.id, [str(e) for e in errors]) for m, errors in read_catalog(EN_PO).check()]
    assert not problems


def test_the_template_is_current_with_the_code_and_templates():
    """A string wrapped in _() but never extracted would stay Chinese in English pages."""
    template_ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_catalog(POT) if m.id}
    stale = sorted(source_msgids() - template_ids)
    assert not stale, f"run `make translations`, then translate: {stale}"


# --- Stories ------------------------------------------------------------------------------

def test_the_login_page_is_chinese_by_default_and_english_with_lang_en(client, world):
    page = text(client.get("/login"))
    assert "登录福新外勤" in page and "用户名" in page and '<html lang="zh-CN">' in page
    page = text(english(client, "/login"))
    assert "Log in to Fuxin Field" in page and ">Username</label>" in page and ">Password</label>" in page
    assert "Remember me (30 days)" in page and '<html lang="en">' in page
    assert "登录" not in page


def test_a_wrong_password_is_refused_in_english(client, world):
    english(client, "/login")
    page = text(client.post("/login", data={"username": "liaison", "password": "wrong"}))
    assert "Wrong username or password" in page


def test_the_field_home_reads_in_english(client, auth, world):
    english(client, "/login")
    auth.login("liaison")
    page = text(client.get("/"))
    assert "My places" in page and "Not visited this week" in page and "Log work" in page
    assert '<span class="tag">Village</span>' in page
    assert "东村" in page  # the data stays as it was entered
    assert "我的包片" not in page and "本周未入村" not in page


def test_the_field_home_stays_chinese_without_a_choice(client, auth, world):
    auth.login("liaison")
    page = text(client.get("/"))
    assert "我的包片" in page and "本周未入村" in page and "My places" not in page


def test_a_checkin_with_errors_comes_back_with_english_messages(client, auth, world):
    auth.login("liaison")
    english(client, "/")
    r = client.post("/checkin", data={"record_id": str(uuid.uuid4()), "place_id": "", "lat": "37.49"})
    page = text(r)
    assert r.status_code == 422
    assert "Correct the fields marked in red, then save again." in page
    assert "Choose a place" in page and ">Place</label>" in page and ">Note</label>" in page
    assert "Save check-in" in page and "请选择地点" not in page
    r = client.post("/checkin", data={"record_id": str(uuid.uuid4()), "place_id": world.village_a.id,
                                      "lat": "37.49"})
    assert "Give both latitude and longitude" in text(r)
    r = client.post("/checkin", data={"record_id": str(uuid.uuid4()), "place_id": world.village_a.id,
                                      "lat": "99", "lon": "121"})
    assert "Latitude must be between -90 and 90" in text(r)


def test_a_saved_checkin_is_flashed_in_english(client, auth, world):
    auth.login("liaison")
    english(client, "/")
    r = client.post("/checkin", data={"record_id": str(uuid.uuid4()), "place_id": world.village_a.id},
                    follow_redirects=True)
    assert "Check-in saved" in text(r) and "Visited this week" in text(r)


def test_a_leader_reads_the_overview_and_the_records_in_english(client, auth, world):
    from tests.factories import make_task_log

    make_task_log(world.liaison, world.village_a, kind_code="resident_visit", summary="走访群众")
    auth.login("leader")
    page = text(english(client, "/oversight/"))
    assert "Overview" in page and "Villages, communities and grids" in page and "People (by team)" in page
    assert "<h3>Village liaison cadre</h3>" in page and "<h3>Grid worker</h3>" in page
    assert "Covered by: " in page and "1 grid · 1 household" in page
    records = text(client.get("/oversight/records"))
    assert "All records" in records and "Resident visit" in records and "走访群众" in records
    assert ">All teams</option>" in records and ">Grid worker</option>" in records
    bad = text(client.get("/oversight/records?date_from=2024-02-01&date_to=2024-01-01"))
    assert "The end date cannot be before the start date" in bad


def test_a_task_kind_without_an_english_name_shows_its_chinese_one(client, auth, world):
    db.session.add(TaskKind(code="safety_patrol", label="安全巡查", sort=50))
    db.session.commit()
    auth.login("liaison")
    page = text(english(client, "/log"))
    assert ">Resident visit</option>" in page and ">安全巡查</option>" in page
    assert ">Choose…</option>" in page


def test_the_choice_is_kept_across_requests_and_a_login_and_can_be_undone(client, auth, world):
    english(client, "/login")
    assert "Log in to Fuxin Field" in text(client.get("/login"))
    auth.login("liaison")
    assert "My places" in text(client.get("/"))
    assert "Not visited this week" in text(client.get("/"))
    r = client.post("/logout", follow_redirects=True)
    assert "Logged out" in text(r) and "Log in to Fuxin Field" in text(r)
    assert "登录福新外勤" in text(client.get("/login?lang=zh_CN"))
    assert "登录福新外勤" in text(client.get("/login"))


def test_lang_is_remembered_even_when_the_first_answer_is_a_redirect(client, world):
    r = client.get("/?lang=en")
    assert r.status_code == 302
    assert "Log in to Fuxin Field" in text(client.get(r.headers["Location"]))


def test_an_unknown_language_is_ignored(client, world):
    assert "登录福新外勤" in text(client.get("/login?lang=fr"))


def test_the_footer_switches_language_with_plain_links(client, auth, world):
    auth.login("liaison")
    page = text(client.get("/my/record?q=%E4%B8%9C"))
    footer = page[page.index('<footer'):page.index('</footer>')]
    links = dict((name, href) for href, name in re.findall(r'<a href="([^"]+)"[^>]*>(中文|English)</a>', footer))
    assert set(links) == {"中文", "English"}
    assert 'hx-boost="false"' in footer  # a whole page load, so <html lang> follows
    href = links["English"].replace("&amp;", "&")
    assert href.startswith("/my/record?") and "q=%E4%B8%9C" in href and "lang=en" in href
    page = text(client.get(href))
    assert "My records, last 30 days" in page and "中文" in page  # the other way back
    back = re.search(r'<a href="([^"]+)"[^>]*>中文</a>', page).group(1).replace("&amp;", "&")
    assert "我近30天的记录" in text(client.get(back))


def test_error_pages_are_in_the_chosen_language(client, world):
    english(client, "/login")
    page = text(client.get("/no-such-page"))
    assert "Page not found" in page and "Error code 404" in page
    assert "页面不存在" in text(client.get("/no-such-page?lang=zh_CN"))


def test_case_pages_count_in_english(client, auth, world):
    auth.login("liaison")
    english(client, "/")
    r = client.post(f"/cases/new?household_id={world.household_a.id}",
                    data={"kind": "repair", "title": "屋顶漏水", "owner_id": world.liaison.id})
    assert r.status_code == 302
    page = text(client.get(r.headers["Location"]))
    assert "Household case opened" in page and "House repair" in page and "Open for" in page
    assert ">0</span> times" in page and "Case opened (Open)" in page
    case_url = r.headers["Location"]
    r = client.post(case_url + "/visits", data={"record_id": str(uuid.uuid4()), "kind": "resident_visit",
                                               "summary": "上门查看"}, follow_redirects=True)
    page = text(r)
    assert "Visit logged" in page and "Resident visit" in page and "In progress" in page
    assert "Moved to in progress automatically when a visit was logged" in page
    from fuxin_pwa.cases.models import CaseEvent
    notes = [e.note for e in db.session.scalars(db.select(CaseEvent))]
    assert "记录走访后自动转为推进中" in notes  # stored in Chinese, shown in the page's language
    assert "记录走访后自动转为推进中" in text(client.get(case_url + "?lang=zh_CN"))


# --- JSON: lazy labels and messages go out as plain strings --------------------------------

SHANGHAI = timezone(timedelta(hours=8))


def test_the_sync_api_answers_in_the_session_language(client, auth, world):
    auth.login("liaison")
    english(client, "/")
    me = client.get("/api/v1/me").get_json()
    assert {"code": "resident_visit", "label": "Resident visit"} in me["task_kinds"]
    record = {"id": str(uuid.uuid4()), "type": "task_log",
              "occurred_at": datetime.now(SHANGHAI).isoformat(timespec="seconds"),
              "data": {"kind": "resident_visit", "place_id": world.village_b.id, "summary": ""}}
    r = client.post("/api/v1/sync", json={"device_id": "d", "records": [record]})
    errors = r.get_json()["results"][0]["errors"]
    assert errors["summary"] == ["Describe what was done"]
    assert errors["place_id"] == ["This place is not one of your assigned places"]


def test_the_sync_api_stays_chinese_by_default(client, auth, world):
    auth.login("liaison")
    me = client.get("/api/v1/me").get_json()
    assert {"code": "resident_visit", "label": "走访群众"} in me["task_kinds"]


# --- Files stay Chinese, whatever language the admin reads ---------------------------------

def test_an_english_admin_imports_a_chinese_file_with_chinese_labels(app, client, auth, world, tmp_path):
    app.config["IMPORT_DIR"] = str(tmp_path / "imports")
    auth.login("admin")
    english(client, "/admin/")
    upload_page = text(client.get("/admin/import/people"))
    assert "Import People" in upload_page and '<span class="muted" lang="zh-CN">用户名</span>' in upload_page
    assert "Role: one of 管理员、街道领导/调度" in upload_page
    template = client.get("/admin/import/people/template.csv").get_data().decode("utf-8-sig")
    assert template.startswith("用户名,姓名,角色,队伍")
    content = "用户名,姓名,角色,初始密码,包片地点编码\nnewgrid,新网格员,网格员,Xinlu-2026-gw,G-A1\n".encode()
    r = client.post("/admin/import/people", data={"file": (io.BytesIO(content), "people.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    preview = text(client.get(r.headers["Location"]))
    assert "Import People: preview" in preview and '<span class="tag">New</span>' in preview
    assert "Row 2:" not in preview
    bad = "用户名,姓名,角色\nx!,坏,厨师\n".encode()
    r = client.post("/admin/import/people", data={"file": (io.BytesIO(bad), "people.csv")},
                    content_type="multipart/form-data")
    preview = text(client.get(r.headers["Location"]))
    assert "Row 2: Unknown role: 厨师" in preview


def test_taking_down_a_request_reads_as_such_in_english_not_as_log(client, auth, world):
    from tests.test_requests import a_request
    english(client, "/login")
    auth.login("liaison")
    form = text(client.get("/requests/new"))
    assert "/ New request</p>" in form and ">Save the request</button>" in form
    assert "Take down a resident&#39;s request" in form or "Take down a resident's request" in form
    req = a_request(world, raiser=world.liaison)
    page = text(client.get(f"/requests/{req.id}"))
    assert "<dt>Raised</dt>" in page
    for shown in (form, page):
        assert not re.search(r">\s*Log\s*<", shown)  # 登记 is never the bare word "Log"
