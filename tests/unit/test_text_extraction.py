"""The text of an uploaded file is read for the search index, or refused with a reason."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from pypdf import PageObject, PdfReader, PdfWriter

from forum.services import filetypes, text_extraction
from forum.services.text_extraction import TextExtractionError, extract_text
from tests import samples

LINES = ["Energiforbruget på biblioteket", "bæredygtighed", "Ærø\tØsterbro (og \\ skråstreg)"]
# The same lines as the index gets them: a tab is a space.
EXPECTED = "Energiforbruget på biblioteket\nbæredygtighed\nÆrø Østerbro (og \\ skråstreg)"

WITH_TEXT: dict[str, tuple[Callable[[list[str]], bytes], filetypes.FileType]] = {
    "pdf": (samples.pdf_with_text, filetypes.PDF),
    "docx": (samples.docx_with_text, filetypes.DOCX),
    "xlsx": (samples.xlsx_with_text, filetypes.XLSX),
    "pptx": (samples.pptx_with_text, filetypes.PPTX),
    "odt": (samples.odt_with_text, filetypes.ODT),
    "ods": (samples.ods_with_text, filetypes.ODS),
    "odp": (samples.odp_with_text, filetypes.ODP),
}


def docx_with_body(body: str) -> bytes:
    """Return a docx whose word/document.xml is the given XML."""
    return samples.replace_part(samples.docx_with_text([]), "word/document.xml", body.encode())


def encrypted_pdf(user_password: str) -> bytes:
    """Return the sample PDF encrypted (RC4, which pypdf does without extra packages)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(samples.pdf_with_text(LINES))))
    writer.encrypt(user_password=user_password, owner_password="ejer", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- text comes back -------------------------------------------------------------------


@pytest.mark.parametrize("extension", WITH_TEXT)
def test_the_words_of_each_kind_of_document_come_back_a_line_each(extension: str) -> None:
    make, file_type = WITH_TEXT[extension]
    assert extract_text(make(LINES), file_type.content_type) == EXPECTED


@pytest.mark.parametrize("extension", WITH_TEXT)
def test_the_samples_with_text_are_files_an_upload_accepts(extension: str) -> None:
    make, file_type = WITH_TEXT[extension]
    assert filetypes.detect(make(LINES), extension) is file_type


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (samples.TEXT, "text/plain"),
        (samples.CSV, "text/csv"),
        (samples.MARKDOWN, "text/markdown"),
    ],
)
def test_text_files_come_back_as_they_read(data: bytes, content_type: str) -> None:
    lines = [line for line in data.decode().splitlines() if line]
    assert extract_text(data, content_type) == "\n".join(lines)


def test_text_is_normalised_a_line_at_a_time_without_empty_lines_or_control_characters() -> None:
    data = "\ufeff  Energiforbruget \t på\u00a0 biblioteket \r\n\n \n bære\x00dygtighed\n".encode()
    assert extract_text(data, "text/plain") == "Energiforbruget på biblioteket\nbære dygtighed"


def test_shared_and_inline_strings_of_a_workbook_are_both_read() -> None:
    inline = samples.xlsx_with_text(LINES, inline=True)
    assert "xl/sharedStrings.xml" not in zipfile.ZipFile(io.BytesIO(inline)).namelist()
    assert extract_text(inline, filetypes.XLSX.content_type) == EXPECTED


def test_pages_of_a_pdf_come_in_order() -> None:
    data = samples.pdf_with_text(["første side", "anden side", "tredje side"], lines_per_page=1)
    assert len(PdfReader(io.BytesIO(data)).pages) == 3
    assert extract_text(data, "application/pdf") == "første side\nanden side\ntredje side"


def test_slides_come_in_number_order_then_the_notes() -> None:
    slides = [f"Dias {number}" for number in range(1, 13)]  # slide10.xml sorts before slide2
    data = samples.pptx_with_text(slides, notes=["Husk at nævne bæredygtighed"])
    expected = "\n".join([*slides, "Husk at nævne bæredygtighed"])
    assert extract_text(data, filetypes.PPTX.content_type) == expected


def test_a_word_documents_header_is_read_after_its_body() -> None:
    data = samples.docx_with_text(["Referat"], header=["Klimanetværket, forår"])
    assert extract_text(data, filetypes.DOCX.content_type) == "Referat\nKlimanetværket, forår"


def test_a_text_box_with_a_fallback_for_old_readers_is_read_once() -> None:
    box = "<w:txbxContent><w:p><w:r><w:t>Tekstboks</w:t></w:r></w:p></w:txbxContent>"
    body = (
        f'<w:document xmlns:w="{samples.W}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        "<w:body><w:p><w:r><w:t>Før</w:t></w:r><w:r><mc:AlternateContent>"
        f"<mc:Choice>{box}</mc:Choice><mc:Fallback>{box}</mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p></w:body></w:document>"
    )
    assert extract_text(docx_with_body(body), filetypes.DOCX.content_type) == "Før\nTekstboks"


def test_deeply_nested_xml_is_read_without_exhausting_the_stack() -> None:
    depth = 20_000
    body = (
        f'<w:document xmlns:w="{samples.W}"><w:body><w:p>'
        + "<w:r>" * depth
        + "<w:t>dybt</w:t>"
        + "</w:r>" * depth
        + "</w:p></w:body></w:document>"
    )
    assert extract_text(docx_with_body(body), filetypes.DOCX.content_type) == "dybt"


# --- nothing to read is not an error ---------------------------------------------------


def test_a_pdf_without_a_text_layer_gives_no_text() -> None:
    assert extract_text(samples.pdf_scanned(pages=2), "application/pdf") == ""


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_an_image_gives_no_text(fmt: str) -> None:
    assert extract_text(samples.image(fmt), f"image/{fmt.lower()}") == ""


