"""Views of the members blueprint: the member directory, member profiles, and @handles."""

from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from forum import permissions
from forum.members import bp
from forum.services import accounts, mentions
from forum.services import reading as reading_service
from forum.services import threads as thread_service


@bp.get("/medlemmer")
def directory() -> str:
    """List the members the viewer may see, by name."""
    return render_template(
        "members/directory.html", members=accounts.member_directory(current_user)
    )


@bp.get("/medlemmer/<id:member_id>")
def profile(member_id: int) -> str:
    """Show a member's profile and the threads they started. Raises NotFound (404) if hidden."""
    member = permissions.access_member(current_user, member_id)
    threads = thread_service.threads_by_member(current_user, member)
    return render_template(
        "members/profile.html",
        member=member,
        threads=threads,
        reads=reading_service.read_states(permissions.me(), threads),
    )


@bp.get("/medlemmer/@<handle>")
def by_handle(handle: str) -> Response:
    """Send an @mention's link to the profile of the person with that handle.

    Raises NotFound (404) for an unknown handle and for a profile the viewer may not see.
    """
    member = permissions.access_member_by_handle(current_user, handle)
    return redirect(url_for("members.profile", member_id=member.id))


@bp.get("/medlemmer/forslag")
def suggestions() -> Response:
    """Answer JSON: up to 8 people the viewer may see whose handle or name starts with `?q=`."""
    people = mentions.suggestions(permissions.me(), request.args.get("q", ""))
    return jsonify([{"handle": person.handle, "name": person.name} for person in people])
