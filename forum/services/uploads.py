"""Uploaded files of the resource library: checked, cleaned, stored, and kept in step with
the database.

A view hands the upload to `check_upload` (which judges the type from the bytes, strips
photos of their metadata and makes a preview), then `store` writes it into the upload folder
under a generated name, and `add_file_version` records it on a resource. Files and rows land
together or not at all: a file written in a transaction that does not commit is deleted when
it ends, and a file scheduled for deletion (`delete_after_commit`) goes only once the
transaction that removed its row has committed. The session events in `init_app` do both.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from forum.extensions import db
from forum.models import Resource, ResourceFile, TextState, User, utcnow
from forum.services import ServiceError, filetypes
from forum.services.filetypes import clean_filename as clean_filename
from forum.services.filetypes import label as label

logger = logging.getLogger(__name__)

# Images larger than this many pixels are refused before they are decoded: decoding takes
# four bytes a pixel, and 60 million is more than any phone photo.
MAX_PIXELS = 60_000_000
# The preview on the resource page: at most this wide (and, for tall images, this high).
PREVIEW_SIZE = (640, 1280)
PREVIEW_TYPE = "image/webp"
JPEG_QUALITY = 90
PILLOW_FORMATS = {filetypes.PNG: "PNG", filetypes.JPEG: "JPEG", filetypes.WEBP: "WEBP"}
# Stored names are 128 random bits in hex and the type's ending: no user text, no leading
# "-", and no two names that differ only in case (macOS and Windows folders ignore case).
STORED_NAME = re.compile(r"[0-9a-f]{32}\.[a-z]{2,8}")
# Where a session keeps the files its transaction wrote or is to delete.
PENDING = "forum.uploads.pending"


class Readable(Protocol):
    """A binary stream, as an uploaded file's `stream` is."""

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks: the bytes to store (for images, the re-encoded
    ones without metadata) and what is known about them."""

    original_name: str  # cleaned, only to name the download
    content_type: str
    extension: str  # the ending the stored file gets, from the type
    data: bytes
    pages: int | None = None
    width: int | None = None
    height: int | None = None
    preview: bytes | None = None  # a small WebP, for images

    @property
    def size(self) -> int:
        """Return the size of the bytes to store."""
        return len(self.data)

    @property
    def sha256(self) -> str:
        """Return the hex SHA-256 of the bytes to store."""
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class StoredFile:
    """A file written into the upload folder, with what a ResourceFile row records."""

    stored_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    pages: int | None
    width: int | None
    height: int | None
    preview_name: str | None


# --- checking --------------------------------------------------------------------------


def _read(data: bytes | Readable, limit: int) -> bytes:
    """Return the bytes, reading at most one more than the limit from a stream."""
    if isinstance(data, bytes):
        return data
    return data.read(limit + 1)


def _megabytes(size: int) -> int:
    """Return a size in whole megabytes, as the limit is set (FORUM_UPLOAD_MAX_MB)."""
    return max(1, size // (1024 * 1024))


def check_upload(
    filename: str, data: bytes | Readable, *, max_bytes: int | None = None
) -> CheckedFile:
    """Judge an upload from its bytes and return it ready to store.

    `max_bytes` defaults to the UPLOAD_MAX_BYTES setting. Images are re-encoded without their
    metadata (EXIF, GPS position, XMP), turned upright first, and get a preview; a PDF's
    pages are counted where that is cheap. Raises ServiceError (field "file") for a name
    with a folder or control characters in it, an empty or too large file, content that is
    none of the accepted types or disagrees with the name's ending, a zip bomb, or a
    damaged file.
    """
    limit = current_app.config["UPLOAD_MAX_BYTES"] if max_bytes is None else max_bytes
    if filetypes.name_problem(filename or ""):
        raise ServiceError(
            _l(
                "The file name contains characters that can't be used (such as / or \\ or "
                "control characters). Rename the file and try again."
            ),
            field="file",
        )
    content = _read(data, limit)
    if not content:
        raise ServiceError(_l("The file is empty. Choose a file with something in it."), "file")
    if len(content) > limit:
        raise ServiceError(
            _l(
                "The file is larger than %(megabytes)d MB, the most a file may be. Make it "
                "smaller (or share a link to it) and try again.",
                megabytes=_megabytes(limit),
            ),
            field="file",
        )
    name = clean_filename(filename)
    _stem, extension = filetypes.split_extension(name)
    file_type = filetypes.detect(content, extension)
    filetypes.check_extension(file_type, extension)
    if file_type.image:
        return _checked_image(name, file_type, content)
    pages = _pdf_pages(content) if file_type is filetypes.PDF else None
    return CheckedFile(
        original_name=name,
        content_type=file_type.content_type,
        extension=file_type.extension,
        data=content,
        pages=pages,
    )


def _pdf_pages(data: bytes) -> int | None:
    """Return a PDF's page count, or None when it cannot be read cheaply.

    pypdf reads the cross-reference table and the page tree's /Count, not the pages. An
    encrypted or unusual PDF is still accepted (readers may manage it); it just has no count.
    """
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return None
        return len(reader.pages)
    except Exception:  # pypdf raises many kinds on malformed files; the count is a nicety
        logger.info("Could not count the pages of an uploaded PDF", exc_info=True)
        return None


def _refuse_image_size() -> ServiceError:
    """Return the refusal of an image with too many pixels."""
    return ServiceError(
        _l(
            "The image is too large (more than %(megapixels)d million pixels). "
            "Make it smaller and try again.",
            megapixels=MAX_PIXELS // 1_000_000,
        ),
        field="file",
    )


def _checked_image(name: str, file_type: filetypes.FileType, data: bytes) -> CheckedFile:
    """Return the image re-encoded without metadata, upright, with its preview.

    Raises ServiceError when Pillow cannot read it as the type its bytes claim, or it has too
    many pixels.
    """
    try:
        with Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[file_type]]) as image:
            if image.width * image.height > MAX_PIXELS:
                raise _refuse_image_size()
            image.load()
            # Phones store photos sideways with an EXIF note to turn them; the note goes
            # with the rest of the EXIF, so the turn is applied to the pixels first.
            upright = ImageOps.exif_transpose(image)
            preview = _preview(upright)
            stored = _encode(upright, file_type, lossless=data[12:16] == b"VP8L")
            width, height = upright.size
    except ServiceError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        # OSError: truncated or corrupt data; SyntaxError and ValueError: malformed headers.
        raise ServiceError(
            _l("The image seems to be damaged and can't be read. Save it again and try again."),
            field="file",
        ) from None
    return CheckedFile(
        original_name=name,
        content_type=file_type.content_type,
        extension=file_type.extension,
        data=stored,
        width=width,
        height=height,
        preview=preview,
    )


def _encode(image: Image.Image, file_type: filetypes.FileType, lossless: bool) -> bytes:
    """Return the image encoded anew in its own format, with no EXIF, XMP or text chunks.

    Only the colour profile (which says how to show the colours, not where or by whom) and a
    palette image's transparency are carried over. An animation keeps its first frame.
    """
    options: dict[str, Any] = {}
    if icc := image.info.get("icc_profile"):
        options["icc_profile"] = icc
    if file_type is filetypes.PNG and "transparency" in image.info:
        options["transparency"] = image.info["transparency"]
    # Pillow writes only what it is given, but an image's info is where plugins look for
    # defaults; emptying it keeps any metadata from finding its way back.
    image.info = {}
    if file_type is filetypes.JPEG:
        if image.mode not in ("L", "RGB", "CMYK"):
            image = image.convert("RGB")
        options["quality"] = JPEG_QUALITY
    elif file_type is filetypes.WEBP:
        options["lossless"] = lossless
        options["quality"] = 100 if lossless else JPEG_QUALITY
    output = io.BytesIO()
    image.save(output, format=PILLOW_FORMATS[file_type], **options)
    return output.getvalue()


def _preview(image: Image.Image) -> bytes:
    """Return a small WebP of the image for the resource page."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    small = image.convert("RGBA" if has_alpha else "RGB")
    small.thumbnail(PREVIEW_SIZE, Image.Resampling.LANCZOS)
    output = io.BytesIO()
    small.save(output, format="WEBP", quality=80)
    return output.getvalue()


