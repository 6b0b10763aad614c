"""Photos that cannot hurt the server: an image is judged by the pixels its header claims
before anything is decoded (a 113 KB PNG can be 5400×5400, 117 MB once decoded), an accepted
one is decoded into one full-size picture at most, and each person's photos share a quota.
Whatever the bytes, the answer is the protocol's (sync-protocol.md, "Attachments"), never a 5xx."""
import base64
import io
import os
import struct
import uuid
import zlib

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from fuxin_pwa.extensions import db
from fuxin_pwa.photos import quota
from fuxin_pwa.photos.models import Photo
from tests.factories import make_checkin
from tests.test_outbox_import import checkin as outbox_checkin
from tests.test_outbox_import import outbox
from tests.test_outbox_import import upload as upload_outbox
from tests.test_photos import files_under, image_bytes, put_photo

MIB = 1024 * 1024
PROTOCOL_ANSWERS = {200, 201, 409, 413, 415}


def png(mode: str, size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


def noisy_jpeg(size=(1600, 1200), quality=90) -> bytes:
    """A photo-like JPEG: noise does not compress, so it weighs what a phone's photo weighs."""
    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, "JPEG", quality=quality)
    return out.getvalue()


@pytest.fixture
def decoded(monkeypatch):
    """The size of every image Pillow decodes (ImageFile.load is where pixels are made)."""
    sizes = []
    real_load = ImageFile.ImageFile.load

    def load(self):
        sizes.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return sizes


@pytest.fixture
def made(monkeypatch):
    """The size of every picture Pillow makes from another (convert, reduce, resize, copy…)."""
    sizes = []
    real_new = Image.Image._new

    def _new(self, im):
        sizes.append(im.size)
        return real_new(self, im)

    monkeypatch.setattr(Image.Image, "_new", _new)
    return sizes


@pytest.fixture
def liaison_checkin(world, client, auth):
    """The liaison is logged in and has a check-in (no position) in her village."""
    auth.login("liaison")
    return make_checkin(world.liaison, world.grid_a)


def photo_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Photo.id)))


# --- Pixels: judged from the header, before decoding ----------------------------------------

def test_the_113_kb_png_of_5400_by_5400_is_413_without_being_decoded(app, client, liaison_checkin, decoded):
    bomb = png("RGBA", (5400, 5400))
    assert len(bomb) < 120_000  # the review's file: 29 Mpx, 117 MB decoded
    r = put_photo(client, liaison_checkin.uuid, data=bomb, content_type="image/png")
    assert r.status_code == 413
    body = r.get_json()
    assert body["error"] == "too_large" and body["detail"].startswith("照片尺寸过大")
    assert decoded == []  # not one pixel made
    assert photo_count() == 0 and files_under(app.config["PHOTO_DIR"]) == []


def test_a_png_over_twice_the_bound_is_refused_the_same_way(client, liaison_checkin, decoded):
    r = put_photo(client, liaison_checkin.uuid, data=png("1", (7000, 7000)), content_type="image/png")
    assert r.status_code == 413 and r.get_json()["error"] == "too_large"
    assert decoded == []


def test_a_long_side_beyond_the_bound_is_413_even_with_few_pixels(client, liaison_checkin, decoded):
    strip = png("L", (4097, 8))
    r = put_photo(client, liaison_checkin.uuid, data=strip, content_type="image/png")
    assert r.status_code == 413 and decoded == []


@pytest.mark.app_config(PHOTO_MAX_PIXELS=1000 * 800, PHOTO_MAX_SIDE=1000)
def test_the_bounds_come_from_config_and_a_photo_at_the_bound_is_taken(client, liaison_checkin):
    assert put_photo(client, liaison_checkin.uuid, data=image_bytes(size=(1000, 800))).status_code == 201
    r = put_photo(client, liaison_checkin.uuid, data=image_bytes(size=(1001, 800)))
    assert r.status_code == 413 and "长边最多 1000 像素" in r.get_json()["detail"]
    assert put_photo(client, liaison_checkin.uuid, data=image_bytes(size=(1000, 801))).status_code == 413


def test_nothing_in_the_process_decodes_a_bomb_photo_routes_or_not(app):
    assert Image.MAX_IMAGE_PIXELS == app.config["PHOTO_MAX_PIXELS"] == 4096 * 4096
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(png("1", (7000, 7000))))