def test_a_pdf_whose_encryption_has_no_password_is_read() -> None:
    # Encrypted only against editing or printing, as many PDFs are: it opens for anyone.
    assert extract_text(encrypted_pdf(user_password=""), "application/pdf") == EXPECTED


# --- files that cannot be read are refused with a reason -------------------------------


def test_a_pdf_locked_by_a_password_is_refused() -> None:
    with pytest.raises(TextExtractionError, match="PDF is encrypted"):
        extract_text(encrypted_pdf(user_password="hemmelig"), "application/pdf")


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\nDette er ikke en PDF",
        samples.pdf_with_text(LINES)[:300],
        b"",
    ],
    ids=["garbage", "truncated", "empty"],
)
def test_a_damaged_pdf_is_refused(data: bytes) -> None:
    with pytest.raises(TextExtractionError, match="PDF cannot be read"):
        extract_text(data, "application/pdf")


def _corrupt_member(data: bytes, name: str) -> bytes:
    """Return the zip with the middle of one member's compressed bytes overwritten."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    return data[:middle] + b"\xff" * 8 + data[middle + 8 :]


@pytest.mark.parametrize(
    "data",
    [
        samples.docx_with_text(LINES)[:200],
        _corrupt_member(samples.docx_with_text(LINES * 20), "word/document.xml"),
    ],
    ids=["truncated", "corrupt part"],
)
def test_a_damaged_zip_is_refused(data: bytes) -> None:
    with pytest.raises(TextExtractionError, match="damaged zip"):
        extract_text(data, filetypes.DOCX.content_type)


@pytest.mark.parametrize(
    ("data", "file_type", "missing"),
    [
        (
            samples.replace_part(samples.docx_with_text(LINES), "word/document.xml", None),
            filetypes.DOCX,
            "word/document.xml",
        ),
        (
            samples.replace_part(samples.odt_with_text(LINES), "content.xml", None),
            filetypes.ODT,
            "content.xml",
        ),
    ],
)
def test_a_document_without_its_main_part_is_refused(
    data: bytes, file_type: filetypes.FileType, missing: str
) -> None:
    with pytest.raises(TextExtractionError, match=f"{missing} missing"):
        extract_text(data, file_type.content_type)


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">\n'
        for n in range(1, 10)
    )
    + f']>\n<w:document xmlns:w="{samples.W}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>'
    "</w:body></w:document>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
    f'<w:document xmlns:w="{samples.W}"><w:body><w:p><w:r><w:t>&secret;</w:t></w:r></w:p>'
    "</w:body></w:document>"
)


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "external"])
def test_xml_declaring_entities_is_refused_unexpanded(body: str) -> None:
    with pytest.raises(TextExtractionError, match="forbidden XML"):
        extract_text(docx_with_body(body), filetypes.DOCX.content_type)


def test_a_part_that_is_not_xml_is_refused() -> None:
    data = docx_with_body("<w:document><w:body>unclosed")
    with pytest.raises(TextExtractionError, match="not well-formed XML"):
        extract_text(data, filetypes.DOCX.content_type)


def test_a_part_declaring_more_than_the_limit_is_refused_before_it_is_read() -> None:
    data = samples.zip_declaring(text_extraction.PART_MAX_BYTES + 1)
    with pytest.raises(TextExtractionError, match="over the limit"):
        extract_text(data, filetypes.DOCX.content_type)


def test_a_part_truly_over_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = samples.docx_with_text(["bæredygtighed " * 100])
    part = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    monkeypatch.setattr(text_extraction, "PART_MAX_BYTES", part.file_size - 1)
    with pytest.raises(TextExtractionError, match="over the limit"):
        extract_text(data, filetypes.DOCX.content_type)
    monkeypatch.setattr(text_extraction, "PART_MAX_BYTES", part.file_size)
    assert extract_text(data, filetypes.DOCX.content_type).startswith("bæredygtighed")


def test_text_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(TextExtractionError, match="not UTF-8"):
        extract_text("Tønder;340\n".encode("cp1252"), "text/csv")


@pytest.mark.parametrize("content_type", ["text/html", "application/zip", ""])
def test_a_content_type_that_is_not_accepted_is_refused(content_type: str) -> None:
    with pytest.raises(TextExtractionError, match="no text extraction"):
        extract_text(b"Energiforbruget", content_type)


def test_every_accepted_type_can_be_extracted() -> None:
    assert set(text_extraction.READERS) == set(filetypes.BY_CONTENT_TYPE)


# --- the cut-off -----------------------------------------------------------------------


def test_a_huge_text_is_indexed_by_its_first_characters() -> None:
    line = "Energiforbruget på biblioteket og bæredygtighed"
    data = "\n".join(f"{line} {n}" for n in range(40_000)).encode()
    assert len(data.decode()) > text_extraction.TEXT_MAX
    text = extract_text(data, "text/plain")
    assert len(text) == text_extraction.TEXT_MAX
    assert data.decode().startswith(text)


def test_pages_after_the_cut_off_are_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    data = samples.pdf_with_text([f"Side {n} om bæredygtighed" for n in range(50)], 1)
    monkeypatch.setattr(text_extraction, "TEXT_MAX", 60)
    read = []
    extract = PageObject.extract_text

    def counting(page: PageObject, *args: object, **kwargs: object) -> str:
        read.append(page)
        return extract(page, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(PageObject, "extract_text", counting)
    text = extract_text(data, "application/pdf")
    assert text == "Side 0 om bæredygtighed\nSide 1 om bæredygtighed\nSide 2 om bæ"
    assert len(read) == 3