# --- storing ---------------------------------------------------------------------------


def upload_folder() -> Path:
    """Return the folder files are stored in (the UPLOAD_FOLDER setting)."""
    return Path(current_app.config["UPLOAD_FOLDER"])


def file_path(stored_name: str) -> Path | None:
    """Return where a stored file lives, or None for a name that is not a generated one."""
    if not STORED_NAME.fullmatch(stored_name or ""):
        return None
    return upload_folder() / stored_name


def _new_name(extension: str) -> str:
    """Return a fresh stored name with the type's ending."""
    return f"{secrets.token_hex(16)}.{extension}"


def _write(path: Path, data: bytes) -> None:
    """Write the bytes to the path atomically: into a temporary file beside it, then renamed,
    so a reader never finds half a file and a crash leaves only a temporary name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def store(checked: CheckedFile) -> StoredFile:
    """Write a checked file (and its preview) into the upload folder under generated names.

    The files belong to the current transaction: if it does not commit, they are deleted
    when it ends. Raises OSError when the folder cannot be written.
    """
    session = db.session()
    stored_name = _new_name(checked.extension)
    _write(upload_folder() / stored_name, checked.data)
    _remember(session, upload_folder() / stored_name, written=True)
    preview_name = None
    if checked.preview is not None:
        preview_name = _new_name("webp")
        _write(upload_folder() / preview_name, checked.preview)
        _remember(session, upload_folder() / preview_name, written=True)
    return StoredFile(
        stored_name=stored_name,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        pages=checked.pages,
        width=checked.width,
        height=checked.height,
        preview_name=preview_name,
    )


def _is_image(content_type: str) -> bool:
    """Return whether the accepted type is an image (which has no text to read)."""
    file_type = filetypes.BY_CONTENT_TYPE.get(content_type)
    return file_type is not None and file_type.image


def add_file_version(resource: Resource, stored: StoredFile, uploader: User) -> ResourceFile:
    """Record a stored file as the resource's newest version and return it (flushed)."""
    version = ResourceFile(
        stored_name=stored.stored_name,
        original_name=stored.original_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        pages=stored.pages,
        width=stored.width,
        height=stored.height,
        preview_name=stored.preview_name,
        uploaded_by_id=uploader.id,
        uploaded_at=utcnow(),
        # The worker reads a document's text for search; an image has none to read.
        text_state=TextState.NONE if _is_image(stored.content_type) else TextState.PENDING,
    )
    # Newest first, as the relationship loads them.
    resource.versions.insert(0, version)
    resource.updated_at = version.uploaded_at
    db.session.flush()
    return version


