"""Views of the library: the list, a resource's page, adding, editing, replacing, removing,
the facilitators' bin and restoring from it. Downloads are in forum.library.files."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response as BaseResponse
from wtforms import Field

from forum import dates
from forum.actions.forms import choices, offered
from forum.extensions import db
from forum.forms import REFUSED, attach_error, parse_id
from forum.library import bp
from forum.library.forms import (
    KIND_CHOICES,
    VISIBILITY_HINTS,
    ConfirmForm,
    FilterForm,
    NewResourceForm,
    ReplaceForm,
    ResourceForm,
)
from forum.models import Meeting, Resource, ResourceKind, Theme, User, utcnow
from forum.permissions import (
    access_resource,
    can_add_resource,
    can_edit_resource,
    can_restrict_resource,
    can_use_bin,
    me,
    require,
)
from forum.sdgs import SDGS, sdg_label
from forum.services import ServiceError, uploads
from forum.services import actions as action_service
from forum.services import library as library_service
from forum.services import themes as theme_service

Page = str | tuple[str, int] | BaseResponse

# Names people recognise for the accepted file types.
TYPE_NAMES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/vnd.oasis.opendocument.text": "OpenDocument-tekst",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument-regneark",
    "application/vnd.oasis.opendocument.presentation": "OpenDocument-præsentation",
    "text/plain": "Tekst",
    "text/csv": "CSV",
    "text/markdown": "Markdown",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/webp": "WebP",
}


@bp.before_request
@login_required
def _members_only() -> None:
    """Keep every page of the blueprint for logged-in members."""


@bp.app_template_filter("filesize")
def filesize(size: int) -> str:
    """Return a file size as people read it, in the reader's number format: "340 kB",
    "1,5 MB"."""
    if size < 1024 * 1024:
        return f"{format_decimal(max(round(size / 1024), 1), format='#,##0')} kB"
    return f"{format_decimal(round(size / (1024 * 1024), 1), format='#,##0.#')} MB"


@bp.app_template_filter("filetype")
def filetype(content_type: str) -> str:
    """Return the name of a file type people recognise (the media type when unknown)."""
    return TYPE_NAMES.get(content_type, content_type)


def _me() -> User:
    """Return the logged-in person as a model object (not the proxy)."""
    return me()


def _meeting_label(meeting: Meeting) -> str:
    """Return how a meeting is named in a list: its title and date."""
    return f"{meeting.title} ({dates.day_text(meeting.date)})"


def _labels() -> dict[str, Any]:
    """Return the labels the library templates use."""
    return {
        "kind_labels": library_service.KIND_LABELS,
        "visibility_labels": library_service.VISIBILITY_LABELS,
        "sdg_label": sdg_label,
        "bin_days": library_service.BIN_DAYS,
    }


# --- the library -----------------------------------------------------------------------------


def _filters(form: FilterForm) -> library_service.LibraryFilter:
    """Return the valid filters of the form; a refused field narrows nothing."""

    def valid(field: Field) -> Any:  # a field's data has the type its coerce gives
        return None if field.errors or field.data in ("", None) else field.data

    return library_service.LibraryFilter(
        theme_id=valid(form.tema),
        sdg=valid(form.maal),
        kind=valid(form.type),
        meeting_id=valid(form.moede),
        library=valid(form.bibliotek),
        added_by_id=valid(form.tilfoejet_af),
    )


@bp.get("/ressourcer")
def index() -> Page:
    """Show the library the reader may see, narrowed by theme, goal, kind, meeting, library
    and who added it, newest first or by title, a page at a time (`?efter=<id>`)."""
    viewer = _me()
    form = FilterForm(formdata=request.args)
    form.set_choices(
        [(theme.id, theme.name) for theme in theme_service.listed_themes(viewer)],
        [(m.id, _meeting_label(m)) for m in action_service.meetings_newest_first()],
        library_service.libraries_in_use(viewer),
        [(person.id, person.name) for person in library_service.adders(viewer)],
    )
    refused = not form.validate()
    sort = "titel" if form.orden.data == "titel" and not form.orden.errors else "nyeste"
    after = None
    if request.args.get("efter") is not None:
        after_id = parse_id(request.args.get("efter"))
        after = library_service.cursor_resource(viewer, after_id) if after_id else None
        if after is None:
            abort(404)
    filters = _filters(form)
    items, next_after = library_service.library_page(viewer, filters, sort, after)
    # Only the form's own fields go into the page's links: any other name would reach
    # url_for() as its own argument (`endpoint`, `_external`, `_anchor`, ...).
    query = {f.name: request.args[f.name] for f in form if request.args.get(f.name)}
    page = render_template(
        "library/index.html",
        form=form,
        resources=items,
        filters=filters,
        next_after=next_after,
        is_first_page=after is None,
        query=query,
        may_add=can_add_resource(viewer),
        **_labels(),
    )
    return (page, REFUSED) if refused else page


# --- adding and editing ----------------------------------------------------------------------


def _offer_choices(form: ResourceForm, resource: Resource | None = None) -> None:
    """Offer the active themes (and the resource's own, if archived) and every meeting."""
    current = {link.theme_id for link in resource.themes} if resource else set()
    themes = [
        theme
        for theme in theme_service.listed_themes(_me())
        if not theme.is_archived or theme.id in current
    ]
    form.offered_themes = frozenset(theme.id for theme in themes)
    form.theme_options = themes  # type: ignore[attr-defined]  # for the template's checkboxes
    form.meeting_id.choices = choices(
        [
            ("", _("Not from a meeting")),
            *((m.id, _meeting_label(m)) for m in action_service.meetings_newest_first()),
        ]
    )


def _details(form: ResourceForm) -> library_service.ResourceDetails:
    """Return the form's details as the service verbs take them."""
    themes = (
        list(db.session.scalars(db.select(Theme).where(Theme.id.in_(form.themes.data))))
        if form.themes.data
        else []
    )
    meeting_id = form.meeting_id.data
    # Who sees it is asked only of facilitators; a form without the choice keeps it as it is.
    visibility = form.visibility.data if "visibility" in request.form else None
    return library_service.ResourceDetails(
        title=form.title.data or "",
        description=form.description.data or "",
        themes=themes,
        sdgs=form.sdgs.data,
        meeting=db.session.get(Meeting, meeting_id) if meeting_id else None,
        library=form.library.data or "",
        visibility=visibility,
    )


def _uploaded(field: Field) -> uploads.CheckedFile:
    """Return the chosen file, checked. Raises ServiceError(field="file") when none was
    chosen or the file is refused."""
    storage = field.data
    if not isinstance(storage, FileStorage) or not storage.filename:
        raise ServiceError(_("Choose the file to add."), field="file")
    return uploads.check_upload(storage.filename, storage.read())


def _render_form(form: ResourceForm, resource: Resource | None) -> Page:
    """Render the add or edit form, with 422 when it comes back refused."""
    page = render_template(
        "library/form.html",
        form=form,
        resource=resource,
        sdgs=SDGS,
        visibility_hints=VISIBILITY_HINTS,
        kind_choices=KIND_CHOICES,
        may_restrict=can_restrict_resource(_me()),
        **_labels(),
    )
    return (page, REFUSED) if form.is_submitted() else page


@bp.route("/ressourcer/ny", methods=["GET", "POST"])
def new() -> Page:
    """Add a file or a link to the library (`?moede=<id>` chooses the meeting it is from).

    Raises Forbidden (403) for someone who may not add. The request may be as large as twice
    the upload limit (forum.web raises it before the form is read), so a file just over the
    limit gets a message in the form rather than a refused request.
    """
    viewer = _me()
    require(can_add_resource(viewer))
    if request.method == "GET":
        meeting_id = parse_id(request.args.get("moede"))
        form = NewResourceForm(
            formdata=None, data={"library": viewer.library, "meeting_id": meeting_id}
        )
    else:
        form = NewResourceForm()
    _offer_choices(form)
    if request.method == "GET" and form.meeting_id.data not in offered(form.meeting_id):
        form.meeting_id.data = None  # an unknown meeting in the address preselects none
    if form.validate_on_submit():
        try:
            details = _details(form)
            if form.kind.data == ResourceKind.LINK:
                resource = library_service.add_link(viewer, details, form.url.data or "")
            else:
                checked = _uploaded(form.file)
                resource = library_service.add_file(viewer, details, checked)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The resource is in the library."), "success")
            return redirect(url_for("library.resource", resource_id=resource.id))
    return _render_form(form, None)


def _editable(resource_id: int) -> Resource:
    """Load a resource the reader may change. Raises NotFound (404) or Forbidden (403)."""
    resource = access_resource(current_user, resource_id)
    require(can_edit_resource(current_user, resource))
    return resource


@bp.route("/ressourcer/<id:resource_id>/rediger", methods=["GET", "POST"])
def edit(resource_id: int) -> Page:
    """Change a resource's details. Raises NotFound (404) or Forbidden (403)."""
    resource = _editable(resource_id)
    form = ResourceForm(
        data={
            "title": resource.title,
            "url": resource.url,
            "description": resource.description_md,
            "themes": [link.theme_id for link in resource.themes],
            "sdgs": [goal.sdg for goal in resource.goals],
            "meeting_id": resource.meeting_id,
            "library": resource.library,
            "visibility": resource.visibility.value,
        }
    )
    _offer_choices(form, resource)
    if form.validate_on_submit():
        try:
            library_service.edit_resource(
                _me(), resource, _details(form), form.url.data if resource.kind == "link" else None
            )
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The resource is saved."), "success")
            return redirect(url_for("library.resource", resource_id=resource.id))
    return _render_form(form, resource)


# --- one resource ----------------------------------------------------------------------------


def _render_resource(resource: Resource, replace_form: ReplaceForm | None = None) -> Page:
    """Render a resource's page, with 422 when the replace form came back refused."""
    viewer = _me()
    replace_form = replace_form or ReplaceForm(formdata=None)
    versions = library_service.resource_versions(resource) if resource.is_file else []
    page = render_template(
        "library/resource.html",
        resource=resource,
        versions=versions,
        current=versions[0] if versions else None,
        uses=library_service.uses_of(viewer, resource),
        may_edit=can_edit_resource(viewer, resource) and not resource.is_removed,
        may_restore=can_use_bin(viewer) and resource.is_removed,
        days_left=library_service.days_left(resource, utcnow()),
        replace_form=replace_form,
        confirm_form=ConfirmForm(formdata=None),
        **_labels(),
    )
    return (page, REFUSED) if replace_form.errors else page


@bp.get("/ressourcer/<id:resource_id>")
def resource(resource_id: int) -> Page:
    """Show a resource: what it is, where it came from, its versions and where it is used.

    Raises NotFound (404) when the reader may not see it.
    """
    return _render_resource(access_resource(current_user, resource_id))


@bp.post("/ressourcer/<id:resource_id>/erstat")
def replace(resource_id: int) -> Page:
    """Upload a new version of the resource's file; earlier versions stay.

    Raises NotFound (404) or Forbidden (403).
    """
    resource = _editable(resource_id)
    form = ReplaceForm()
    if form.validate_on_submit():
        try:
            library_service.replace_file(_me(), resource, _uploaded(form.file))
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The new version of the file is saved."), "success")
            return redirect(url_for("library.resource", resource_id=resource.id))
    elif not form.errors:
        form.form_errors.append(_("Choose the file to add."))
    return _render_resource(resource, form)


@bp.route("/ressourcer/<id:resource_id>/fjern", methods=["GET", "POST"])
def remove(resource_id: int) -> Page:
    """Ask to confirm (GET), then move the resource to the bin (POST).

    Raises NotFound (404) or Forbidden (403).
    """
    resource = _editable(resource_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        library_service.remove_resource(_me(), resource)
        flash(
            _(
                "“%(title)s” is removed. The facilitators can restore it within %(days)d days.",
                title=resource.title,
                days=library_service.BIN_DAYS,
            ),
            "success",
        )
        return redirect(url_for("library.index"))
    return render_template("library/remove.html", resource=resource, form=form, **_labels())


@bp.get("/ressourcer/papirkurv")
def bin() -> str:
    """Show the facilitators the removed resources and how long each stays.

    Raises Forbidden (403) for members.
    """
    require(can_use_bin(current_user))
    now = utcnow()
    items = library_service.bin_contents()
    return render_template(
        "library/bin.html",
        resources=items,
        days_left={item.id: library_service.days_left(item, now) for item in items},
        form=ConfirmForm(formdata=None),
        **_labels(),
    )


@bp.post("/ressourcer/<id:resource_id>/gendan")
def restore(resource_id: int) -> BaseResponse:
    """Take a resource out of the bin. Raises Forbidden (403) for members, NotFound (404)."""
    require(can_use_bin(current_user))
    resource = access_resource(current_user, resource_id)
    if ConfirmForm().validate_on_submit():
        library_service.restore_resource(_me(), resource)
        flash(_("“%(title)s” is back in the library.", title=resource.title), "success")
    return redirect(url_for("library.resource", resource_id=resource.id))
