"""Views of the actions blueprint: commitments and their logs, the lists, the facilitator
overview and meeting preparation."""

from __future__ import annotations

from datetime import date
from typing import Any, TypedDict

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import Field

from forum import dates
from forum.actions import bp
from forum.actions.forms import (
    VISIBILITY_HINTS,
    CommentForm,
    CommitmentForm,
    FilterForm,
    LogForm,
    StatusForm,
    choices,
)
from forum.extensions import db
from forum.forms import REFUSED, attach_error, parse_id
from forum.library.picker import offer_resources, with_chosen_resource
from forum.members.messages import flash_unreachable
from forum.models import Commitment, Meeting, Theme, User
from forum.permissions import (
    CommitmentVisibility,
    access_commitment,
    access_meeting_preparation,
    can_comment_commitment,
    can_edit_commitment,
    can_view_overview,
    me,
    require,
)
from forum.sdgs import SDGS, sdg_label
from forum.services import ServiceError, mentions
from forum.services import actions as action_service
from forum.services import overview as overview_service
from forum.services import preparation as preparation_service
from forum.services import themes as theme_service
from forum.services.meetings import today

Page = str | tuple[str, int] | BaseResponse


def _me() -> User:
    """Return the logged-in person as a model object (not the proxy)."""
    return me()


def _status(form: FlaskForm) -> int:
    """Return 422 for a submitted form shown again with errors, else 200."""
    return REFUSED if form.is_submitted() and form.errors else 200


def _meeting_label(meeting: Meeting) -> str:
    """Return how a meeting is named in a list: its title and date."""
    return f"{meeting.title} ({dates.day_text(meeting.date)})"


def _page_context() -> dict[str, object]:
    """Return the labels every actions template uses."""
    return {
        "status_labels": action_service.STATUS_LABELS,
        "visibility_labels": action_service.VISIBILITY_LABELS,
        "sdg_label": sdg_label,
    }


# --- making and changing commitments -----------------------------------------------------


def _offer_choices(form: CommitmentForm, commitment: Commitment | None = None) -> None:
    """Offer the active themes (and the commitment's own, if archived) and every meeting."""
    current = commitment.theme_id if commitment else None
    form.theme_id.choices = choices(
        (theme.id, theme.name)
        for theme in theme_service.listed_themes(_me())
        if not theme.is_archived or theme.id == current
    )
    form.meeting_id.choices = choices(
        [
            ("", _("Not made at a meeting")),
            *((m.id, _meeting_label(m)) for m in action_service.meetings_newest_first()),
        ]
    )


class _Chosen(TypedDict):
    """A commitment form's values, as create_commitment and update_commitment take them."""

    title: str
    why: str
    theme: Theme | None
    sdgs: list[int]
    meeting: Meeting | None
    due_date: date | None
    status: str
    visibility: str


def _chosen(form: CommitmentForm) -> _Chosen:
    """Return the form's values as the service verbs take them."""
    theme_id = form.theme_id.data
    meeting_id = form.meeting_id.data
    return {
        "title": form.title.data or "",
        "why": form.why.data or "",
        "theme": db.session.get(Theme, theme_id) if theme_id else None,
        "sdgs": form.sdgs.data,
        "meeting": db.session.get(Meeting, meeting_id) if meeting_id else None,
        "due_date": form.due_date.data,
        "status": form.status.data,
        "visibility": form.visibility.data,
    }


def _render_form(form: CommitmentForm, commitment: Commitment | None) -> Page:
    """Render the commitment form, with 422 when it comes back refused."""
    page = render_template(
        "actions/form.html",
        form=form,
        commitment=commitment,
        sdgs=SDGS,
        visibility_hints=VISIBILITY_HINTS,
        **_page_context(),
    )
    return page, _status(form)


@bp.route("/handlinger/ny", methods=["GET", "POST"])
def new() -> Page:
    """Record a commitment made at a meeting; it is due at the next meeting unless dated."""
    if request.method == "GET":
        meeting = action_service.latest_past_meeting(today())
        form = CommitmentForm(
            data={
                "meeting_id": meeting.id if meeting else None,
                "due_date": action_service.default_due_date(meeting),
            }
        )
    else:
        form = CommitmentForm()
    _offer_choices(form)
    if form.validate_on_submit():
        try:
            commitment = action_service.create_commitment(_me(), **_chosen(form))
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("Your commitment is recorded."), "success")
            return redirect(url_for("actions.commitment", commitment_id=commitment.id))
    return _render_form(form, None)


