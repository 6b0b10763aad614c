"""Photos travel after their record (docs: sync-protocol.md, "Attachments"): the PUT
contract answer by answer, the EXIF location rule, who may see a photo, where the file lands,
and the thumbnails on every list where records appear."""
import io
import os
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from PIL import Image

from fuxin_pwa.extensions import db
from fuxin_pwa.photos import storage
from fuxin_pwa.photos.images import GPS_IFD
from fuxin_pwa.photos.models import Photo
from fuxin_pwa.timeutil import to_local
from tests.factories import make_checkin, make_task_log

SHANGHAI = timezone(timedelta(hours=8))
MAKE = 0x010F
GPS = {1: "N", 2: (37.0, 29.0, 48.0), 3: "E", 4: (121.0, 15.0, 14.0)}


def image_bytes(fmt="JPEG", color="red", size=(64, 48), gps=False) -> bytes:
    """A small picture made here, with a camera make in its EXIF and, if asked, a GPS fix."""
    exif = Image.Exif()
    exif[MAKE] = "FieldCam"
    if gps:
        exif[GPS_IFD] = GPS
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt, exif=exif)
    return out.getvalue()


def gps_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as img:
        return dict(img.getexif().get_ifd(GPS_IFD))


def put_photo(client, record_uuid, photo_uuid=None, data=None, content_type="image/jpeg", **kw):
    photo_uuid = photo_uuid or str(uuid.uuid4())
    return client.put(f"/api/v1/records/{record_uuid}/photos/{photo_uuid}",
                      data=image_bytes() if data is None else data, content_type=content_type, **kw)


def photo_count():
    return db.session.scalar(sa.select(sa.func.count(Photo.id)))


def files_under(root) -> list[str]:
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


@pytest.fixture
def liaison_checkin(world, client, auth):
    """The liaison is logged in and has a check-in (no position) in her village."""
    auth.login("liaison")
    return make_checkin(world.liaison, world.grid_a)


# --- PUT: every answer of the contract ----------------------------------------------------

def test_a_photo_sent_after_its_checkin_is_stored_and_answers_201(app, client, liaison_checkin):
    photo_id = str(uuid.uuid4())
    data = image_bytes()
    r = put_photo(client, liaison_checkin.uuid, photo_id, data)
    assert r.status_code == 201
    body = r.get_json()
    assert body["id"] == photo_id and body["status"] == "created" and body["record_id"] == liaison_checkin.uuid
    photo = db.session.scalar(sa.select(Photo))
    assert (photo.record_type, photo.record_uuid, photo.user_id) == ("checkin", liaison_checkin.uuid,
                                                                      liaison_checkin.user_id)
    assert (photo.content_type, photo.width, photo.height) == ("image/jpeg", 64, 48)
    assert len(photo.sha256) == 64 and photo.size_bytes > 0


def test_the_same_photo_sent_twice_is_one_photo_and_the_second_answer_is_200(client, liaison_checkin):
    photo_id, data = str(uuid.uuid4()), image_bytes()
    assert put_photo(client, liaison_checkin.uuid, photo_id, data).status_code == 201
    again = put_photo(client, liaison_checkin.uuid, photo_id, data)
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    assert photo_count() == 1


def test_the_same_photo_id_with_other_bytes_is_a_409_and_the_first_photo_stays(client, liaison_checkin):
    photo_id = str(uuid.uuid4())
    put_photo(client, liaison_checkin.uuid, photo_id, image_bytes(color="red"))
    r = put_photo(client, liaison_checkin.uuid, photo_id, image_bytes(color="blue"))
    assert r.status_code == 409 and r.get_json()["error"] == "conflict"
    assert photo_count() == 1


def test_a_photo_that_arrives_before_its_record_is_404_and_stored_once_the_record_syncs(client, auth, world):
    auth.login("liaison")
    record_id, photo_id = str(uuid.uuid4()), str(uuid.uuid4())
    early = put_photo(client, record_id, photo_id)
    assert early.status_code == 404 and early.get_json() == {"error": "not_found"}
    record = {"id": record_id, "type": "checkin", "occurred_at": datetime.now(SHANGHAI).isoformat(),
              "data": {"place_id": world.grid_a.id, "note": "入户"}}
    synced = client.post("/api/v1/sync", json={"device_id": "d1", "sent_at": datetime.now(SHANGHAI).isoformat(),
                                               "records": [record]})
    assert synced.get_json()["results"][0]["status"] == "created"
    assert put_photo(client, record_id, photo_id).status_code == 201


def test_a_photo_on_someone_elses_record_is_404_not_403(client, auth, world):
    theirs = make_checkin(world.liaison_b, world.grid_b)
    auth.login("liaison")
    r = put_photo(client, theirs.uuid)
    assert r.status_code == 404 and r.get_json() == {"error": "not_found"}
    assert photo_count() == 0


def test_a_record_id_that_is_not_a_uuid_is_404_and_a_bad_photo_id_is_400(client, liaison_checkin):
    assert put_photo(client, "not-a-uuid").status_code == 404
    r = put_photo(client, liaison_checkin.uuid, "photo-1")
    assert r.status_code == 400 and r.get_json()["error"] == "bad_request"


def test_three_photos_fit_on_a_record_a_fourth_is_409_too_many_photos(client, liaison_checkin):
    ids = [str(uuid.uuid4()) for _ in range(3)]
    for i, photo_id in enumerate(ids):
        assert put_photo(client, liaison_checkin.uuid, photo_id, image_bytes(size=(40 + i, 30))).status_code == 201
    fourth = put_photo(client, liaison_checkin.uuid, data=image_bytes(size=(99, 30)))
    assert fourth.status_code == 409 and fourth.get_json() == {"error": "too_many_photos"}
    # A retry of one of the three is still the same photo, not a fourth.
    assert put_photo(client, liaison_checkin.uuid, ids[1], image_bytes(size=(41, 30))).status_code == 200
    assert photo_count() == 3


def test_a_photo_over_5_mib_is_413_json(app, client, liaison_checkin):
    big = b"\xff\xd8" + b"\0" * app.config["PHOTO_MAX_BYTES"]
    r = put_photo(client, liaison_checkin.uuid, data=big)
    assert r.status_code == 413 and r.get_json()["error"] == "too_large"


class CountingStream(io.RawIOBase):
    """A request body of `size` bytes, never held in memory, that counts what the app read."""

    def __init__(self, size):
        self.size, self.pos, self.read_bytes = size, 0, 0

    def readable(self):
        return True

    def seekable(self):  # the test client measures the body by seeking to its end
        return True

    def seek(self, offset, whence=0):
        self.pos = {0: 0, 1: self.pos, 2: self.size}[whence] + offset
        return self.pos

    def tell(self):
        return self.pos

    def readinto(self, buffer):
        n = max(min(len(buffer), self.size - self.pos), 0)
        buffer[:n] = b"\0" * n
        self.pos += n
        self.read_bytes += n
        return n


def test_a_50_mb_body_gets_json_413_from_its_length_without_being_read(client, liaison_checkin):
    body = CountingStream(50 * 1024 * 1024)
    r = client.put(f"/api/v1/records/{liaison_checkin.uuid}/photos/{uuid.uuid4()}", input_stream=body,
                   headers={"Content-Type": "image/jpeg"})
    assert r.status_code == 413 and r.get_json()["error"] == "too_large"
    assert body.read_bytes == 0


def test_a_body_without_length_is_read_only_until_it_proves_too_large(app, client, liaison_checkin):
    body = CountingStream(50 * 1024 * 1024)
    r = client.put(f"/api/v1/records/{liaison_checkin.uuid}/photos/{uuid.uuid4()}", input_stream=body,
                   headers={"Content-Type": "image/jpeg"},
                   environ_overrides={"CONTENT_LENGTH": "", "wsgi.input_terminated": True})
    assert r.status_code == 413 and r.get_json()["error"] == "too_large"
    assert body.read_bytes <= app.config["PHOTO_MAX_BYTES"] + 64 * 1024


def test_a_text_file_renamed_to_jpg_is_415_whatever_its_content_type(client, liaison_checkin):
    r = put_photo(client, liaison_checkin.uuid, data="走访记录：一切正常\n".encode() * 50)
    assert r.status_code == 415 and r.get_json()["error"] == "unsupported_media_type"
    assert photo_count() == 0


def test_a_jpeg_cut_off_in_transit_is_415_not_half_a_picture(client, liaison_checkin):
    data = image_bytes(size=(400, 300))
    assert put_photo(client, liaison_checkin.uuid, data=data[: len(data) // 2]).status_code == 415


def test_a_real_gif_is_415_only_jpeg_png_and_webp_are_photos(client, liaison_checkin):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    assert put_photo(client, liaison_checkin.uuid, data=out.getvalue(), content_type="image/gif").status_code == 415
    assert put_photo(client, liaison_checkin.uuid, data=out.getvalue()).status_code == 415


def test_a_jpeg_sent_as_text_plain_is_415(client, liaison_checkin):
    assert put_photo(client, liaison_checkin.uuid, content_type="text/plain").status_code == 415


def test_a_tiny_png_of_36_megapixels_is_a_decompression_bomb_413_too_large(client, liaison_checkin):
    out = io.BytesIO()
    Image.new("1", (6000, 6000)).save(out, "PNG")
    assert len(out.getvalue()) < 100_000
    r = put_photo(client, liaison_checkin.uuid, data=out.getvalue(), content_type="image/png")
    assert r.status_code == 413 and r.get_json()["error"] == "too_large"


@pytest.mark.parametrize("fmt, content_type, ext", [("PNG", "image/png", "png"), ("WEBP", "image/webp", "webp")])
def test_png_and_webp_photos_are_stored_with_their_own_type(app, client, liaison_checkin, fmt, content_type, ext):
    photo_id = str(uuid.uuid4())
    r = put_photo(client, liaison_checkin.uuid, photo_id, image_bytes(fmt), content_type=content_type)
    assert r.status_code == 201 and r.get_json()["content_type"] == content_type
    assert db.session.scalar(sa.select(Photo.storage_path)).endswith(f"/{photo_id}.{ext}")


def test_a_device_without_a_session_hears_401_json(client, world):
    r = put_photo(client, str(uuid.uuid4()))
    assert r.status_code == 401 and r.get_json() == {"error": "auth_required"}


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_with_csrf_on_a_photo_needs_the_token_from_me(client, world):
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"username": "liaison", "password": "fuxin2024", "csrf_token": token})
    record = make_checkin(world.liaison, world.grid_a)
    missing = put_photo(client, record.uuid)
    assert missing.status_code == 403 and missing.get_json()["error"] == "csrf"
    token = client.get("/api/v1/me").get_json()["csrf_token"]
    assert put_photo(client, record.uuid, headers={"X-CSRFToken": token}).status_code == 201


# --- The EXIF rule: a photo never tells more about where than its record does ---------------

def stored_bytes(photo_id) -> bytes:
    photo = db.session.scalar(sa.select(Photo).where(Photo.uuid == photo_id))
    with open(storage.absolute(photo.storage_path), "rb") as handle:
        return handle.read()


def test_gps_is_stripped_from_a_photo_of_a_checkin_saved_without_location(client, liaison_checkin):
    photo_id = str(uuid.uuid4())
    data = image_bytes(gps=True)
    assert gps_of(data)  # the phone put its position in the file
    r = put_photo(client, liaison_checkin.uuid, photo_id, data)
    assert r.status_code == 201 and r.get_json()["location_stripped"] is True
    kept = stored_bytes(photo_id)
    assert gps_of(kept) == {}
    with Image.open(io.BytesIO(kept)) as img:
        assert img.getexif()[MAKE] == "FieldCam"  # only the location goes
    served = client.get(f"/photos/{photo_id}")
    assert gps_of(served.data) == {}
    # The device retrying with the bytes it has is still the same photo.
    assert put_photo(client, liaison_checkin.uuid, photo_id, data).status_code == 200


def test_gps_is_kept_when_the_checkin_shared_its_location(client, auth, world):
    auth.login("liaison")
    record = make_checkin(world.liaison, world.grid_a, lat=37.4968, lon=121.2541, accuracy_m=18)
    photo_id, data = str(uuid.uuid4()), image_bytes(gps=True)
    r = put_photo(client, record.uuid, photo_id, data)
    assert r.status_code == 201 and r.get_json()["location_stripped"] is False
    assert stored_bytes(photo_id) == data and gps_of(stored_bytes(photo_id))[1] == "N"


def test_a_task_log_has_no_position_so_its_photos_lose_their_gps(client, auth, world):
    auth.login("liaison")
    log = make_task_log(world.liaison, world.grid_a)
    photo_id = str(uuid.uuid4())
    assert put_photo(client, log.uuid, photo_id, image_bytes(gps=True)).status_code == 201
    assert gps_of(stored_bytes(photo_id)) == {}
    assert db.session.scalar(sa.select(Photo.record_type)) == "task_log"


def test_the_thumbnail_never_carries_exif(client, auth, world):
    auth.login("liaison")
    record = make_checkin(world.liaison, world.grid_a, lat=37.5, lon=121.2)
    photo_id = str(uuid.uuid4())
    put_photo(client, record.uuid, photo_id, image_bytes(gps=True, size=(800, 600)))
    thumb = client.get(f"/photos/{photo_id}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(thumb.data)) as img:
        assert max(img.size) <= 320 and len(img.getexif()) == 0


# --- Storage: where the file lands, and never half of it ------------------------------------

def test_the_file_lands_under_year_month_and_photo_id_with_its_thumbnail(app, client, liaison_checkin):
    photo_id = str(uuid.uuid4())
    put_photo(client, liaison_checkin.uuid, photo_id)
    photo = db.session.scalar(sa.select(Photo))
    month = to_local(photo.received_at).strftime("%Y/%m")
    assert photo.storage_path == f"{month}/{photo_id}.jpg"
    assert files_under(app.config["PHOTO_DIR"]) == sorted(
        [f"{month}/{photo_id}.jpg", f"{month}/{photo_id}.thumb.jpg"])


def test_a_crash_while_writing_leaves_no_half_file_and_no_row_and_the_retry_succeeds(
        app, client, liaison_checkin, monkeypatch):
    photo_id = str(uuid.uuid4())

    def power_cut(src, dst):
        raise OSError("disk unplugged")

    monkeypatch.setattr(storage.os, "replace", power_cut)
    with pytest.raises(OSError):
        put_photo(client, liaison_checkin.uuid, photo_id)
    assert photo_count() == 0
    assert files_under(app.config["PHOTO_DIR"]) == []  # neither the photo nor a .part
    monkeypatch.undo()
    assert put_photo(client, liaison_checkin.uuid, photo_id).status_code == 201


# --- Who may see a photo --------------------------------------------------------------------

@pytest.mark.parametrize("login, code", [
    ("liaison", 200),      # made it
    ("leader", 200), ("admin", 200),  # see everything
    ("cadre", 200),        # covers 东村, where the check-in was made
    ("liaison_b", 404), ("grid", 404), ("community", 404),  # not their places: not even a 403
])
def test_a_photo_is_seen_by_its_owner_leaders_and_who_covers_the_place(client, auth, world, login, code):
    auth.login("liaison")
    record = make_checkin(world.liaison, world.grid_a)
    photo_id, data = str(uuid.uuid4()), image_bytes()
    put_photo(client, record.uuid, photo_id, data)
    auth.logout()
    auth.login(login)
    for url in (f"/photos/{photo_id}", f"/photos/{photo_id}/thumb"):
        r = client.get(url)
        assert r.status_code == code, url
    if code == 200:
        r = client.get(f"/photos/{photo_id}")
        assert r.data == data and r.mimetype == "image/jpeg"
        assert r.headers["Cache-Control"] == "private, max-age=86400"


def test_an_unknown_photo_is_404_and_logged_out_goes_to_login(client, auth, world):
    assert client.get(f"/photos/{uuid.uuid4()}").headers["Location"].startswith("/login")
    auth.login("leader")
    assert client.get(f"/photos/{uuid.uuid4()}").status_code == 404
    assert client.get("/photos/../../etc/passwd").status_code == 404


# --- Thumbnails on the lists where records appear --------------------------------------------

def _with_photos(client, records, per_record=2):
    ids = {}
    for record in records:
        ids[record.uuid] = [str(uuid.uuid4()) for _ in range(per_record)]
        for i, photo_id in enumerate(ids[record.uuid]):
            put_photo(client, record.uuid, photo_id, image_bytes(size=(30 + i, 20)))
    return ids


def test_my_record_shows_each_records_photos_as_lazy_thumbnails(client, liaison_checkin, world):
    log = make_task_log(world.liaison, world.grid_a, summary="入户核实")
    ids = _with_photos(client, [liaison_checkin, log])
    html = client.get("/my/record").get_data(as_text=True)
    for photo_id in ids[liaison_checkin.uuid] + ids[log.uuid]:
        assert f'src="/photos/{photo_id}/thumb" loading="lazy"' in html
        assert f'href="/photos/{photo_id}"' in html


def test_the_leaders_records_and_the_case_timeline_show_thumbnails(client, auth, world):
    from fuxin_pwa.cases.models import Case

    case = Case(household_id=world.household_a.id, kind="illegal_structure", title="东村1号违建",
                owner_id=world.liaison.id, created_by_id=world.leader.id)
    db.session.add(case)
    db.session.commit()
    auth.login("liaison")
    visit = make_task_log(world.liaison, world.grid_a, case_id=case.id, household_id=world.household_a.id)
    ids = _with_photos(client, [visit], per_record=1)
    assert f"/photos/{ids[visit.uuid][0]}/thumb" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    auth.logout()
    auth.login("leader")
    assert f"/photos/{ids[visit.uuid][0]}/thumb" in client.get("/oversight/records").get_data(as_text=True)
    assert f"/photos/{ids[visit.uuid][0]}/thumb" in client.get(f"/cases/{case.id}").get_data(as_text=True)


@pytest.mark.parametrize("url", ["/my/record", "/oversight/records"])
def test_photos_for_a_page_of_records_load_in_one_query(client, auth, world, count_queries, url):
    """Six records with photos cost the same queries as two (a check-in and a task log, so
    both record tables are read either way): no query per record or per photo."""
    auth.login("liaison")
    _with_photos(client, [make_checkin(world.liaison, world.grid_a), make_task_log(world.liaison, world.grid_a)])
    login = "leader" if url.startswith("/oversight") else "liaison"
    auth.logout()
    auth.login(login)
    with count_queries() as two:
        assert client.get(url).get_data(as_text=True).count('loading="lazy"') == 4
    auth.logout()
    auth.login("liaison")
    more = [make_checkin(world.liaison, world.grid_a) for _ in range(2)]
    more += [make_task_log(world.liaison, world.grid_a) for _ in range(2)]
    _with_photos(client, more)
    auth.logout()
    auth.login(login)
    with count_queries() as six:
        html = client.get(url).get_data(as_text=True)
    assert html.count('loading="lazy"') == 12
    assert six.count == two.count


# --- Races: two phones (or a retry and its original) at the same moment ----------------------

def _race(live_server, uploads):
    """Send every (photo id, bytes) at the same moment, each from its own logged-in session."""
    import threading

    from tests.test_sync_concurrency import logged_in_session

    record_uuid = uploads[0][0]
    sessions = [logged_in_session(live_server.url) for _ in uploads]
    start = threading.Barrier(len(uploads))
    answers = [None] * len(uploads)

    def send(i):
        _, photo_id, data = uploads[i]
        start.wait()
        answers[i] = sessions[i].put(f"{live_server.url}/api/v1/records/{record_uuid}/photos/{photo_id}",
                                     data=data, headers={"Content-Type": "image/jpeg"}, timeout=60)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(uploads))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.expire_all()
    return answers


def test_six_photos_racing_for_three_places_leave_exactly_three(live_server, world):
    record = make_checkin(world.liaison, world.grid_a)
    answers = _race(live_server, [(record.uuid, str(uuid.uuid4()), image_bytes(size=(20 + i, 20)))
                                  for i in range(6)])
    assert sorted(a.status_code for a in answers) == [201] * 3 + [409] * 3
    assert photo_count() == 3


def test_one_photo_sent_from_four_tabs_at_once_is_stored_once(app, live_server, world):
    record = make_checkin(world.liaison, world.grid_a)
    photo_id, data = str(uuid.uuid4()), image_bytes()
    answers = _race(live_server, [(record.uuid, photo_id, data)] * 4)
    assert sorted(a.status_code for a in answers) == [200] * 3 + [201]
    assert photo_count() == 1
    assert len([f for f in files_under(app.config["PHOTO_DIR"]) if not f.endswith(".thumb.jpg")]) == 1
