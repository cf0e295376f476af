"""The type of an upload is judged from its bytes; its name is cleaned and must agree."""

from __future__ import annotations

import pytest

from forum.services import ServiceError, filetypes
from forum.services.filetypes import clean_filename
from tests import samples


@pytest.mark.parametrize(
    ("name", "cleaned"),
    [
        ("Klimastrategi 2025.pdf", "Klimastrategi 2025.pdf"),
        ("Årsrapport for Ærø og Østerbro.docx", "Årsrapport for Ærø og Østerbro.docx"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("C:\\Users\\mette\\Oplæg.pptx", "Oplæg.pptx"),
        ("a\x00.pdf", "a.pdf"),
        ("line\nbreak\r.txt", "line break.txt"),
        ("bell\x07.txt", "bell.txt"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # a bidi override turning the name around
        ("A\u030angstrøm.md", "Ångstrøm.md"),  # macOS spells å as a + ring: made one letter
        ('Hvad? "Nu"*<>|:.csv', "Hvad_ _Nu______.csv"),
        ("  Referat   fra\tmødet  .txt", "Referat fra mødet.txt"),
        (".bashrc", "fil.bashrc"),
        (".pdf", "fil.pdf"),
        ("...", "fil"),
        ("", "fil"),
        ("/", "fil"),
        ("\x00\x01", "fil"),
        ("referat.", "referat"),
        ("Referat.fra mødet i Vejle", "Referat.fra mødet i Vejle"),
    ],
)
def test_a_file_name_is_cleaned_to_something_harmless(name: str, cleaned: str) -> None:
    assert clean_filename(name) == cleaned


def test_a_long_name_is_shortened_keeping_its_ending() -> None:
    cleaned = clean_filename("Æ" * 500 + ".xlsx")
    assert len(cleaned) == filetypes.NAME_MAX
    assert cleaned.endswith("Æ.xlsx")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Strategi.pdf", False),
        ("Øresund – klima.pdf", False),
        ("../../etc/passwd", True),
        ("mappe/fil.pdf", True),
        ("C:\\fil.pdf", True),
        ("a\x00.pdf", True),
        ("a\x1b.pdf", True),
    ],
)
def test_names_that_no_browser_sends_for_a_chosen_file_are_found(name: str, problem: bool) -> None:
    assert filetypes.name_problem(name) is problem


@pytest.mark.parametrize("name", sorted(samples.accepted()))
def test_every_accepted_type_is_recognised_from_its_bytes(name: str) -> None:
    data, content_type = samples.accepted()[name]
    _, extension = filetypes.split_extension(name)
    file_type = filetypes.detect(data, extension)
    assert file_type.content_type == content_type
    filetypes.check_extension(file_type, extension)  # and the name agrees


@pytest.mark.parametrize("name", sorted(samples.accepted()))
def test_the_type_does_not_come_from_the_name(name: str) -> None:
    """The bytes of each type named as some other type are that type, and refused so."""
    data, content_type = samples.accepted()[name]
    file_type = filetypes.detect(data, "pdf" if content_type != "application/pdf" else "docx")
    if content_type.startswith("text/"):  # text is text; the ending only picks which kind
        assert file_type.content_type.startswith("text/")
    else:
        assert file_type.content_type == content_type
    with pytest.raises(ServiceError):
        filetypes.check_extension(file_type, "pdf" if file_type is not filetypes.PDF else "docx")


def test_the_text_kind_follows_the_ending() -> None:
    assert filetypes.detect(samples.CSV, "csv") is filetypes.CSV
    assert filetypes.detect(samples.CSV, "txt") is filetypes.TEXT
    assert filetypes.detect(samples.MARKDOWN, "markdown") is filetypes.MARKDOWN
    assert filetypes.detect("\ufeffmed BOM".encode(), "txt") is filetypes.TEXT


@pytest.mark.parametrize(
    "data",
    [
        samples.HTML,
        samples.SVG,
        b"   \n<HTML><p>hej</p></HTML>",
        b'<?xml version="1.0"?><note/>',
        b"# Overskrift\n\n<script>alert(1)</script>\n",
        b"Tekst\n" * 10 + b"<svg onload=alert(1)>",
        b"<!-- kommentar -->\n<!DocType html><p>",
    ],
)
def test_markup_is_refused_as_text(data: bytes) -> None:
    with pytest.raises(ServiceError) as refused:
        filetypes.detect(data, "md")
    assert refused.value.field == "file"


def test_markup_after_the_first_kilobyte_is_text_a_browser_would_not_sniff() -> None:
    data = b"a" * filetypes.TEXT_PROBE + b"<script>"
    assert filetypes.detect(data, "txt") is filetypes.TEXT


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02binary",
        "Tønder".encode("latin-1"),
        b"GIF89a\x01\x00\x01\x00",
        b"\x7fELF\x02\x01\x01",
        b"MZ\x90\x00",
    ],
)
def test_other_bytes_are_refused(data: bytes) -> None:
    with pytest.raises(ServiceError):
        filetypes.detect(data, "txt")


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (samples.office("docx", "application/vnd.ms-word.document.macroEnabled.main+xml"), "docm"),
        (samples.office("docx")[:200], "truncated"),
        (samples.zip_bomb_by_size(), "1000-fold"),
        (samples.zip_bomb_by_entries(), "10,001 entries"),
        (samples.zip_declaring(300_000_000), "declares 900 MB"),
        (samples.opendocument("graphics"), "an OpenDocument drawing"),
        (samples._zip({"readme.txt": b"hej"}), "a plain zip"),
        (samples._zip({"mimetype": b"application/epub+zip"}, stored_first="mimetype"), "epub"),
    ],
)
def test_zips_that_are_not_accepted_documents_are_refused(data: bytes, why: str) -> None:
    with pytest.raises(ServiceError) as refused:
        filetypes.detect(data, "docx")
    assert refused.value.field == "file", why


def test_a_large_but_ordinary_zip_is_no_bomb() -> None:
    """A 100-fold compressed spreadsheet under the floor is a spreadsheet, not a bomb."""
    rows = b"<row><c>0</c></row>" * 200_000  # 3.8 MB of very repetitive XML
    data = samples._zip(
        {
            "[Content_Types].xml": samples._content_types(*samples.OFFICE["xlsx"]),
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": rows,
        }
    )
    assert len(rows) > filetypes.BOMB_RATIO * len(data)
    assert filetypes.detect(data, "xlsx") is filetypes.XLSX


@pytest.mark.parametrize(
    ("content_type", "extension"),
    [("application/pdf", "html"), ("application/pdf", ""), ("image/jpeg", "png")],
)
def test_an_ending_that_disagrees_with_the_bytes_is_refused(
    content_type: str, extension: str
) -> None:
    with pytest.raises(ServiceError) as refused:
        filetypes.check_extension(filetypes.BY_CONTENT_TYPE[content_type], extension)
    assert refused.value.field == "file"


def test_jpeg_takes_either_ending() -> None:
    filetypes.check_extension(filetypes.JPEG, "jpg")
    filetypes.check_extension(filetypes.JPEG, "jpeg")
