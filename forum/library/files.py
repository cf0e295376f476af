"""Downloads of the resource library's files, each through the permission gate.

Files live outside static/ under generated names; only these views send them, and they ask
`permissions.access_resource` on every request, so a resource that is made facilitators-only
or removed stops being downloadable at once (404, as for one that never existed).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from urllib.parse import quote

from flask import abort, current_app, send_file
from flask_login import current_user
from werkzeug.wrappers import Response

from forum import permissions
from forum.library import bp
from forum.models import Resource, ResourceFile
from forum.services import filetypes
from forum.services import uploads as upload_service

# Never kept by a browser or proxy: the next person at a shared library PC must not find a
# confidential file in the cache (forum/web.py sets the same on every logged-in response).
CACHE_CONTROL = "private, no-store"
DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def content_disposition(disposition: str, name: str) -> str:
    """Return a Content-Disposition header naming the file, in UTF-8 (RFC 6266 / 8187) with
    an ASCII fallback for old clients."""
    # Old clients get æ, ø and å spelled out (as in @handles), other accents dropped.
    decomposed = unicodedata.normalize("NFKD", name.translate(DANISH))
    ascii_name = "".join(c for c in decomposed if " " <= c <= "~" and c not in '"\\%')
    ascii_name = ascii_name.strip() or "fil"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def _send(
    resource: Resource, stored_name: str, name: str, content_type: str, disposition: str
) -> Response:
    """Send a stored file with the headers that make a browser save it, not run it.

    Raises NotFound (404) when the file is not on disk, and logs it: the row says it should be.
    """
    path: Path | None = upload_service.file_path(stored_name)
    try:
        if path is None:
            raise FileNotFoundError(stored_name)
        response = send_file(path, mimetype=content_type, conditional=True, max_age=None)
    except FileNotFoundError:
        current_app.logger.error(
            "File %s of resource %s is missing from the upload folder", stored_name, resource.id
        )
        abort(404)
    response.headers["Content-Disposition"] = content_disposition(disposition, name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _send_version(resource: Resource, version: ResourceFile | None) -> Response:
    """Send a version of a file resource as a download. Raises NotFound when there is none."""
    if version is None:
        abort(404)
    return _send(
        resource, version.stored_name, version.original_name, version.content_type, "attachment"
    )


@bp.get("/ressourcer/<id:resource_id>/fil")
def download(resource_id: int) -> Response:
    """Download the current version of a resource's file."""
    resource = permissions.access_resource(current_user, resource_id)
    return _send_version(resource, upload_service.current_version(resource))


@bp.get("/ressourcer/<id:resource_id>/fil/<id:version_id>")
def download_version(resource_id: int, version_id: int) -> Response:
    """Download an earlier (or the current) version of a resource's file."""
    resource = permissions.access_resource(current_user, resource_id)
    return _send_version(resource, upload_service.version_of(resource, version_id))


@bp.get("/ressourcer/<id:resource_id>/forhaandsvisning")
def preview(resource_id: int) -> Response:
    """Show the small preview of an image resource's current version, inline."""
    resource = permissions.access_resource(current_user, resource_id)
    version = upload_service.current_version(resource)
    if version is None or not version.preview_name:
        abort(404)
    stem, _ = filetypes.split_extension(version.original_name)
    return _send(
        resource, version.preview_name, f"{stem}.webp", upload_service.PREVIEW_TYPE, "inline"
    )
