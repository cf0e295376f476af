"""What an uploaded file is, judged from its bytes, and a harmless name for it.

The name and the browser's Content-Type are claims; only the bytes decide. Each accepted
type is recognised by the parser that reads it, not by a few magic bytes alone: a PDF by
its header, the Office and OpenDocument formats by the central directory and the parts of
their zip, images by Pillow, text by decoding it as UTF-8. No magic-number library is used
(filetype, puremagic): they look at the first bytes and name the container ("a zip"), while
refusing an HTML page in disguise or a zip bomb named .docx takes reading the structure,
which zipfile and Pillow already do. A name then has to agree with what the bytes are.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from forum.services import ServiceError

# A name is shortened to this many characters (the column holds 200), its ending kept.
NAME_MAX = 120
FALLBACK_STEM = "fil"
# Endings longer than this are not endings ("Referat.fra mødet i Vejle").
EXTENSION_MAX = 10

# Zip bombs: an Office or OpenDocument file is refused when its central directory declares
# more entries than this, or more uncompressed bytes than BOMB_TOTAL, or more than
# BOMB_RATIO times its own size once that exceeds BOMB_RATIO_FLOOR (a small, repetitive
# spreadsheet may legitimately compress 100-fold; a bomb is large as well as dense).
BOMB_ENTRIES = 10_000
BOMB_TOTAL = 500 * 1024 * 1024
BOMB_RATIO = 100
BOMB_RATIO_FLOOR = 20 * 1024 * 1024
# The one part read from an Office or OpenDocument zip is small; a large one is suspect.
PART_MAX = 1024 * 1024

# Control characters that text does not contain (tab, line feed, form feed and carriage
# return it does): their presence means binary data of a type not accepted.
BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
# Text that a browser could take for markup, looked for in the first kilobyte.
TEXT_PROBE = 1024
MARKUP = re.compile(rb"<(?:html|!doctype|svg|script|\?xml|head|body|iframe)\b", re.IGNORECASE)


@dataclass(frozen=True)
class FileType:
    """An accepted type: its content type, the endings its names may have, the first one
    being the one to suggest, and whether Pillow must re-encode it."""

    content_type: str
    extensions: tuple[str, ...]
    image: bool = False

    @property
    def extension(self) -> str:
        """Return the ending a stored file of this type gets."""
        return self.extensions[0]


PDF = FileType("application/pdf", ("pdf",))
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",)
)
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",))
PPTX = FileType(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation", ("pptx",)
)
ODT = FileType("application/vnd.oasis.opendocument.text", ("odt",))
ODS = FileType("application/vnd.oasis.opendocument.spreadsheet", ("ods",))
ODP = FileType("application/vnd.oasis.opendocument.presentation", ("odp",))
TEXT = FileType("text/plain", ("txt",))
CSV = FileType("text/csv", ("csv",))
MARKDOWN = FileType("text/markdown", ("md", "markdown"))
PNG = FileType("image/png", ("png",), image=True)
JPEG = FileType("image/jpeg", ("jpg", "jpeg"), image=True)
WEBP = FileType("image/webp", ("webp",), image=True)

ACCEPTED = (PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, TEXT, CSV, MARKDOWN, PNG, JPEG, WEBP)
BY_CONTENT_TYPE = {file_type.content_type: file_type for file_type in ACCEPTED}

# Office Open XML: the main part's content type in [Content_Types].xml, and the part itself.
# The macro-enabled variants (docm, xlsm, pptm) and templates declare other content types.
OOXML = (
    (DOCX, b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
     "word/document.xml"),
    (XLSX, b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
     "xl/workbook.xml"),
    (PPTX, b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
     "ppt/presentation.xml"),
)  # fmt: skip
OPENDOCUMENT = {file_type.content_type.encode(): file_type for file_type in (ODT, ODS, ODP)}
TEXT_TYPES = {extension: t for t in (TEXT, CSV, MARKDOWN) for extension in t.extensions}

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
ZIP_SIGNATURE = b"PK\x03\x04"
PDF_SIGNATURE = b"%PDF-"
UTF8_BOM = b"\xef\xbb\xbf"


def accepted_types_text() -> str:
    """Return the list of accepted types, as the refusals name them."""
    return str(
        _l(
            "PDF, Word (docx), Excel (xlsx), PowerPoint (pptx), OpenDocument (odt, ods, odp), "
            "text (txt), CSV, Markdown (md), PNG, JPEG and WebP"
        )
    )


def label(content_type: str) -> str:
    """Return a short name of the type for people ("PDF", "Word-dokument"), or the content
    type itself when it is not one of the accepted ones."""
    labels = {
        PDF: _l("PDF"),
        DOCX: _l("Word document"),
        XLSX: _l("Excel spreadsheet"),
        PPTX: _l("PowerPoint presentation"),
        ODT: _l("OpenDocument text"),
        ODS: _l("OpenDocument spreadsheet"),
        ODP: _l("OpenDocument presentation"),
        TEXT: _l("Text"),
        CSV: _l("CSV table"),
        MARKDOWN: _l("Markdown text"),
        PNG: _l("PNG image"),
        JPEG: _l("JPEG image"),
        WEBP: _l("WebP image"),
    }
    file_type = BY_CONTENT_TYPE.get(content_type)
    return str(labels[file_type]) if file_type else content_type


# --- names -----------------------------------------------------------------------------


def split_extension(name: str) -> tuple[str, str]:
    """Return the name's stem and its lower-case ending without the dot ("" if none)."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not extension or len(extension) > EXTENSION_MAX or " " in extension:
        return name, ""
    return stem, extension.lower()


