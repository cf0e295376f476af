"""The text inside uploaded files is read by the worker and found by search, on both engines;
a file that cannot be read says so to whoever added it, and is never skipped silently."""

from __future__ import annotations

import io
import logging

from forum import worker
from forum.extensions import db
from forum.models import ResourceFile, TextState, utcnow
from forum.services import search as search_service
from forum.services.search_text import parse
from tests import factories, samples


def found(viewer, text):
    results = search_service.search(viewer, parse(text), search_service.Filters())
    return [(hit.kind.value, hit.key) for hit in results.hits]


def upload(client, theme, name, data, title="Klimastrategi"):
    return client.submit(
        "/ressourcer/ny",
        {
            "kind": "file",
            "title": title,
            "themes": [str(theme.id)],
            "file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def test_a_word_inside_an_uploaded_pdf_is_found_once_the_worker_has_read_it(
    client, login_as, db_session
):
    anne, bo, theme = factories.user("Anne"), factories.user("Bo"), factories.theme()
    login_as(anne)
    pdf = samples.pdf_with_text(["Vi slukker ventilationsanlægget om natten", "Energiforbruget"])
    assert upload(client, theme, "strategi.pdf", pdf).status_code == 302
    version = db.session.query(ResourceFile).one()
    assert version.text_state == TextState.PENDING
    assert found(bo, "ventilationsanlæg") == []  # not read yet: a request never parses files
    assert worker.read_file_texts() == (1, 0)
    db.session.expire_all()
    assert found(bo, "ventilationsanlægget")[0][0] == "resource"
    assert found(bo, "energiforbrug")[0][0] == "resource"


def test_office_and_opendocument_files_are_read(db_session):
    anne, bo = factories.user("Anne"), factories.user("Bo")
    made = {}
    for name, data in {
        "a.docx": samples.docx_with_text(["Docxord om kompostering"]),
        "b.xlsx": samples.xlsx_with_text(["Xlsxord budget"]),
        "c.pptx": samples.pptx_with_text(["Pptxord oplæg"]),
        "d.odt": samples.odt_with_text(["Odtord strategi"]),
        "e.ods": samples.ods_with_text(["Odsord regneark"]),
        "f.odp": samples.odp_with_text(["Odpord dias"]),
    }.items():
        made[name] = factories.file_resource(anne, name=name, data=data, title=f"Fil {name}")
    # A pass reads a few files, so that emails go out between them.
    assert worker.read_file_texts() == (worker.FILE_TEXTS_PER_PASS, 0)
    assert worker.read_file_texts() == (6 - worker.FILE_TEXTS_PER_PASS, 0)
    for word, name in (
        ("docxord", "a.docx"),
        ("xlsxord", "b.xlsx"),
        ("pptxord", "c.pptx"),
        ("odtord", "d.odt"),
        ("odsord", "e.ods"),
        ("odpord", "f.odp"),
    ):
        assert found(bo, word) == [("resource", made[name].id)], word


def test_images_have_no_text_to_read(db_session):
    anne = factories.user("Anne")
    factories.file_resource(anne)  # a PNG
    assert db.session.query(ResourceFile).one().text_state == TextState.NONE
    assert worker.read_file_texts() == (0, 0)


def test_an_unreadable_file_is_marked_failed_logged_and_shown_to_its_adder(
    app, client, login_as, db_session, caplog, monkeypatch
):
    monkeypatch.setattr(app.logger, "disabled", False)  # see test_first_run
    anne = factories.user("Anne")
    locked = samples.pdf_with_text(["Hemmelig"])
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(locked)))
    writer.encrypt("kodeord", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    resource = factories.file_resource(anne, name="laast.pdf", data=out.getvalue())
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        assert worker.read_file_texts() == (0, 1)
    assert "could not be read" in caplog.text
    version = db.session.query(ResourceFile).one()
    db.session.refresh(version)
    assert version.text_state == TextState.FAILED
    assert "encrypted" in version.text_error
    login_as(anne)
    page = client.get(f"/ressourcer/{resource.id}").get_data(as_text=True)
    assert "kunne ikke læses" in page


def test_a_file_missing_on_disk_is_tried_again_then_failed(db_session, app):
    anne = factories.user("Anne")
    resource = factories.file_resource(anne, name="x.pdf", data=samples.pdf_with_text(["ord"]))
    version = resource.versions[0]
    from forum.services import uploads

    uploads.file_path(version.stored_name).unlink()
    now = utcnow()
    for _ in range(worker.FILE_TEXT_ATTEMPTS - 1):
        assert worker.read_file_texts(now) == (0, 0)
        db.session.refresh(version)
        assert version.text_state == TextState.PENDING
        assert worker.read_file_texts(now) == (0, 0)  # not again in the same pass
        now += worker.FILE_TEXT_RETRY
    assert worker.read_file_texts(now) == (0, 1)
    db.session.refresh(version)
    assert version.text_state == TextState.FAILED


def test_replacing_a_file_searches_the_new_text(db_session):
    from forum.services import uploads

    anne, bo = factories.user("Anne"), factories.user("Bo")
    resource = factories.file_resource(
        anne, name="v1.pdf", data=samples.pdf_with_text(["Gammelord"])
    )
    worker.read_file_texts()
    assert found(bo, "gammelord") == [("resource", resource.id)]
    checked = uploads.check_upload("v2.pdf", samples.pdf_with_text(["Nyord"]))
    uploads.add_file_version(resource, uploads.store(checked), anne)
    db.session.commit()
    worker.read_file_texts()
    db.session.expire_all()
    assert found(bo, "nyord") == [("resource", resource.id)]
    assert found(bo, "gammelord") == []


def test_a_file_whose_reading_never_finishes_is_given_up_on(db_session, app, monkeypatch):
    """A worker that dies while reading (or keeps failing to save) leaves the file pending
    with its lease; after the last attempt's lease it is marked failed, not retried forever."""
    monkeypatch.setattr(app.logger, "disabled", False)
    anne = factories.user("Anne")
    factories.file_resource(anne, name="x.pdf", data=samples.pdf_with_text(["ord"]))
    now = utcnow()
    for _ in range(worker.FILE_TEXT_ATTEMPTS):
        assert worker.claim_next_file(now) is not None  # claimed, then the worker "dies"
        now += worker.FILE_TEXT_LEASE
    assert worker.claim_next_file(now) is None  # no attempts left
    assert worker.read_file_texts(now) == (0, 1)
    version = db.session.query(ResourceFile).one()
    db.session.refresh(version)
    assert version.text_state == TextState.FAILED
    assert "attempts" in version.text_error


def test_text_that_folds_to_many_bytes_is_still_indexed(db_session):
    """NFKC makes some characters several times longer; the words given to the engine are
    cut to a size PostgreSQL's tsvector accepts."""
    anne, bo = factories.user("Anne"), factories.user("Bo")
    squared = "".join(chr(0x3300 + n % 0x58) * 3 + " " for n in range(50_000))
    text = "Begyndelsesord " + squared
    resource = factories.file_resource(anne, name="t.txt", data=text.encode())
    assert worker.read_file_texts() == (1, 0)
    db.session.expire_all()
    assert found(bo, "begyndelsesord") == [("resource", resource.id)]
