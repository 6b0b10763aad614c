"""Profile photos: 吴社工 uploads her own photo, sees it on her profile and it is kept as a
small square JPEG; a peer can neither upload nor fetch it (404); a file that is no photo or
is too big comes back with a Chinese field error and nothing is kept. On the residents'
vote page her photo shows (a separate, lazy request under the link's token) and a colleague
without one keeps his initial; the photo answers only for people on that link, only while
the vote is open."""
import io
import os
from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from fuxin_pwa.evaluations.scoring import DEFAULT_WEIGHTS
from fuxin_pwa.evaluations.services import create_round
from fuxin_pwa.extensions import db
from fuxin_pwa.people.models import PersonPhoto
from fuxin_pwa.people.photos import MAX_BYTES, set_photo
from fuxin_pwa.photos import images
from fuxin_pwa.timeutil import utcnow
from tests.factories import make_user


def picture(fmt="JPEG", size=(64, 48), color="red") -> bytes:
    out = io.BytesIO()
    Image.new("RGBA" if fmt == "PNG" else "RGB", size, color).save(out, fmt)
    return out.getvalue()


def upload(client, person_id, data, name="我.jpg"):
    return client.post(f"/people/{person_id}/photo/edit", data={"photo": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def stored_files(app):
    folder = os.path.join(app.config["PHOTO_DIR"], "people")
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def test_she_uploads_her_own_photo_and_sees_it_on_her_profile(app, client, auth, world):
    auth.login("community")
    me = world.community_worker.id
    assert "上传照片" in client.get(f"/people/{me}").get_data(as_text=True)
    assert upload(client, me, picture("PNG", (300, 200))).status_code == 302
    photo = db.session.scalar(sa.select(PersonPhoto))
    assert photo.user_id == me and photo.storage_path.startswith("people/") and photo.uploaded_by_id == me
    profile = client.get(f"/people/{me}").get_data(as_text=True)
    assert f'src="/people/{me}/photo?v=' in profile and "更换照片" in profile
    r = client.get(f"/people/{me}/photo")
    assert r.status_code == 200 and r.mimetype == "image/jpeg" and "private" in r.headers["Cache-Control"]
    with Image.open(io.BytesIO(r.data)) as kept:  # re-encoded: a small square JPEG
        assert (kept.format, kept.size) == ("JPEG", (240, 240))


def test_a_new_photo_replaces_the_old_file(app, client, auth, world):
    auth.login("community")
    upload(client, world.community_worker.id, picture(color="red"))
    first = stored_files(app)
    upload(client, world.community_worker.id, picture("WEBP", color="blue"))
    second = stored_files(app)
    assert len(first) == len(second) == 1 and first != second
    assert db.session.scalar(sa.select(sa.func.count(PersonPhoto.id))) == 1


def test_a_peer_can_neither_upload_nor_fetch_her_photo_but_a_leader_can(client, auth, world):
    set_photo(world.community_worker, world.community_worker, images.square_jpeg(picture()))
    auth.login("grid")  # a peer
    her = world.community_worker.id
    assert client.get(f"/people/{her}/photo").status_code == 404
    assert client.get(f"/people/{her}/photo/edit").status_code == 404
    assert upload(client, her, picture()).status_code == 404
    assert client.get(f"/people/{world.grid.id}/photo").status_code == 404  # his own: none yet
    auth.logout()
    auth.login("leader")
    assert client.get(f"/people/{her}/photo").status_code == 200
    assert upload(client, her, picture(color="green")).status_code == 302


@pytest.mark.parametrize("data, said", [
    (b"<html><script>alert(1)</script></html>", "JPEG、PNG 或 WebP"),
    (b"GIF89a" + b"\x00" * 64, "JPEG、PNG 或 WebP"),
    (picture()[:200], "JPEG、PNG 或 WebP"),  # cut off in transit
    (b"\xff\xd8\xff" + b"\x00" * MAX_BYTES, "超过 10 MB"),
    (b"", "请选择一张照片"),
])
def test_a_file_that_is_no_photo_or_too_big_is_refused_and_nothing_is_kept(app, client, auth, world, data, said):
    auth.login("community")
    r = upload(client, world.community_worker.id, data)
    assert r.status_code == 422 and said in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(PersonPhoto.id))) == 0 and stored_files(app) == []


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=400), head=st.sampled_from([b"", b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n",
                                                             b"RIFF\x00\x00\x00\x00WEBPVP8 "]))
def test_junk_bytes_are_a_field_error_never_a_server_error(app, client, auth, world, data, head):
    auth.login("community")
    r = upload(client, world.community_worker.id, head + data)
    assert r.status_code in (302, 422)
    if r.status_code == 422:
        assert 'class="error' in r.get_data(as_text=True)
    auth.logout()


def wanke(rnd):
    return next(link for link in rnd.links if link.place.name == "万科社区")


def test_the_vote_page_shows_her_photo_and_his_initial(app, world):
    colleague = make_user("community_b", "community_worker", name="冯社工", places=[world.community])
    set_photo(world.community_worker, world.community_worker, images.square_jpeg(picture()))
    rnd = create_round(world.leader, "2026年度社区工作者考核", "community_worker", date(2026, 1, 1),
                       date(2026, 12, 31), ["德", "能"], dict(DEFAULT_WEIGHTS), 2, 20, 5)
    link = wanke(rnd)
    page = app.test_client().get(f"/vote/{link.token}")
    text = page.get_data(as_text=True)
    url = f"/vote/{link.token}/photos/{world.community_worker.id}.jpg"
    assert f'src="{url}"' in text and 'loading="lazy"' in text and 'width="48" height="48"' in text
    assert "冯社工" in text and '<span class="avatar" aria-hidden="true">冯</span>' in text
    assert f"/photos/{colleague.id}.jpg" not in text
    assert len(page.data) <= 30 * 1024 and "<script" not in text
    r = app.test_client().get(url)  # no login: the token is the key
    assert r.status_code == 200 and r.data[:3] == b"\xff\xd8\xff"


def test_the_public_photo_answers_only_for_people_on_that_link_and_only_while_open(app, world):
    east = make_user("community_b", "community_worker", name="冯社工", places=[world.village_a])
    for person in (world.community_worker, world.liaison, east):
        set_photo(person, person, images.square_jpeg(picture()))
    rnd = create_round(world.leader, "2026年度社区工作者考核", "community_worker", date(2026, 1, 1),
                       date(2026, 12, 31), ["德", "能"], dict(DEFAULT_WEIGHTS), 2, 20, 5)
    link = wanke(rnd)
    phone = app.test_client()
    assert phone.get(f"/vote/{link.token}/photos/{world.community_worker.id}.jpg").status_code == 200
    assert phone.get(f"/vote/{link.token}/photos/{world.liaison.id}.jpg").status_code == 404  # not on this page
    assert phone.get(f"/vote/{'0' * 32}/photos/{world.community_worker.id}.jpg").status_code == 404
    other = next(link for link in rnd.links if link.place.name != "万科社区")
    assert phone.get(f"/vote/{other.token}/photos/{world.community_worker.id}.jpg").status_code == 404
    assert phone.get(f"/vote/{other.token}/photos/{east.id}.jpg").status_code == 200
    link.closed_at = utcnow()
    db.session.commit()
    assert phone.get(f"/vote/{link.token}/photos/{world.community_worker.id}.jpg").status_code == 404