def test_the_import_of_an_exported_outbox_refuses_the_bomb_with_the_same_message(client, auth, world, decoded):
    auth.login("admin")
    bomb = {"id": str(uuid.uuid4()), "type": "image/png",
            "data": base64.b64encode(png("RGBA", (5400, 5400))).decode()}
    html = upload_outbox(client, outbox([outbox_checkin(world.grid_a.id, photos=[bomb])])).get_data(as_text=True)
    assert "照片尺寸过大" in html
    assert photo_count() == 0 and decoded == []


# --- An ordinary photo: still stored, decoded once at most ------------------------------------

def test_an_ordinary_1600_px_jpeg_is_stored_with_its_size_and_thumbnail(app, client, liaison_checkin):
    photo_id = str(uuid.uuid4())
    data = noisy_jpeg()
    r = put_photo(client, liaison_checkin.uuid, photo_id, data)
    assert r.status_code == 201 and (r.get_json()["width"], r.get_json()["height"]) == (1600, 1200)
    photo = db.session.scalar(sa.select(Photo))
    assert photo.size_bytes > 500_000
    thumb = client.get(f"/photos/{photo_id}/thumb")
    with Image.open(io.BytesIO(thumb.data)) as img:
        assert thumb.mimetype == "image/jpeg" and img.size == (320, 240)


def test_a_jpeg_kept_as_sent_is_decoded_at_a_fraction_of_its_size(client, auth, world, decoded):
    auth.login("liaison")
    shared = make_checkin(world.liaison, world.grid_a, lat=37.5, lon=121.2)  # GPS may stay: no re-encoding
    r = put_photo(client, shared.uuid, data=image_bytes(size=(3200, 2400), gps=True))
    assert r.status_code == 201 and (r.get_json()["width"], r.get_json()["height"]) == (3200, 2400)
    assert decoded and all(w * h <= 800 * 600 for w, h in decoded)


def test_an_rgba_png_is_thumbnailed_without_a_second_full_size_picture(client, liaison_checkin, made):
    photo_id = str(uuid.uuid4())
    image = Image.new("RGBA", (2400, 1800), (200, 30, 30, 128))
    exif = Image.Exif()
    exif[0x0112] = 6  # turned: the thumbnail is turned too, after shrinking
    out = io.BytesIO()
    image.save(out, "PNG", exif=exif)
    made.clear()  # the test's own picture
    r = put_photo(client, liaison_checkin.uuid, photo_id, out.getvalue(), content_type="image/png")
    assert r.status_code == 201
    assert made and max(w * h for w, h in made) <= 2400 * 1800 // 4
    with Image.open(io.BytesIO(client.get(f"/photos/{photo_id}/thumb").data)) as thumb:
        assert thumb.size == (240, 320)


def test_a_phones_mpo_jpeg_is_stored_as_a_jpeg_and_its_location_stripped(client, liaison_checkin):
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (37.0, 29.0, 48.0), 3: "E", 4: (121.0, 15.0, 14.0)}
    out = io.BytesIO()
    Image.new("RGB", (80, 60), "red").save(out, "MPO", save_all=True, exif=exif,
                                            append_images=[Image.new("RGB", (80, 60), "blue")])
    photo_id = str(uuid.uuid4())
    r = put_photo(client, liaison_checkin.uuid, photo_id, out.getvalue())
    assert r.status_code == 201 and r.get_json()["content_type"] == "image/jpeg"
    assert r.get_json()["location_stripped"] is True
    with Image.open(io.BytesIO(client.get(f"/photos/{photo_id}").data)) as stored:
        assert stored.format == "JPEG" and 0x8825 not in stored.getexif()


# --- The quota: one SUM over the person's photos --------------------------------------------

def seed_usage(user, place, size_bytes: int) -> None:
    """Photos the person already has, as the table knows them: no file behind them, so a
    quota that counted from the disk would see nothing."""
    record = make_checkin(user, place)
    db.session.add(Photo(uuid=str(uuid.uuid4()), record_type="checkin", record_uuid=record.uuid,
                         user_id=user.id, content_type="image/jpeg", size_bytes=size_bytes,
                         width=1600, height=1200, sha256="0" * 64, storage_path="none.jpg"))
    db.session.commit()