@bp.route("/handlinger/<id:commitment_id>/rediger", methods=["GET", "POST"])
def edit(commitment_id: int) -> Page:
    """Change one's own commitment. Raises NotFound (404) or Forbidden (403)."""
    commitment = access_commitment(current_user, commitment_id)
    require(can_edit_commitment(current_user, commitment))
    form = CommitmentForm(
        data={
            "title": commitment.title,
            "why": commitment.why_md,
            "theme_id": commitment.theme_id,
            "sdgs": commitment.sdgs,
            "meeting_id": commitment.meeting_id,
            "due_date": commitment.due_date,
            "status": commitment.status,
            "visibility": commitment.visibility,
        }
    )
    _offer_choices(form, commitment)
    if form.validate_on_submit():
        try:
            action_service.update_commitment(_me(), commitment, **_chosen(form))
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("Your commitment is saved."), "success")
            return redirect(url_for("actions.commitment", commitment_id=commitment.id))
    return _render_form(form, commitment)


# --- one commitment ----------------------------------------------------------------------


def _render_commitment(
    commitment: Commitment,
    status_form: StatusForm | None = None,
    comment_form: CommentForm | None = None,
) -> Page:
    """Render a commitment with its log and comments, with 422 when a form came back refused."""
    status_form = status_form or StatusForm(formdata=None, data={"status": commitment.status})
    comment_form = comment_form or CommentForm(formdata=None)
    entries = action_service.log_of(commitment)
    page = render_template(
        "actions/commitment.html",
        commitment=commitment,
        entries=entries,
        open_threads=action_service.visible_help_thread_ids(_me(), entries),
        comments=action_service.comments_on(commitment),
        status_form=status_form,
        comment_form=comment_form,
        may_edit=can_edit_commitment(current_user, commitment),
        may_comment=can_comment_commitment(current_user, commitment),
        **_page_context(),
    )
    refused = status_form.errors or comment_form.errors
    return (page, REFUSED) if refused else page


@bp.get("/handlinger/<id:commitment_id>")
def commitment(commitment_id: int) -> Page:
    """Show a commitment, its log and comments. Raises NotFound (404) when not the reader's to
    see."""
    return _render_commitment(access_commitment(current_user, commitment_id))


@bp.post("/handlinger/<id:commitment_id>/status")
def set_status(commitment_id: int) -> Page:
    """Move one's own commitment to another status. Raises NotFound (404) or Forbidden (403)."""
    item = access_commitment(current_user, commitment_id)
    require(can_edit_commitment(current_user, item))
    form = StatusForm()
    if form.validate_on_submit():
        try:
            action_service.set_status(_me(), item, form.status.data)
        except ServiceError as error:
            attach_error(form, error)
        else:
            label = action_service.STATUS_LABELS[item.status]
            flash(_("The status is now: %(status)s.", status=label), "success")
            return redirect(url_for("actions.commitment", commitment_id=item.id))
    return _render_commitment(item, status_form=form)


@bp.route("/handlinger/<id:commitment_id>/log", methods=["GET", "POST"])
def log_entry(commitment_id: int) -> Page:
    """Add a check-in to one's own commitment, optionally asking the network for help.

    Raises NotFound (404) or Forbidden (403).
    """
    item = access_commitment(current_user, commitment_id)
    require(can_edit_commitment(current_user, item))
    form = LogForm()
    offer_resources(form.resource_id, _me())
    if form.validate_on_submit():
        try:
            entry = action_service.log_progress(
                _me(),
                item,
                tried=with_chosen_resource(_me(), form.tried.data or "", form.resource_id),
                learned=form.learned.data or "",
                blocking=form.blocking.data or "",
                needs=form.needs.data or "",
                ask_for_help=form.ask_for_help.data,
            )
        except ServiceError as error:
            attach_error(form, error)
        else:
            if entry.help_thread_id:
                flash(_("Your check-in is saved, and your request for help is posted."), "success")
            else:
                flash(_("Your check-in is saved."), "success")
            flash_unreachable(
                action_service.unreachable_in_entry(_me(), item, entry), place="commitment"
            )
            return redirect(url_for("actions.commitment", commitment_id=item.id))
    page = render_template(
        "actions/log_entry.html",
        commitment=item,
        form=form,
        is_private=item.visibility == CommitmentVisibility.FACILITATORS,
        **_page_context(),
    )
    return page, _status(form)


