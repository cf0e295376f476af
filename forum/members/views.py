"""Views of the members blueprint: the member directory and member profiles."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from forum import permissions
from forum.members import bp
from forum.services import accounts
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
