"""Views of the home page and the health check."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import text

from forum.core import bp
from forum.extensions import db
from forum.permissions import me
from forum.services import for_you as for_you_service
from forum.services import meetings as meeting_service
from forum.services import moderation as moderation_service
from forum.services import reading as reading_service
from forum.services import themes as theme_service
from forum.services import threads as thread_service


@bp.get("/")
def home() -> str:
    """Show what waits for the reader, the facilitators' announcements, what is new since
    their last visit, the rest of the latest activity, and the themes."""
    recent = thread_service.recent_threads(current_user)
    reads = reading_service.read_states(me(), recent)
    fresh = [thread for thread in recent if reading_service.is_unread(reads.get(thread.id))]
    return render_template(
        "core/home.html",
        announcements=moderation_service.active_announcements(),
        themes=theme_service.listed_themes(current_user),
        counts=thread_service.theme_thread_counts(current_user),
        fresh=fresh,
        seen=[thread for thread in recent if thread not in fresh],
        for_you=for_you_service.waiting_for(me(), meeting_service.today()),
        reads=reads,
    )


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """Answer whether the app can reach its database (for load balancers)."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}, 200
