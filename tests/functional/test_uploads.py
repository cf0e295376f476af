"""Files of the resource library: every accepted type is stored and downloaded byte for byte,
hostile uploads are refused with nothing stored, photos lose their EXIF, files and rows stay
in step with the transaction, and every download asks the permission gate."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import func, select

from forum import create_app
from forum.database import finish_request
from forum.extensions import db
from forum.models import Resource, ResourceFile, ResourceKind, ResourceVisibility, utcnow
from forum.services import ServiceError, uploads
from tests import factories, samples
from tests.site import log_in


@pytest.fixture
def folder(app, tmp_path, monkeypatch) -> Path:
    """An empty upload folder of this test's own (made by the first upload)."""
    path = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(path))
    return path


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def version_count() -> int:
    return db.session.scalar(select(func.count(ResourceFile.id)))


def new_resource(adder, **fields) -> Resource:
    resource = Resource(kind=ResourceKind.FILE, title="Klimastrategi", added_by_id=adder.id)
    for name, value in fields.items():
        setattr(resource, name, value)
    db.session.add(resource)
    db.session.flush()
    return resource


def upload(resource: Resource, name: str, data: bytes, uploader) -> ResourceFile:
    """Check, store and record a file, as an upload view does, and commit."""
    version = uploads.add_file_version(
        resource, uploads.store(uploads.check_upload(name, data)), uploader
    )
    db.session.commit()
    return version


def pixels(data: bytes) -> tuple[tuple[int, int], bytes]:
    """Return an image's size and its RGB pixels."""
    with Image.open(io.BytesIO(data)) as image:
        return image.size, image.convert("RGB").tobytes()


def same_picture(a: bytes, b: bytes, mean_difference: float = 0) -> bool:
    """Return whether two images have the same size and, on average, the same pixels."""
    (size_a, first), (size_b, second) = pixels(a), pixels(b)
    if size_a != size_b:
        return False
    total = sum(abs(x - y) for x, y in zip(first, second, strict=True))
    return total <= mean_difference * len(first)


# --- every accepted type ---------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(samples.accepted()))
def test_every_accepted_type_is_stored_and_downloaded_byte_for_byte(
    name, app, client, member, other_member, folder
):
    data, content_type = samples.accepted()[name]
    resource = new_resource(member)
    version = upload(resource, name, data, member)

    log_in(client, other_member)
    response = client.get(f"/ressourcer/{resource.id}/fil")

    assert response.status_code == 200
    assert response.mimetype == content_type
    body = response.get_data()
    if content_type.startswith("image/"):
        # Images are stored re-encoded without metadata: the same picture, not the same bytes.
        # (JPEG is lossy: encoding it again moves a channel by a step or two on average.)
        assert same_picture(body, data, 3 if content_type == "image/jpeg" else 0)
        assert version.preview_name in files_in(folder)
    else:
        assert body == data
        assert version.preview_name is None
    assert body == (folder / version.stored_name).read_bytes()
    assert version.size == len(body)
    assert version.original_name == name
    assert response.headers["Content-Disposition"].startswith("attachment; ")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"


def test_the_download_is_named_with_the_cleaned_original_name_in_utf8(app, client, member, folder):
    resource = new_resource(member)
    upload(resource, "Oplæg fra Tønder  .pdf", samples.pdf(), member)
    log_in(client, member)

    disposition = client.get(f"/ressourcer/{resource.id}/fil").headers["Content-Disposition"]

    assert disposition == (
        'attachment; filename="Oplaeg fra Toender.pdf"; '
        "filename*=UTF-8''Opl%C3%A6g%20fra%20T%C3%B8nder.pdf"
    )


def test_text_is_sent_as_utf8(app, client, member, folder):
    resource = new_resource(member)
    upload(resource, "Forbrug.csv", samples.CSV, member)
    log_in(client, member)

    response = client.get(f"/ressourcer/{resource.id}/fil")

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.get_data() == samples.CSV


def test_a_pdf_records_its_page_count(app, member, folder):
    version = upload(new_resource(member), "Tre sider.pdf", samples.pdf(pages=3), member)
    assert version.pages == 3
    assert version.content_type == "application/pdf"


