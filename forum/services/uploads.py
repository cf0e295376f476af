"""STAND-IN for the uploads service (issue 10): replaced at merge by the real one.

The library pages are written against these names; this version does the simplest honest
thing: it accepts any non-empty file within the size limit, keeps its bytes under a
generated name in UPLOAD_FOLDER, and removes a file again when the transaction it was
written in rolls back (and deletes purged files only once their rows are gone for good).
"""

from __future__ import annotations

import hashlib
import mimetypes
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from forum.extensions import db
from forum.models import Resource, ResourceFile, User, utcnow
from forum.services import ServiceError

_WRITTEN = "uploads_written"  # session.info: files to delete if the transaction rolls back
_DOOMED = "uploads_doomed"  # session.info: files to delete once the transaction commits


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks: its bytes and what is known about them."""

    filename: str
    data: bytes
    content_type: str
    pages: int | None = None
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        """Return the size in bytes."""
        return len(self.data)


@dataclass(frozen=True)
class StoredFile:
    """A checked file written to the upload folder under a generated name."""

    stored_name: str
    checked: CheckedFile
    preview_name: str | None = None


def folder() -> Path:
    """Return the upload folder, made when missing."""
    path = Path(current_app.config["UPLOAD_FOLDER"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_upload(filename: str, data: bytes) -> CheckedFile:
    """Return the upload as a checked file. Raises ServiceError(field="file") when it is
    empty or over the size limit."""
    if not data:
        raise ServiceError(_l("The file is empty. Choose another one."), field="file")
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    if len(data) > limit:
        raise ServiceError(
            _l(
                "The file is larger than %(limit)d MB. Choose a smaller one.",
                limit=limit // (1024 * 1024),
            ),
            field="file",
        )
    name = Path((filename or "fil").replace("\\", "/")).name or "fil"
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return CheckedFile(filename=name[:200], data=data, content_type=content_type)


def store(checked: CheckedFile) -> StoredFile:
    """Write the file under a generated name (an image also as its own preview); they are
    deleted again if the transaction rolls back."""
    names = [secrets.token_hex(16)]
    if checked.content_type.startswith("image/"):
        names.append(secrets.token_hex(16))
    for name in names:
        (folder() / name).write_bytes(checked.data)
        db.session().info.setdefault(_WRITTEN, []).append(name)
    preview = names[1] if len(names) > 1 else None
    return StoredFile(stored_name=names[0], checked=checked, preview_name=preview)


def add_file_version(resource: Resource, stored: StoredFile, uploader: User) -> ResourceFile:
    """Record the stored file as the resource's newest version."""
    checked = stored.checked
    version = ResourceFile(
        resource_id=resource.id,
        stored_name=stored.stored_name,
        original_name=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=hashlib.sha256(checked.data).hexdigest(),
        pages=checked.pages,
        width=checked.width,
        height=checked.height,
        preview_name=stored.preview_name,
        uploaded_by_id=uploader.id,
        uploaded_at=utcnow(),
    )
    db.session.add(version)
    db.session.flush()
    db.session.expire(resource, ["versions"])
    return version


def delete_after_commit(stored_name: str) -> None:
    """Delete the stored file once the current transaction commits (never before)."""
    db.session().info.setdefault(_DOOMED, []).append(stored_name)


def _unlink(names: list[str]) -> None:
    """Delete the named files from the upload folder, those already gone ignored."""
    if not names:
        return
    base = Path(current_app.config["UPLOAD_FOLDER"])
    for name in names:
        (base / name).unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    """Keep the files written, delete the files whose rows are gone."""
    session.info.pop(_WRITTEN, None)
    _unlink(session.info.pop(_DOOMED, []))


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    """Delete the files written in the rolled-back transaction; keep the doomed ones."""
    session.info.pop(_DOOMED, None)
    _unlink(session.info.pop(_WRITTEN, []))