def test_the_default_quota_is_500_mib_a_person(app):
    assert app.config["PHOTO_QUOTA_BYTES"] == 500 * MIB


@pytest.mark.app_config(PHOTO_QUOTA_BYTES=5 * MIB)
def test_a_full_quota_refuses_the_next_photo_with_the_message_and_stores_nothing(app, client, world,
                                                                               liaison_checkin):
    seed_usage(world.liaison, world.grid_a, 4 * MIB + MIB // 2)
    kept_id, kept = str(uuid.uuid4()), image_bytes()
    assert put_photo(client, liaison_checkin.uuid, kept_id, kept).status_code == 201  # a small one fits
    r = put_photo(client, liaison_checkin.uuid, data=noisy_jpeg())  # ~1.9 MB does not
    assert r.status_code == 413
    body = r.get_json()
    assert body["error"] == "quota_exceeded"
    assert body["detail"] == "照片存储已满（已用 4.5 MB / 上限 5 MB），请联系管理员"
    assert photo_count() == 2  # the seeded one and the small one
    assert all(kept_id in name for name in files_under(app.config["PHOTO_DIR"]))
    # A retry of a photo already stored is still answered as stored.
    assert put_photo(client, liaison_checkin.uuid, kept_id, kept).status_code == 200


@pytest.mark.app_config(PHOTO_QUOTA_BYTES=5 * MIB)
def test_another_person_is_unaffected_by_a_full_quota(client, auth, world):
    seed_usage(world.liaison, world.grid_a, 5 * MIB)
    auth.login("liaison")
    assert put_photo(client, make_checkin(world.liaison, world.grid_a).uuid).status_code == 413
    auth.logout()
    auth.login("liaison_b")
    theirs = make_checkin(world.liaison_b, world.village_b)
    assert put_photo(client, theirs.uuid, data=noisy_jpeg()).status_code == 201


@pytest.mark.app_config(PHOTO_QUOTA_BYTES=5 * MIB)
def test_the_import_of_an_exported_outbox_shows_the_full_quota(client, auth, world):
    seed_usage(world.liaison, world.grid_a, 5 * MIB)
    auth.login("admin")
    photo = {"id": str(uuid.uuid4()), "type": "image/jpeg", "data": base64.b64encode(image_bytes()).decode()}
    html = upload_outbox(client, outbox([outbox_checkin(world.grid_a.id, photos=[photo])])).get_data(as_text=True)
    assert "照片存储已满（已用 5 MB / 上限 5 MB），请联系管理员" in html
    assert photo_count() == 1


@pytest.mark.app_config(PHOTO_QUOTA_BYTES=None)
def test_no_quota_configured_means_no_limit(client, world, liaison_checkin):
    # Far past the default quota (an integer column: one row holds at most 2**31 - 1 bytes).
    seed_usage(world.liaison, world.grid_a, 2_000_000_000)
    assert put_photo(client, liaison_checkin.uuid).status_code == 201


def test_the_usage_is_one_query_over_the_table(app, world, count_queries):
    seed_usage(world.liaison, world.grid_a, 1234)
    seed_usage(world.liaison, world.grid_a, 1000)
    seed_usage(world.liaison_b, world.village_b, 99)
    liaison_id = world.liaison.id
    with count_queries() as q:
        assert quota.used_bytes(liaison_id) == 2234
    assert q.count == 1
    assert quota.used_bytes(world.admin.id) == 0


# --- Whatever the bytes: the protocol's answer, never a 5xx -----------------------------------

PER_EXAMPLE = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
sides = st.one_of(st.integers(1, 6000), st.integers(1, 6000), st.integers(0, 2 ** 32 - 1),
                  st.sampled_from([0, 1, 4096, 4097, 5400, 65535, 2 ** 31 - 1, 2 ** 32 - 1]))
# Colour type → bit depths PNG allows; now and then one it does not.
PNG_DEPTHS = {0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16], 5: [8]}


def _chunk(kind: bytes, body: bytes, good_crc: bool = True) -> bytes:
    crc = zlib.crc32(kind + body) if good_crc else 0
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def _cut(draw, data: bytes) -> bytes:
    """Mostly whole, sometimes cut short anywhere."""
    return data if draw(st.booleans()) else data[:draw(st.integers(1, len(data)))]


@st.composite
def png_headers(draw):
    """A PNG signature and header of any claimed size, depth and colour type, then pixels
    that may or may not be there."""
    colour = draw(st.sampled_from(sorted(PNG_DEPTHS)))
    header = struct.pack(">IIBBBBB", draw(sides), draw(sides), draw(st.sampled_from(PNG_DEPTHS[colour])),
                         colour, 0, 0, draw(st.sampled_from([0, 1])))
    good = draw(st.integers(0, 9)) > 0
    raw = zlib.compress(b"\0" * draw(st.integers(0, 200_000)))
    chunks = [_chunk(b"IHDR", header, good)]
    if colour == 3 or draw(st.booleans()):
        chunks.append(_chunk(b"PLTE", draw(st.binary(min_size=3, max_size=48)), good))
    chunks += [_chunk(b"IDAT", raw, good), _chunk(b"IEND", b"", good)]
    return _cut(draw, b"\x89PNG\r\n\x1a\n" + b"".join(chunks))


@st.composite
def jpeg_headers(draw):
    """A real small JPEG with the size in its frame header rewritten, maybe cut short."""
    data = bytearray(image_bytes(size=(draw(st.integers(1, 64)), draw(st.integers(1, 64)))))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, draw(sides) & 0xFFFF, draw(sides) & 0xFFFF)
    return _cut(draw, bytes(data))


@st.composite
def webp_headers(draw):
    """A WebP container whose extended header claims any canvas size."""
    vp8x = b"VP8X" + struct.pack("<I", 10) + bytes([draw(st.integers(0, 255)), 0, 0, 0])
    vp8x += (draw(sides) & 0xFFFFFF).to_bytes(3, "little") + (draw(sides) & 0xFFFFFF).to_bytes(3, "little")
    body = b"WEBP" + vp8x + draw(st.binary(max_size=200))
    return b"RIFF" + struct.pack("<I", len(body)) + body


@st.composite
def damaged(draw):
    """A real image of each kind with some bytes overwritten."""
    fmt = draw(st.sampled_from(["JPEG", "PNG", "WEBP"]))
    data = bytearray(image_bytes(fmt, size=(draw(st.integers(1, 80)), draw(st.integers(1, 80)))))
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


images = st.one_of(png_headers(), jpeg_headers(), webp_headers(), damaged(), st.binary(max_size=2000))
content_types = st.one_of(st.sampled_from(["image/jpeg", "image/png", "image/webp"]),
                          st.sampled_from(["image/gif", "application/octet-stream", "image/jpeg; charset=x"]))


@PER_EXAMPLE
@given(data=images, content_type=content_types)
def test_generated_image_headers_and_bytes_never_make_a_5xx(app, client, liaison_checkin, decoded,
                                                             data, content_type):
    decoded.clear()
    r = put_photo(client, liaison_checkin.uuid, data=data, content_type=content_type)
    assert r.status_code in PROTOCOL_ANSWERS, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.is_json
    # Whatever the header claimed, nothing beyond the bound was ever decoded.
    assert all(w * h <= app.config["PHOTO_MAX_PIXELS"] for w, h in decoded)


@pytest.mark.parametrize("fmt, content_type", [("JPEG", "image/jpeg"), ("WEBP", "image/webp")])
def test_a_photo_whose_exif_pillow_cannot_read_is_stored_without_any_of_it(client, liaison_checkin, fmt,
                                                                            content_type):
    """Found by the test above (a WebP: a 500): unreadable EXIF may hide a position, so all of it goes."""
    broken = image_bytes(fmt, size=(64, 48)).replace(b"MM\0*", b"\0M\0*", 1)  # the TIFF header
    photo_id = str(uuid.uuid4())
    r = put_photo(client, liaison_checkin.uuid, photo_id, broken, content_type=content_type)
    assert r.status_code == 201 and r.get_json()["location_stripped"] is True
    with Image.open(io.BytesIO(client.get(f"/photos/{photo_id}").data)) as stored:
        assert "exif" not in stored.info