def delete_after_commit(stored_name: str) -> None:
    """Delete a stored file once the current transaction commits (never if it rolls back)."""
    path = file_path(stored_name)
    if path is None:
        logger.warning("Not deleting %r: not a stored file's name", stored_name)
        return
    _remember(db.session(), path, written=False)


def delete_version_files_after_commit(version: ResourceFile) -> None:
    """Delete a version's file and its preview once the current transaction commits."""
    delete_after_commit(version.stored_name)
    if version.preview_name:
        delete_after_commit(version.preview_name)


def current_version(resource: Resource) -> ResourceFile | None:
    """Return the resource's newest file version, or None for a link."""
    return resource.versions[0] if resource.versions else None


def version_of(resource: Resource, version_id: int) -> ResourceFile | None:
    """Return one file version of the resource, or None when it has no such version."""
    return db.session.scalar(
        select(ResourceFile)
        .where(ResourceFile.id == version_id)
        .where(ResourceFile.resource_id == resource.id)
    )


# --- keeping files in step with the transaction ----------------------------------------


@dataclass(frozen=True)
class _Pending:
    """A file the transaction wrote (deleted unless it commits) or is to delete (deleted
    only if it commits), with the (sub)transaction it happened in."""

    path: Path
    written: bool
    transaction: SessionTransaction


def _remember(session: Session, path: Path, written: bool) -> None:
    """Tie a file to the session's innermost transaction, beginning one if none has begun
    (else a rollback would find no transaction to end, and the file would stay)."""
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is None:
        transaction = session.begin()
    session.info.setdefault(PENDING, []).append(_Pending(path, written, transaction))


def _unlink(path: Path, why: str) -> None:
    """Delete a file, logging what was deleted and why; never raises (it runs after the
    database has decided, when nothing can be undone)."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        logger.exception("Could not delete %s (%s)", path, why)
        return
    logger.info("Deleted %s (%s)", path.name, why)


def _settle(session: Session, ended: Callable[[_Pending], bool]) -> None:
    """Undo the pending files whose transaction ended without committing: delete those it
    wrote, and forget the deletions it asked for."""
    pending: list[_Pending] = session.info.get(PENDING) or []
    keep = []
    for item in pending:
        if not ended(item):
            keep.append(item)
        elif item.written:
            _unlink(item.path, "its transaction did not commit")
    session.info[PENDING] = keep


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    """Return whether the transaction is the ancestor or nested inside it."""
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _after_commit(session: Session) -> None:
    """Keep the written files and delete the scheduled ones, once the outer transaction
    commits (a savepoint's release decides nothing yet)."""
    if session.in_nested_transaction():
        return
    for item in session.info.pop(PENDING, []):
        if not item.written:
            _unlink(item.path, "its row was deleted")


def _after_soft_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    """Undo the files of a rolled-back transaction or savepoint."""
    _settle(session, lambda item: _within(item.transaction, previous_transaction))


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """Undo whatever is still pending when the outer transaction ends uncommitted (closed
    without a commit or rollback, as when an app context ends after an error)."""
    if transaction.parent is None:
        _settle(session, lambda item: True)


LISTENERS: tuple[tuple[str, Callable[..., None]], ...] = (
    ("after_commit", _after_commit),
    ("after_soft_rollback", _after_soft_rollback),
    ("after_transaction_end", _after_transaction_end),
)


def init_app(app: Flask) -> None:
    """Listen to the database session's transactions, once however many apps are made.

    The session class is shared by every app in the process, and so are its listeners.
    """
    for name, listener in LISTENERS:
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
