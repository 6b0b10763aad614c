"""The statistics page on the service centre's tablet (1024×768), in Chromium: a leader narrows
the figures to one team without a reload and downloads the ledger the page describes."""
import io

from openpyxl import load_workbook

from fuxin_pwa.timeutil import utcnow
from tests.factories import make_checkin, make_task_log

TABLET = {"width": 1024, "height": 768}


def stat(page, name):
    return page.inner_text(f'[data-total="{name}"] .stat-n').strip()


def test_a_leader_filters_the_statistics_and_downloads_the_ledger(page, live_server, login, world):
    now = utcnow()
    make_checkin(world.liaison, world.village_a, when=now)
    make_checkin(world.liaison_b, world.grid_b, when=now)
    make_checkin(world.grid, world.estate, when=now)
    make_task_log(world.cadre, world.grid_a, "demolition_talk", when=now)
    page.set_viewport_size(TABLET)
    login("leader")
    page.goto(f"{live_server.url}/stats/")
    assert stat(page, "checkins") == "3" and stat(page, "task_logs") == "1"
    assert page.locator("svg.chart-trend rect.bar-checkins").count() == 12
    # Nothing wider than the tablet: wide tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]

    page.evaluate("window.__samePage = true")  # gone if the page reloads
    page.select_option("#team", "village_liaison")
    page.wait_for_function("document.querySelector('[data-total=checkins] .stat-n').textContent.trim() === '2'")
    assert page.evaluate("window.__samePage") is True
    assert "team=village_liaison" in page.url  # the filtered view can be bookmarked and shared
    assert stat(page, "task_logs") == "0"

    with page.expect_download() as info:
        page.click('a[data-ledger="all"]')
    download = info.value
    assert download.suggested_filename.startswith("全部台账_") and download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as f:
        wb = load_workbook(io.BytesIO(f.read()))
    assert wb.sheetnames[0] == "签到台账"
    visits = list(wb["签到台账"].iter_rows(values_only=True))
    assert len(visits) - 1 == 2  # the two liaisons' check-ins, as the page said
    assert {row[2] for row in visits[1:]} == {"包村包片干部"}
    assert wb["工作台账"].max_row == 1  # the cadre's talk is another team's


def test_the_statistics_read_on_a_phone_without_sideways_scrolling(page, live_server, login, world):
    make_checkin(world.liaison, world.village_a)
    login("leader")  # the default context is a 360 px phone
    page.goto(f"{live_server.url}/stats/")
    assert stat(page, "checkins") == "1"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator("svg.chart-kinds").is_visible()


def test_a_wrong_date_range_comes_back_in_place_with_its_error(page, live_server, login, world):
    """The server answers 422 with the form's errors; field.js has htmx swap it in all the same."""
    page.set_viewport_size(TABLET)
    login("leader")
    page.goto(f"{live_server.url}/stats/")
    page.evaluate("window.__samePage = true")
    page.fill("#date_from", "2026-03-10")
    page.fill("#date_to", "2026-03-01")
    page.locator("#date_to").dispatch_event("change")
    page.wait_for_selector("#stats-results >> text=结束日期不能早于开始日期")
    assert page.evaluate("window.__samePage") is True
