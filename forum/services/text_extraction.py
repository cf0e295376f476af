"""The readable text of an uploaded file, for the search index.

The worker calls `extract_text`, never a request: parsing a PDF or unpacking an Office file
is slow (seconds for a long report) and fallible (damaged, encrypted or hostile files), and a
request neither waits for it nor fails because of it. The file has already been accepted by
`filetypes.detect`, so its type is known and zip bombs are refused; this module still guards
each part it unpacks, since the text is read from the parts, not from the central directory.

Office Open XML (docx, xlsx, pptx) and OpenDocument (odt, ods, odp) files are zips of XML
parts, parsed with defusedxml (no entity expansion, no external entities), and their text
elements are collected with a paragraph per line. PDFs are read by pypdf. Plain text is
decoded as UTF-8. Images have no text to give. Tags are matched by their local name, so
Strict Office Open XML (other namespace URIs) reads like the usual Transitional kind.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException
from pypdf import PasswordType, PdfReader

from forum.services import filetypes

# One part of a zip is unpacked only if its declared size is at most this (checked before
# reading it; zipfile never unpacks more than a part declares: more fails the CRC check).
# A 400-page report's word/document.xml is a few megabytes.
PART_MAX_BYTES = 20 * 1024 * 1024
# Collecting stops after this many characters, and the text so far is what is indexed: a
# huge file is still found by the words of its first million characters (about 400 pages),
# and the index stays a sane size.
TEXT_MAX = 1_000_000

# Characters that are neither text nor whitespace (NUL, other controls, lone surrogates from
# a broken PDF font map): PostgreSQL refuses NUL in text, and UTF-8 cannot encode surrogates.
UNPRINTABLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff]")


class TextExtractionError(Exception):
    """A file whose text could not be read; the message says why, in English, for the log
    and for the facilitator ("PDF is encrypted", "damaged zip: ...")."""


@dataclass(frozen=True)
class _Rules:
    """How to read the text of one kind of XML part, by the local names of its elements:
    which start a new line, which hold text (None: all of them, tails included), which stand
    for a space or a line break, and which are skipped with everything inside them."""

    paragraphs: frozenset[str]
    text: frozenset[str] | None
    spaces: frozenset[str] = frozenset()
    breaks: frozenset[str] = frozenset()
    skip: frozenset[str] = frozenset()


# mc:Fallback repeats what mc:AlternateContent's mc:Choice holds (a text box, for older
# readers); w:delText (deleted tracked changes) and w:instrText (field codes) are not w:t.
WORD = _Rules(
    paragraphs=frozenset({"p"}),
    text=frozenset({"t"}),
    spaces=frozenset({"tab", "ptab"}),
    breaks=frozenset({"br", "cr"}),
    skip=frozenset({"Fallback"}),
)
# a:fld is a slide number or date field, not the slide's words.
PRESENTATION = _Rules(
    paragraphs=frozenset({"p"}),
    text=frozenset({"t"}),
    spaces=frozenset({"tab"}),
    breaks=frozenset({"br"}),
    skip=frozenset({"Fallback", "fld"}),
)
# A shared string (si) per line; rPh is a phonetic reading (Japanese) of the string.
SHARED_STRINGS = _Rules(
    paragraphs=frozenset({"si"}), text=frozenset({"t"}), skip=frozenset({"rPh"})
)
# A row per line, its cells (c) apart; only inline strings (is/t) are text, not values (v).
SHEET = _Rules(
    paragraphs=frozenset({"row"}),
    text=frozenset({"t"}),
    spaces=frozenset({"c"}),
    skip=frozenset({"rPh"}),
)
# content.xml: the styles hold no words of the document but do hold text (number:text in a
# currency format); tracked changes keep deleted text; annotations (comments) are skipped,
# as a docx's comments are, which live in a part not read.
OPENDOCUMENT = _Rules(
    paragraphs=frozenset({"p", "h"}),
    text=None,
    spaces=frozenset({"s", "tab"}),
    breaks=frozenset({"line-break"}),
    skip=frozenset(
        {"automatic-styles", "font-face-decls", "scripts", "tracked-changes", "annotation"}
    ),
)

DOCX_BODY = "word/document.xml"
DOCX_HEADERS = re.compile(r"word/header(\d*)\.xml")
DOCX_FOOTERS = re.compile(r"word/footer(\d*)\.xml")
DOCX_NOTES = ("word/footnotes.xml", "word/endnotes.xml")
PPTX_SLIDES = re.compile(r"ppt/slides/slide(\d+)\.xml")
PPTX_NOTES = re.compile(r"ppt/notesSlides/notesSlide(\d+)\.xml")
XLSX_SHARED_STRINGS = "xl/sharedStrings.xml"
XLSX_SHEETS = re.compile(r"xl/worksheets/sheet(\d+)\.xml")
ODF_CONTENT = "content.xml"


def extract_text(data: bytes, content_type: str) -> str:
    """Return the readable text of an accepted upload, a paragraph per line, at most TEXT_MAX
    characters ("" for an image or a PDF without a text layer).

    Raises TextExtractionError saying why when the file cannot be read (damaged, encrypted,
    hostile XML, a part over PART_MAX_BYTES) or its content type is not an accepted one.
    """
    reader = READERS.get(content_type)
    if reader is None:
        raise TextExtractionError(f"no text extraction for content type {content_type!r}")
    return _collect(reader(data))


def _collect(chunks: Iterable[str]) -> str:
    """Return the chunks' lines, whitespace runs made one space and empty lines dropped, up
    to TEXT_MAX characters (the rest is never read); passes on the chunks' errors."""
    lines: list[str] = []
    size = 0
    for chunk in chunks:
        for raw in chunk.splitlines():
            line = " ".join(UNPRINTABLE.sub(" ", raw).split())
            if not line:
                continue
            size += len(line) + (1 if lines else 0)
            lines.append(line)
            if size >= TEXT_MAX:
                return "\n".join(lines)[:TEXT_MAX]
    return "\n".join(lines)


# --- PDF -------------------------------------------------------------------------------


def _pdf(data: bytes) -> Iterator[str]:
    """Yield the text of each page of a PDF; raises TextExtractionError for a PDF that
    cannot be read or is locked by a password."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise TextExtractionError("PDF is encrypted")
        for page in reader.pages:
            yield page.extract_text()
    except TextExtractionError:
        raise
    except Exception as error:
        # pypdf reads hostile input leniently and fails in many ways besides PyPdfError
        # (ValueError, KeyError, RecursionError, zlib.error ...): all mean "cannot be read".
        raise TextExtractionError(f"PDF cannot be read: {type(error).__name__}: {error}") from error


# --- zips of XML parts -----------------------------------------------------------------


def _open_zip(data: bytes) -> zipfile.ZipFile:
    """Return the zip the bytes are; raises TextExtractionError for a damaged zip."""
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError, ValueError) as error:
        raise TextExtractionError(f"damaged zip: {error}") from error


def _read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    """Return one part of a zip, unpacked; raises TextExtractionError when it is missing,
    declares more than PART_MAX_BYTES, or cannot be unpacked."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise TextExtractionError(f"{name} missing") from None
    if info.file_size > PART_MAX_BYTES:
        raise TextExtractionError(
            f"{name} unpacks to {info.file_size} bytes, over the limit of {PART_MAX_BYTES}"
        )
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        # BadZipFile: a bad CRC or header; zlib.error, EOFError: a corrupt or cut stream.
        raise TextExtractionError(f"damaged zip: {name}: {error}") from error
    except NotImplementedError as error:
        raise TextExtractionError(f"{name} uses an unsupported compression") from error
    except RuntimeError as error:
        # zipfile's way of saying a part is encrypted.
        raise TextExtractionError(f"{name} is encrypted") from error


def _parse(xml: bytes, name: str) -> Element:
    """Return the root element of an XML part; raises TextExtractionError for XML that is not
    well-formed or declares entities (billion laughs) or external references."""
    try:
        return SafeElementTree.fromstring(xml)
    except DefusedXmlException as error:
        raise TextExtractionError(f"{name} has forbidden XML: {error!r}") from error
    except SafeElementTree.ParseError as error:
        raise TextExtractionError(f"{name} is not well-formed XML: {error}") from error