def test_a_pdf_can_be_fetched_in_ranges(app, client, member, folder):
    resource = new_resource(member)
    upload(resource, "Strategi.pdf", samples.pdf(), member)
    log_in(client, member)

    response = client.get(f"/ressourcer/{resource.id}/fil", headers={"Range": "bytes=0-4"})

    assert response.status_code == 206
    assert response.get_data() == b"%PDF-"


# --- photos ------------------------------------------------------------------------------


def test_exif_and_the_gps_position_are_gone_from_a_downloaded_photo(
    app, client, member, other_member, folder
):
    photo = samples.image("JPEG", exif=True)
    with Image.open(io.BytesIO(photo)) as original:  # the sample does carry a position
        assert original.getexif().get_ifd(samples.GPS_IFD)
    resource = new_resource(member)
    version = upload(resource, "Repair café.jpg", photo, member)
    log_in(client, other_member)

    body = client.get(f"/ressourcer/{resource.id}/fil").get_data()

    with Image.open(io.BytesIO(body)) as downloaded:
        assert dict(downloaded.getexif()) == {}
        assert not downloaded.getexif().get_ifd(samples.GPS_IFD)
        assert "exif" not in downloaded.info
        # Turned upright by the EXIF orientation before it was dropped: the 40 × 20 photo,
        # blue on the left, shows 20 × 40 with the blue on top.
        assert downloaded.size == (20, 40)
        assert (version.width, version.height) == (20, 40)
        top, bottom = downloaded.convert("RGB").getpixel((10, 5)), downloaded.getpixel((10, 35))
    assert top[2] > 150 > top[0]
    assert bottom[0] > 150 > bottom[2]
    assert b"Telefonfabrikken" not in body
    assert b"Exif" not in body


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_exif_is_gone_from_png_and_webp_too(app, member, folder, fmt):
    extension = {"PNG": "png", "WEBP": "webp"}[fmt]
    version = upload(
        new_resource(member), f"Foto.{extension}", samples.image(fmt, exif=True), member
    )
    with Image.open(folder / version.stored_name) as stored:
        assert dict(stored.getexif()) == {}
    assert b"Telefonfabrikken" not in (folder / version.stored_name).read_bytes()


def test_an_image_gets_a_small_preview_shown_inline(app, client, member, folder):
    resource = new_resource(member)
    version = upload(resource, "Plakat.png", samples.image("PNG", size=(1600, 800)), member)
    log_in(client, member)

    response = client.get(f"/ressourcer/{resource.id}/forhaandsvisning")

    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    assert response.headers["Content-Disposition"].startswith("inline; ")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(response.get_data())) as preview:
        assert preview.size == (640, 320)
    assert (version.width, version.height) == (1600, 800)


def test_a_file_that_is_not_an_image_has_no_preview(app, client, member, folder):
    resource = new_resource(member)
    upload(resource, "Strategi.pdf", samples.pdf(), member)
    log_in(client, member)
    assert client.get(f"/ressourcer/{resource.id}/forhaandsvisning").status_code == 404


# --- refused uploads ---------------------------------------------------------------------


REFUSED = {
    "html renamed to pdf": ("Strategi.pdf", samples.HTML, "web page or drawing"),
    "svg renamed to pdf": ("Strategi.pdf", samples.SVG, "web page or drawing"),
    "double extension": ("Strategi.pdf.html", samples.pdf(), "ends in “.html”"),
    "html with a double extension": ("Strategi.pdf.html", samples.HTML, "web page or drawing"),
    "path traversal": ("../../etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n", "characters"),
    "nul in the name": ("a\x00.pdf", samples.pdf(), "characters"),
    "empty": ("Tom.pdf", b"", "empty"),
    "zip bomb by size": ("Bombe.docx", samples.zip_bomb_by_size(), "unpacks to far more"),
    "zip bomb by entries": ("Bombe.docx", samples.zip_bomb_by_entries(), "unpacks to far more"),
    "zip bomb by its directory": (
        "Bombe.docx",
        samples.zip_declaring(300_000_000),
        "unpacks to far more",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_hostile_upload_is_refused_with_a_clear_message_and_nothing_stored(
    case, app, member, folder
):
    name, data, words = REFUSED[case]
    resource = new_resource(member)
    db.session.commit()

    with pytest.raises(ServiceError) as refused:
        upload(resource, name, data, member)

    assert refused.value.field == "file"
    with force_locale("en"):
        assert words in str(refused.value.message)
    db.session.rollback()  # as the request does when it answers with the form's errors
    assert files_in(folder) == []
    assert version_count() == 0


def test_a_file_over_the_limit_is_refused_naming_the_limit(app, member, folder, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024 * 1024)
    stream = io.BytesIO(samples.pdf() + b"%" * (2 * 1024 * 1024))

    with pytest.raises(ServiceError) as refused:
        uploads.check_upload("Stor.pdf", stream)

    assert refused.value.field == "file"
    with force_locale("en"):
        assert "larger than 1 MB" in str(refused.value.message)
    with force_locale("da"):
        assert str(refused.value.message).startswith("Filen er større end 1 MB")
    # The stream is read only one byte past the limit, not to its end.
    assert stream.tell() == 1024 * 1024 + 1
    assert files_in(folder) == []


def test_a_file_at_the_limit_is_accepted(app, member, folder, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024 * 1024)
    data = samples.pdf() + b"%" * (1024 * 1024 - len(samples.pdf()))
    assert uploads.check_upload("Præcis.pdf", io.BytesIO(data)).data == data


# --- files and rows stay in step ---------------------------------------------------------


def test_a_request_that_rolls_back_leaves_no_file_and_no_row(app, member, folder):
    resource = new_resource(member)
    db.session.commit()
    version = uploads.add_file_version(
        resource, uploads.store(uploads.check_upload("Plakat.png", samples.image("PNG"))), member
    )
    assert sorted(files_in(folder)) == sorted([version.stored_name, version.preview_name])

    finish_request(500)  # what the request does when it ends in an error

    assert files_in(folder) == []
    assert version_count() == 0


def test_a_session_closed_without_committing_leaves_no_file(app, member, folder):
    uploads.store(uploads.check_upload("Strategi.pdf", samples.pdf()))
    assert len(files_in(folder)) == 1

    db.session.remove()  # an app context torn down after an unexpected error

    assert files_in(folder) == []


def test_a_committed_file_stays(app, member, folder):
    version = upload(new_resource(member), "Strategi.pdf", samples.pdf(), member)
    stored_name = version.stored_name
    db.session.rollback()  # a later transaction that rolls back does not touch it
    db.session.remove()
    assert files_in(folder) == [stored_name]


def test_a_file_stored_in_a_rolled_back_savepoint_goes_while_the_outer_work_commits(
    app, member, folder
):
    kept = uploads.store(uploads.check_upload("Beholdt.pdf", samples.pdf()))
    savepoint = db.session.begin_nested()
    uploads.store(uploads.check_upload("Fortrudt.pdf", samples.pdf()))
    savepoint.rollback()
    assert files_in(folder) == [kept.stored_name]
    db.session.commit()
    assert files_in(folder) == [kept.stored_name]


def test_a_file_stored_in_a_released_savepoint_goes_when_the_outer_transaction_rolls_back(
    app, member, folder
):
    with db.session.begin_nested():
        uploads.store(uploads.check_upload("Strategi.pdf", samples.pdf()))
    assert len(files_in(folder)) == 1
    db.session.rollback()
    assert files_in(folder) == []


def test_a_file_is_deleted_only_once_the_removal_commits(app, member, folder):
    resource = new_resource(member)
    version = upload(resource, "Plakat.png", samples.image("PNG"), member)
    names = sorted([version.stored_name, version.preview_name])

    uploads.delete_version_files_after_commit(version)
    db.session.delete(resource)
    db.session.flush()
    db.session.rollback()
    assert sorted(files_in(folder)) == names  # the purge failed: the row and file stay
    assert version_count() == 1

    resource = db.session.get(Resource, resource.id)
    uploads.delete_version_files_after_commit(resource.versions[0])
    db.session.delete(resource)
    db.session.commit()
    assert files_in(folder) == []
    assert version_count() == 0


def test_the_transaction_listeners_act_once_however_many_apps_are_made(
    app, member, folder, caplog, monkeypatch
):
    # The migrations' logging setup (fileConfig) disables loggers that existed before it ran.
    monkeypatch.setattr(uploads.logger, "disabled", False)
    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    version = upload(new_resource(member), "Strategi.pdf", samples.pdf(), member)

    with caplog.at_level(logging.INFO, logger=uploads.logger.name):
        uploads.delete_after_commit(version.stored_name)
        db.session.commit()

    deleted = [r for r in caplog.records if r.getMessage().startswith("Deleted ")]
    assert len(deleted) == 1


def test_a_name_that_is_not_a_stored_name_is_never_deleted(app, member, folder, tmp_path):
    victim = folder.parent / "keep.txt"
    victim.write_text("keep")
    uploads.delete_after_commit("../keep.txt")
    db.session.commit()
    assert victim.exists()


# --- who may download --------------------------------------------------------------------


def paths(resource: Resource) -> list[str]:
    version = resource.versions[0]
    return [
        f"/ressourcer/{resource.id}/fil",
        f"/ressourcer/{resource.id}/fil/{version.id}",
        f"/ressourcer/{resource.id}/forhaandsvisning",
    ]


def test_a_member_gets_404_for_a_facilitators_only_resource(
    app, client, member, facilitator, folder
):
    resource = factories.file_resource(facilitator, visibility=ResourceVisibility.FACILITATORS)
    log_in(client, member)
    for path in paths(resource):
        assert client.get(path).status_code == 404, path
    log_in(client, facilitator)
    for path in paths(resource):
        assert client.get(path).status_code == 200, path


def test_a_removed_resource_is_404_for_members_even_the_one_who_added_it(
    app, client, member, other_member, facilitator, folder
):
    resource = factories.file_resource(member, removed_at=utcnow(), removed_by_id=facilitator.id)
    for person in (member, other_member):
        log_in(client, person)
        for path in paths(resource):
            assert client.get(path).status_code == 404, (person.name, path)
    log_in(client, facilitator)  # the bin is the facilitators'
    assert client.get(paths(resource)[0]).status_code == 200


def test_permission_is_asked_on_every_request(app, client, member, facilitator, folder):
    resource = factories.file_resource(facilitator)
    log_in(client, member)
    assert client.get(paths(resource)[0]).status_code == 200

    resource.visibility = ResourceVisibility.FACILITATORS
    db.session.commit()

    assert client.get(paths(resource)[0]).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(app, client, member, folder):
    resource = factories.file_resource(member)
    for path in paths(resource):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_an_earlier_version_is_downloadable_and_only_under_its_own_resource(
    app, client, member, folder
):
    resource = new_resource(member)
    first = upload(resource, "Strategi.pdf", samples.pdf(pages=1), member)
    upload(resource, "Strategi.pdf", samples.pdf(pages=2), member)
    other = factories.file_resource(member)
    log_in(client, member)

    assert client.get(f"/ressourcer/{resource.id}/fil").get_data() == samples.pdf(pages=2)
    old = client.get(f"/ressourcer/{resource.id}/fil/{first.id}")
    assert old.get_data() == samples.pdf(pages=1)
    assert client.get(f"/ressourcer/{other.id}/fil/{first.id}").status_code == 404


def test_a_link_resource_has_no_file(app, client, member, folder):
    link = Resource(
        kind=ResourceKind.LINK, title="Aftale", url="https://example.org", added_by_id=member.id
    )
    db.session.add(link)
    db.session.commit()
    log_in(client, member)
    assert client.get(f"/ressourcer/{link.id}/fil").status_code == 404
    assert client.get(f"/ressourcer/{link.id}/forhaandsvisning").status_code == 404


def test_a_file_missing_from_disk_answers_404_and_is_logged(
    app, client, member, folder, caplog, monkeypatch
):
    monkeypatch.setattr(app.logger, "disabled", False)
    resource = factories.file_resource(member)
    (folder / resource.versions[0].stored_name).unlink()
    log_in(client, member)

    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        response = client.get(f"/ressourcer/{resource.id}/fil")

    assert response.status_code == 404
    assert "missing from the upload folder" in caplog.text
