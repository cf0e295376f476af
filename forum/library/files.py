"""STAND-IN for the library's downloads (issue 10): replaced at merge by the real views.

The pages link to these endpoints; here they only ask the gate and send the stored bytes.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, send_file
from flask_login import current_user
from werkzeug.wrappers import Response

from forum.library import bp
from forum.models import ResourceFile
from forum.permissions import access_resource, not_found
from forum.services import library as library_service


def _send(version: ResourceFile, inline: bool = False, name: str | None = None) -> Response:
    """Send a stored file as an attachment (or inline), privately."""
    path = Path(current_app.config["UPLOAD_FOLDER"]) / (name or version.stored_name)
    if not path.is_file():
        not_found()
    response = send_file(
        path,
        mimetype=version.content_type,
        as_attachment=not inline,
        download_name=version.original_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private"
    return response


@bp.get("/ressourcer/<id:resource_id>/fil")
def download(resource_id: int) -> Response:
    """Send the newest version of the file. Raises NotFound (404)."""
    resource = access_resource(current_user, resource_id)
    versions = library_service.resource_versions(resource)
    if not versions:
        not_found()
    return _send(versions[0])


@bp.get("/ressourcer/<id:resource_id>/fil/<id:version_id>")
def download_version(resource_id: int, version_id: int) -> Response:
    """Send one version of the file. Raises NotFound (404)."""
    resource = access_resource(current_user, resource_id)
    for version in library_service.resource_versions(resource):
        if version.id == version_id:
            return _send(version)
    not_found()


@bp.get("/ressourcer/<id:resource_id>/forhaandsvisning")
def preview(resource_id: int) -> Response:
    """Send the newest version's preview image, inline. Raises NotFound (404)."""
    resource = access_resource(current_user, resource_id)
    versions = library_service.resource_versions(resource)
    if not versions or not versions[0].preview_name:
        not_found()
    return _send(versions[0], inline=True, name=versions[0].preview_name)