def _local(tag: object) -> str:
    """Return an element tag's local name ("p" for "{namespace}p"); never raises."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _lines(root: Element, rules: _Rules) -> Iterator[str]:
    """Yield the text of an XML tree a paragraph at a time, as the rules say; never raises.

    Walks the tree with a stack, not recursion, so deeply nested XML cannot exhaust Python's
    recursion limit.
    """
    line: list[str] = []
    everything = rules.text is None
    stack: list[tuple[Element, bool]] = [(root, False)]
    while stack:
        element, finished = stack.pop()
        name = _local(element.tag)
        if finished or name in rules.skip:
            # A skipped element's text is not read, but its tail is its parent's text.
            if finished and name in rules.paragraphs:
                yield "".join(line)
                line.clear()
            if everything and element.tail:
                line.append(element.tail)
            continue
        if name in rules.paragraphs or name in rules.breaks:
            yield "".join(line)
            line.clear()
        if name in rules.spaces:
            line.append(" ")
        if element.text and (everything or (rules.text is not None and name in rules.text)):
            line.append(element.text)
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(element))
    yield "".join(line)


def _numbered(archive: zipfile.ZipFile, pattern: re.Pattern[str]) -> list[str]:
    """Return the names of the parts matching the pattern, ordered by the number the first
    group catches (slide2 before slide10; header.xml, with none, first); never raises."""
    found = [(match, name) for name in archive.namelist() if (match := pattern.fullmatch(name))]
    return [
        name for _, name in sorted(found, key=lambda item: (int(item[0].group(1) or 0), item[1]))
    ]


def _parts_text(archive: zipfile.ZipFile, parts: Iterable[tuple[str, _Rules]]) -> Iterator[str]:
    """Yield the text of each named part of a zip, read and parsed one at a time; raises
    TextExtractionError for a part that is missing, too large, damaged or hostile."""
    for name, rules in parts:
        yield from _lines(_parse(_read_part(archive, name), name), rules)


def _docx(data: bytes) -> Iterator[str]:
    """Yield the text of a Word document: its body, then headers, footers, footnotes and
    endnotes; raises TextExtractionError when the body is missing or unreadable."""
    with _open_zip(data) as archive:
        notes = [name for name in DOCX_NOTES if name in archive.namelist()]
        names = [
            DOCX_BODY,
            *_numbered(archive, DOCX_HEADERS),
            *_numbered(archive, DOCX_FOOTERS),
            *notes,
        ]
        yield from _parts_text(archive, [(name, WORD) for name in names])


def _pptx(data: bytes) -> Iterator[str]:
    """Yield the text of a PowerPoint presentation: its slides in order, then the notes;
    raises TextExtractionError for a damaged zip or an unreadable slide."""
    with _open_zip(data) as archive:
        names = [*_numbered(archive, PPTX_SLIDES), *_numbered(archive, PPTX_NOTES)]
        yield from _parts_text(archive, [(name, PRESENTATION) for name in names])


def _xlsx(data: bytes) -> Iterator[str]:
    """Yield the text of an Excel workbook: its shared strings (the text of most cells),
    then each sheet's inline strings; raises TextExtractionError for an unreadable part."""
    with _open_zip(data) as archive:
        # A workbook of numbers alone has no shared strings part.
        shared = [XLSX_SHARED_STRINGS] if XLSX_SHARED_STRINGS in archive.namelist() else []
        sheets = _numbered(archive, XLSX_SHEETS)
        yield from _parts_text(
            archive,
            [*((name, SHARED_STRINGS) for name in shared), *((name, SHEET) for name in sheets)],
        )


def _opendocument(data: bytes) -> Iterator[str]:
    """Yield the text of an OpenDocument text, spreadsheet or presentation (content.xml);
    raises TextExtractionError when it is missing or unreadable."""
    with _open_zip(data) as archive:
        yield from _parts_text(archive, [(ODF_CONTENT, OPENDOCUMENT)])


# --- text and images -------------------------------------------------------------------


def _plain(data: bytes) -> Iterator[str]:
    """Yield the text of a UTF-8 file (with or without a byte order mark); raises
    TextExtractionError for bytes that are not UTF-8."""
    try:
        yield data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TextExtractionError(f"text is not UTF-8: {error}") from error


def _nothing(data: bytes) -> Iterator[str]:
    """Yield nothing, and never raise: an image has no text to index."""
    return iter(())


READERS: dict[str, Callable[[bytes], Iterator[str]]] = {
    filetypes.PDF.content_type: _pdf,
    filetypes.DOCX.content_type: _docx,
    filetypes.XLSX.content_type: _xlsx,
    filetypes.PPTX.content_type: _pptx,
    filetypes.ODT.content_type: _opendocument,
    filetypes.ODS.content_type: _opendocument,
    filetypes.ODP.content_type: _opendocument,
    filetypes.TEXT.content_type: _plain,
    filetypes.CSV.content_type: _plain,
    filetypes.MARKDOWN.content_type: _plain,
    **{file_type.content_type: _nothing for file_type in filetypes.ACCEPTED if file_type.image},
}