def _is_control(character: str) -> bool:
    """Return whether the character is a control, format (bidi overrides, zero-width), or
    unassigned or private code point: nothing a person means to put in a file name."""
    return unicodedata.category(character).startswith("C")


def name_problem(name: str) -> bool:
    """Return whether a file name as sent is one no browser sends for a file a person
    chose: it names a folder (/ or \\) or holds control characters such as NUL."""
    return "/" in name or "\\" in name or any(unicodedata.category(c) == "Cc" for c in name)


def clean_filename(name: str) -> str:
    """Return a harmless version of an uploaded file's name, to name its download.

    Keeps only the last path segment (so "../../etc/passwd" becomes "passwd"), drops control
    and format characters (NUL, bidi overrides), NFC-normalises (a macOS "å" is two code
    points), replaces the characters Windows refuses in names, trims dots and spaces from the
    ends (no hidden files, no "..") and shortens it to NAME_MAX keeping the ending. Never
    empty: a name with nothing left is "fil", or "fil.pdf" when it had an ending.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(name.split())  # tabs, line breaks and runs of spaces become one space
    name = "".join(c for c in name if not _is_control(c))
    name = re.sub(r'[<>:"|?*]', "_", name).rstrip(" .")
    stem, extension = split_extension(name)
    stem = stem.strip(" .")  # no hidden files (".bashrc"), no ".."
    suffix = f".{extension}" if extension else ""
    if not stem:
        stem = FALLBACK_STEM
    stem = stem[: NAME_MAX - len(suffix)].rstrip(" .") or FALLBACK_STEM
    return stem + suffix


# --- contents --------------------------------------------------------------------------


def _refuse_type() -> ServiceError:
    """Return the refusal of content that is none of the accepted types."""
    return ServiceError(
        _l(
            "This kind of file can't be shared here. Accepted are: %(types)s.",
            types=accepted_types_text(),
        ),
        field="file",
    )


def _refuse_damaged() -> ServiceError:
    """Return the refusal of a file that claims a type but cannot be read as one."""
    return ServiceError(
        _l("The file seems to be damaged and can't be read. Save it again and try once more."),
        field="file",
    )


def _detect_zip(data: bytes) -> FileType:
    """Return the Office or OpenDocument type of a zip, read from its central directory.

    Nothing is extracted; one small part is read. Raises ServiceError for a zip bomb, a
    damaged zip, or a zip that is neither.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
        if len(entries) > BOMB_ENTRIES:
            raise _refuse_bomb()
        total = sum(entry.file_size for entry in entries)
        if total > BOMB_TOTAL or (total > BOMB_RATIO_FLOOR and total > BOMB_RATIO * len(data)):
            raise _refuse_bomb()
        names = {entry.filename: entry for entry in entries}
        # OpenDocument: the first entry is "mimetype", holding the type (ODF 1.2, 3.3).
        if entries and entries[0].filename == "mimetype" and entries[0].file_size < 200:
            mimetype = archive.read(entries[0]).strip()
            if mimetype in OPENDOCUMENT and "content.xml" in names:
                return OPENDOCUMENT[mimetype]
            raise _refuse_type()
        manifest = names.get("[Content_Types].xml")
        if manifest is None or manifest.file_size > PART_MAX:
            raise _refuse_type()
        content_types = archive.read(manifest)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError):
        # NotImplementedError: an unsupported compression method; OSError: a bad CRC or
        # a truncated member.
        raise _refuse_damaged() from None
    for file_type, main_content_type, main_part in OOXML:
        if main_content_type in content_types and main_part in names:
            return file_type
    raise _refuse_type()


def _refuse_bomb() -> ServiceError:
    """Return the refusal of a zip that unpacks to far more than its size."""
    return ServiceError(
        _l(
            "The file unpacks to far more than its size, as harmful files do, "
            "so it can't be shared here."
        ),
        field="file",
    )


def _check_text(data: bytes) -> None:
    """Check that the bytes are text a browser will not take for markup.

    Raises ServiceError for bytes that are not UTF-8, contain NUL or other control characters
    (binary data of a type not accepted), or look like HTML, SVG or XML.
    """
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Most likely text saved as Windows-1252, as Danish Excel saves "CSV": say how to fix
        # it rather than guess at the encoding (which would change the bytes).
        raise ServiceError(
            _l(
                "The text isn't saved as UTF-8. Save it again with the encoding UTF-8 (in "
                "Excel: “CSV UTF-8”) and try again."
            ),
            field="file",
        ) from None
    if BINARY.search(text):
        raise _refuse_type()
    if MARKUP.search(data[:TEXT_PROBE]):
        raise ServiceError(
            _l(
                "This file is a web page or drawing (HTML, SVG or XML), which can't be shared "
                "here. Accepted are: %(types)s.",
                types=accepted_types_text(),
            ),
            field="file",
        )


def detect(data: bytes, extension: str) -> FileType:
    """Return the accepted type the bytes are; the ending only tells the text types apart
    (a CSV file and a plain text file are both text).

    Raises ServiceError when the bytes are none of the accepted types, are damaged, or are a
    zip bomb.
    """
    if data.startswith(PDF_SIGNATURE):
        return PDF
    if data.startswith(ZIP_SIGNATURE):
        return _detect_zip(data)
    if data.startswith(PNG_SIGNATURE):
        return PNG
    if data.startswith(JPEG_SIGNATURE):
        return JPEG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    _check_text(data)
    return TEXT_TYPES.get(extension, TEXT)


def check_extension(file_type: FileType, extension: str) -> None:
    """Check that the name's ending agrees with the type the bytes are.

    Raises ServiceError naming the ending the file should have.
    """
    if extension in file_type.extensions:
        return
    expected = ", ".join(f".{ending}" for ending in file_type.extensions)
    if not extension:
        raise ServiceError(
            _l(
                "The file's content is of the type “%(type)s”, but its name has no ending. "
                "Rename it to end in %(expected)s and try again.",
                type=label(file_type.content_type),
                expected=expected,
            ),
            field="file",
        )
    raise ServiceError(
        _l(
            "The file's content is of the type “%(type)s”, but its name ends in "
            "“.%(extension)s”. Rename it to end in %(expected)s and try again.",
            type=label(file_type.content_type),
            extension=extension,
            expected=expected,
        ),
        field="file",
    )
