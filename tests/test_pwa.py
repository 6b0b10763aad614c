"""The installable shell, without a browser: the worker's script and headers, the manifest,
static files versioned, cached and compressed, the offline and install pages."""
import gzip
import io
import json
import os
import re

import pytest
from PIL import Image

from fuxin_pwa.pwa.shell import shell_version

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
IPHONE_WECHAT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323b) NetType/4G")
IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


def worker_config(body: str) -> dict:
    return json.loads(re.search(r"const SHELL = (\{.*?\});\n", body).group(1))


def versioned_links(html: str) -> dict:
    """{'css/app.css': '/static/css/app.css?v=…', …} for every static URL in a page."""
    return {m.group(1): m.group(0) for m in re.finditer(r"/static/([\w./-]+)\?v=[0-9a-f]{10}", html)}


# The worker

def test_the_worker_is_served_at_the_root_uncached_with_its_scope_allowed(client):
    r = client.get("/sw.js")
    assert r.status_code == 200
    assert r.mimetype == "text/javascript"
    assert r.headers["Cache-Control"] == "no-cache"
    assert r.headers["Service-Worker-Allowed"] == "/"


def test_the_worker_precaches_the_versioned_shell_and_names_the_offline_pages(client, app):
    body = client.get("/sw.js").get_data(as_text=True)
    assert "__SHELL_CONFIG__" not in body
    config = worker_config(body)
    files = {url.split("?")[0].removeprefix("/static/") for url in config["precache"]}
    static_js = {f"js/{name}" for name in os.listdir(os.path.join(app.static_folder, "js"))}
    assert {"css/app.css", "icons/icon-192.png", "icons/icon-512.png",
            "icons/icon-maskable-512.png"} | static_js <= files
    assert all(re.search(r"\?v=[0-9a-f]{10}$", url) for url in config["precache"])
    assert config["offlineUrls"] == {"zh_CN": "/offline", "en": "/offline?lang=en"}
    assert {"/", "/checkin", "/log", "/my/record"} <= set(config["offlinePages"])
    assert config["apiPrefix"] == "/api/" and config["staticPrefix"] == "/static/"


def test_the_worker_names_no_cdn_and_deletes_only_its_own_caches(client):
    body = client.get("/sw.js").get_data(as_text=True)
    assert "https://" not in body
    # Its one import is the outbox's own store and sync client, versioned, for Background Sync.
    assert body.count("importScripts(") == 1 and "importScripts(...SHELL.imports);" in body
    imports = worker_config(body)["imports"]
    assert [url.split("?")[0] for url in imports] == ["/static/js/fuxin-en.js", "/static/js/outbox-store.js",
                                                             "/static/js/outbox-sync.js"]
    assert set(imports) <= set(worker_config(body)["precache"])  # so they are there offline too
    assert "indexedDB" not in body  # the worker itself never opens or deletes the outbox's database
    assert "const OUR_CACHES = /^fuxin-(shell|pages)-/;" in body


def test_a_release_is_a_new_worker_version(client, app):
    first = worker_config(client.get("/sw.js").get_data(as_text=True))["version"]
    assert worker_config(client.get("/sw.js").get_data(as_text=True))["version"] == first
    app.config["ASSET_VERSION_SALT"] = "2026-12 release"
    second = worker_config(client.get("/sw.js").get_data(as_text=True))["version"]
    assert second != first
    with app.test_request_context():
        assert shell_version() == second


# The manifest

def test_the_manifest_makes_the_app_installable(client):
    r = client.get("/manifest.webmanifest")
    assert r.status_code == 200 and r.mimetype == "application/manifest+json"
    manifest = json.loads(r.get_data(as_text=True))
    assert manifest["name"] == "福新外勤" and manifest["short_name"]
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["lang"] == "zh-CN"
    assert manifest["theme_color"] == "#b22222" and manifest["background_color"].startswith("#")
    for icon in manifest["icons"]:
        fetched = client.get(icon["src"])
        assert fetched.status_code == 200 and fetched.mimetype == "image/png"
        width, height = Image.open(io.BytesIO(fetched.data)).size
        assert icon["sizes"] == f"{width}x{height}"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes


def test_every_page_links_the_manifest_and_the_touch_icon(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'rel="apple-touch-icon"' in html and 'name="apple-mobile-web-app-capable"' in html
    assert 'id="pwa-update-template"' in html and "有新版本，点此更新" in html
    assert 'href="/install"' in html  # the footer


# Static files: versioned, cached, compressed

def test_pages_use_versioned_static_urls(client):
    links = versioned_links(client.get("/login").get_data(as_text=True))
    assert {"css/app.css", "js/htmx-2.0.11.min.js", "js/field.js", "js/pwa.js",
            "icons/apple-touch-icon.png"} <= set(links)


def test_a_versioned_url_is_cached_for_a_year_and_a_plain_one_revalidated(client):
    url = versioned_links(client.get("/login").get_data(as_text=True))["css/app.css"]
    r = client.get(url)
    assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Cookie" not in r.headers.get("Vary", "")  # the same file for everyone
    assert client.get("/static/css/app.css").headers["Cache-Control"] == "no-cache"
    # An old page's URL after a release still gets the file, but never pins it for a year.
    assert client.get("/static/css/app.css?v=0123456789").headers["Cache-Control"] == "no-cache"


def test_text_is_gzipped_for_clients_that_accept_it(client, app):
    url = versioned_links(client.get("/login").get_data(as_text=True))["js/htmx-2.0.11.min.js"]
    with open(os.path.join(app.static_folder, "js/htmx-2.0.11.min.js"), "rb") as handle:
        original = handle.read()
    r = client.get(url, headers=GZIP)
    assert r.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in r.headers["Vary"]
    assert int(r.headers["Content-Length"]) == len(r.data) < len(original) / 2
    assert gzip.decompress(r.data) == original
    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers and plain.data == original


def test_the_apps_own_scripts_and_styles_reach_the_phone_without_their_comments(client, app):
    for name, comment in (("js/outbox-sync.js", "//"), ("css/app.css", "/*")):
        with open(os.path.join(app.static_folder, name), "rb") as handle:
            original = handle.read()
        assert comment.encode() in original
        sent = gzip.decompress(client.get(f"/static/{name}", headers=GZIP).data)
        assert len(sent) < len(original) * 0.8 and b"\n//" not in sent and b"/* " not in sent
    # To a client that takes no gzip, the file is sent as written.
    assert client.get("/static/css/app.css").data == original


def test_a_gzipped_file_still_revalidates_with_its_etag(client):
    r = client.get("/static/css/app.css", headers=GZIP)
    etag = r.headers["ETag"]
    assert etag.startswith('W/"')  # weak: the gzip bytes are not the file's bytes
    assert client.get("/static/css/app.css", headers={**GZIP, "If-None-Match": etag}).status_code == 304


def test_small_bodies_and_images_are_sent_as_they_are(client):
    manifest = client.get("/manifest.webmanifest", headers=GZIP)
    assert len(manifest.data) < 1024 and "Content-Encoding" not in manifest.headers
    icon = client.get("/static/icons/icon-512.png", headers=GZIP)
    assert "Content-Encoding" not in icon.headers


def test_pages_htmx_fragments_and_the_api_stay_intact_when_gzipped(client, auth, world):
    auth.login("liaison")
    page = client.get("/my/record", headers=GZIP)
    assert page.headers["Content-Encoding"] == "gzip"
    assert "HX-Request" in page.headers["Vary"] and "Accept-Encoding" in page.headers["Vary"]
    assert "<!doctype html>" in gzip.decompress(page.data).decode()
    fragment = client.get("/my/record?q=x", headers={**GZIP, "HX-Request": "true"})
    body = gzip.decompress(fragment.data) if fragment.headers.get("Content-Encoding") else fragment.data
    assert "<!doctype html>" not in body.decode()
    me = client.get("/api/v1/me", headers=GZIP)
    data = gzip.decompress(me.data) if me.headers.get("Content-Encoding") else me.data
    assert json.loads(data)["user"]["username"] == "liaison"


def test_url_for_static_still_works(app, client):
    with app.test_request_context():
        from flask import url_for
        assert url_for("static", filename="js/field.js") == "/static/js/field.js"
    assert client.get("/static/js/field.js").status_code == 200


# The offline and install pages

@pytest.mark.parametrize("logged_in", [False, True])
def test_the_offline_page_says_what_works_without_signal(client, auth, world, logged_in):
    if logged_in:
        auth.login("liaison")
    r = client.get("/offline")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "当前无网络" in html and "已保存的记录会在联网后自动同步" in html
    for path in ("/", "/checkin", "/log", "/my/record"):
        assert f'href="{path}"' in html
    assert "data-persist-note hidden" in html  # shown by pwa.js only if storage is not persistent


def test_the_install_page_tells_an_iphone_to_use_safari_and_wechat_to_leave(client):
    safari = client.get("/install", headers={"User-Agent": IPHONE_SAFARI}).get_data(as_text=True)
    assert "在 Safari 中点分享 → 添加到主屏幕" in safari
    assert "不要在微信内打开" not in safari
    assert safari.index("苹果手机") < safari.index("安卓手机")  # the phone in hand comes first
    wechat = client.get("/install", headers={"User-Agent": IPHONE_WECHAT}).get_data(as_text=True)
    assert "请在 Safari 中打开，不要在微信内打开" in wechat
    android = client.get("/install", headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14)"})
    html = android.get_data(as_text=True)
    assert html.index("安卓手机") < html.index("苹果手机") and "data-install-app" in html
    assert "浏览器未授予持久存储" in html


def test_the_shell_is_there_before_logging_in(client):
    for path in ("/sw.js", "/manifest.webmanifest", "/offline", "/install"):
        assert client.get(path).status_code == 200, path


def test_only_the_pages_meant_for_offline_may_be_kept(client, auth, world):
    """Every other page (a household's phone and ID number, a colleague's records) is
    no-store: neither the browser nor the service worker keeps it for the phone's next holder."""
    auth.login("liaison")
    for url in ["/", "/checkin", "/log", "/my/record", "/requests/new", "/outbox", "/offline"]:
        assert "no-store" not in client.get(url).headers.get("Cache-Control", ""), url
    for url in [f"/cases/households/{world.household_a.id}", "/cases/", "/requests/", "/requests/mine",
                "/dispatch/mine", "/password"]:
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store", url
    auth.logout()
    auth.login("admin")
    assert client.get("/admin/people").headers["Cache-Control"] == "private, no-store"
