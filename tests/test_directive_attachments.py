"""Files sent with a directive (传达部署附件): a leader attaches the notice as a PDF or a
picture; everyone who sees the directive downloads it under its own name, nobody else even
learns it is there, and a file that is not what it claims is refused with the form kept."""
import io
import os
from datetime import timedelta
from urllib.parse import quote

import sqlalchemy as sa

from fuxin_pwa.directives.attachments import safe_filename
from fuxin_pwa.directives.models import Directive, DirectiveAttachment
from fuxin_pwa.extensions import db
from fuxin_pwa.timeutil import local_today

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
DOCX = b"PK\x03\x04" + b"\x00" * 64  # a Word file is a zip


def form(world, **extra):
    due = local_today() + timedelta(days=6)
    return {"title": "冬季防火安全部署", "body": "逐村传达冬季防火要求", "due_on": due.isoformat(),
            "place_ids": [world.village_a.id], **extra}


def publish(client, world, files, **extra):
    return client.post("/directives/new", data={**form(world, **extra), "attachments": files},
                       content_type="multipart/form-data")


def files_on_disk(app):
    root = os.path.join(app.config["PHOTO_DIR"], "directives")
    return [os.path.join(d, f) for d, _dirs, names in os.walk(root) for f in names]


def test_a_leader_attaches_a_pdf_and_a_picture_and_the_liaison_downloads_them(app, client, auth, world):
    auth.login("leader")
    r = publish(client, world, [(io.BytesIO(PDF), "冬季防火通知.pdf"), (io.BytesIO(PNG), "路线图.png")])
    assert r.status_code == 302
    directive = db.session.scalar(sa.select(Directive))
    pdf, png = directive.attachments
    assert (pdf.filename, pdf.content_type, pdf.size_bytes) == ("冬季防火通知.pdf", "application/pdf", len(PDF))
    assert png.content_type == "image/png"
    # Stored like photos: under PHOTO_DIR (so the backup takes them), named by a UUID, not the leader's name.
    stored = files_on_disk(app)
    assert len(stored) == 2 and not any("冬季" in path for path in stored)
    auth.logout()

    auth.login("liaison")  # covers 东村, the directive's place
    page = client.get(f"/directives/{directive.id}").get_data(as_text=True)
    url = f"/directives/{directive.id}/attachments/{pdf.id}"
    assert "冬季防火通知.pdf" in page and url in page and "路线图.png" in page
    r = client.get(url)
    assert r.status_code == 200 and r.data == PDF
    assert r.headers["Content-Type"] == "application/pdf"
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('冬季防火通知.pdf')}" in disposition
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"].startswith("private")
    assert client.get(f"/directives/{directive.id}/attachments/{png.id}").headers["Content-Type"] == "image/png"
    auth.logout()

    auth.login("grid")  # 万科: the directive is not theirs, nor its files
    assert client.get(url).status_code == 404


def test_a_file_that_is_not_a_pdf_or_picture_is_refused_by_its_bytes_and_the_form_comes_back(app, client, auth, world):
    auth.login("leader")
    r = publish(client, world, [(io.BytesIO(DOCX), "通知.pdf"), (io.BytesIO(PDF), "好的.pdf")])
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "「通知.pdf」不是 PDF 文件或 JPEG、PNG、WebP 图片" in page
    assert 'value="冬季防火安全部署"' in page and "逐村传达冬季防火要求" in page
    assert f'value="{world.village_a.id}" checked' in page
    assert "所选文件未上传，请重新选择。" in page  # a browser never refills a file input
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Directive)) == 0
    assert files_on_disk(app) == []


def test_a_file_over_ten_megabytes_is_refused_with_its_name(app, client, auth, world):
    auth.login("leader")
    big = PDF + b"0" * (10 * 1024 * 1024)
    r = publish(client, world, [(io.BytesIO(big), "扫描件.pdf")])
    assert r.status_code == 422
    assert "「扫描件.pdf」超过 10 MB，请压缩后再上传" in r.get_data(as_text=True)
    assert files_on_disk(app) == []


def test_at_most_five_files_a_directive(client, auth, world):
    auth.login("leader")
    r = publish(client, world, [(io.BytesIO(PNG), f"图{n}.png") for n in range(6)])
    assert r.status_code == 422 and "每个传达部署最多 5 个附件" in r.get_data(as_text=True)
    r = publish(client, world, [(io.BytesIO(WEBP), f"图{n}.webp") for n in range(5)])
    assert r.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DirectiveAttachment)) == 5


def test_a_pdf_named_like_a_web_page_downloads_as_a_pdf(client, auth, world):
    auth.login("leader")
    publish(client, world, [(io.BytesIO(PDF), "通知.html")])
    attachment = db.session.scalar(sa.select(DirectiveAttachment))
    assert attachment.filename == "通知.html.pdf"
    r = client.get(f"/directives/{attachment.directive_id}/attachments/{attachment.id}")
    assert r.headers["Content-Type"] == "application/pdf" and quote("通知.html.pdf") in r.headers["Content-Disposition"]


def test_a_name_keeps_neither_the_folders_of_the_leaders_computer_nor_a_wrong_ending(app):
    with app.test_request_context():
        assert safe_filename("C:\\Users\\刘书记\\通知.PDF", "application/pdf") == "通知.PDF"
        assert safe_filename("照片.jpeg", "image/jpeg") == "照片.jpeg"
        assert safe_filename("照片.png", "image/jpeg") == "照片.png.jpg"
        assert safe_filename("", "image/webp") == "附件.webp"
        assert len(safe_filename("长" * 300 + ".pdf", "application/pdf")) == 200


def test_a_file_is_found_only_under_its_own_directive(client, auth, world):
    auth.login("leader")
    publish(client, world, [(io.BytesIO(PDF), "一.pdf")])
    publish(client, world, [])
    first, second = db.session.scalars(sa.select(Directive).order_by(Directive.id)).all()
    attachment = first.attachments[0]
    assert client.get(f"/directives/{second.id}/attachments/{attachment.id}").status_code == 404
    assert client.get(f"/directives/{first.id}/attachments/{attachment.id + 1}").status_code == 404
    assert "附件" not in client.get(f"/directives/{second.id}").get_data(as_text=True).split("传达情况")[0]