@bp.post("/handlinger/<id:commitment_id>/kommentar")
def comment(commitment_id: int) -> Page:
    """Comment on a commitment. Raises NotFound (404) or Forbidden (403)."""
    item = access_commitment(current_user, commitment_id)
    require(can_comment_commitment(current_user, item))
    form = CommentForm()
    if form.validate_on_submit():
        try:
            saved = action_service.add_comment(_me(), item, form.body.data or "")
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("Your comment is posted."), "success")
            flash_unreachable(
                mentions.unreachable_mentions(_me(), saved.body_html, commitment=item),
                place="commitment",
            )
            return redirect(
                url_for("actions.commitment", commitment_id=item.id, _anchor=f"comment-{saved.id}")
            )
    return _render_commitment(item, comment_form=form)


# --- lists -------------------------------------------------------------------------------


@bp.get("/handlinger")
def mine() -> str:
    """Show the reader's own commitments grouped by status, by due date."""
    return render_template(
        "actions/mine.html",
        groups=action_service.my_commitments(_me()),
        **_page_context(),
    )


def _filters(form: FilterForm) -> action_service.CommitmentFilter:
    """Return the valid filters of the form; a refused field narrows nothing."""

    def valid(field: Field) -> Any:  # a field's data has the type its coerce gives
        return None if field.errors or field.data in ("", None) else field.data

    return action_service.CommitmentFilter(
        theme_id=valid(form.tema),
        sdg=valid(form.maal),
        status=valid(form.status),
        meeting_id=valid(form.moede),
    )


@bp.get("/handlinger/netvaerket")
def network() -> Page:
    """Show the commitments shared with the network, newest first, narrowed by theme, goal,
    status and meeting (`?tema=&maal=&status=&moede=`), 50 at a time (`?efter=<id>`)."""
    form = FilterForm(formdata=request.args)
    form.set_choices(
        [(theme.id, theme.name) for theme in theme_service.listed_themes(_me())],
        [(m.id, _meeting_label(m)) for m in action_service.meetings_newest_first()],
    )
    refused = not form.validate()
    before = parse_id(request.args.get("efter"))
    if request.args.get("efter") is not None and before is None:
        abort(404)
    filters = _filters(form)
    items, next_before = action_service.network_commitments(_me(), filters, before)
    # Only the filters go into the page's links: any other name would reach url_for() as its
    # own argument (`endpoint`, `_external`, `_anchor`, ...).
    query = {field.name: request.args[field.name] for field in form if request.args.get(field.name)}
    page = render_template(
        "actions/network.html",
        form=form,
        commitments=items,
        filters=filters,
        next_before=next_before,
        is_first_page=before is None,
        query=query,
        goal_counts=action_service.goal_counts(_me()),
        sdgs=SDGS,
        **_page_context(),
    )
    return (page, REFUSED) if refused else page


# --- facilitators ------------------------------------------------------------------------


@bp.get("/facilitator/oversigt")
def overview() -> str:
    """Show facilitators each member's open commitments, last entry and answer for the next
    meeting, and each meeting's follow-through. Raises Forbidden (403) for members."""
    require(can_view_overview(current_user))
    return render_template(
        "actions/overview.html",
        overview=overview_service.overview(_me(), today()),
        progress_labels=overview_service.PROGRESS_LABELS,
        progress_groups=list(overview_service.PROGRESS_LABELS),
        quiet_days=action_service.QUIET_AFTER.days,
        **_page_context(),
    )


@bp.get("/moeder/<id:meeting_id>/forberedelse")
def prepare(meeting_id: int) -> str:
    """Show facilitators who comes, their commitments from the meeting before with the latest
    entries, open help requests and the survey totals. Raises Forbidden (403) or NotFound."""
    meeting = access_meeting_preparation(current_user, meeting_id)
    return render_template(
        "actions/prepare.html",
        prep=preparation_service.meeting_preparation(_me(), meeting),
        **_page_context(),
    )


@bp.get("/moeder/<id:meeting_id>/forberedelse.csv")
def prepare_csv(meeting_id: int) -> Response:
    """Download the preparation as CSV, one row per attendee commitment.

    Raises Forbidden (403) or NotFound (404).
    """
    meeting = access_meeting_preparation(current_user, meeting_id)
    preparation = preparation_service.meeting_preparation(_me(), meeting)
    text = preparation_service.preparation_csv(preparation)
    filename = f"forberedelse-{meeting.date.isoformat()}.csv"
    return Response(
        text,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )
