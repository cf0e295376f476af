"""What an author is told after posting about the people their @mentions could not reach."""

from __future__ import annotations

from babel.lists import format_list
from flask import flash
from flask_babel import get_locale, ngettext

from forum.models import User


def flash_unreachable(people: list[User], *, place: str = "thread") -> None:
    """Tell the author which mentioned people may not see the thread (or the commitment,
    when `place` is "commitment") and were not notified; say nothing when all were."""
    if not people:
        return
    handles = format_list([f"@{person.handle}" for person in people], locale=get_locale())
    if place == "commitment":
        message = ngettext(
            "%(handles)s cannot see this commitment and was not notified.",
            "%(handles)s cannot see this commitment and were not notified.",
            len(people),
            handles=handles,
        )
    else:
        message = ngettext(
            "%(handles)s cannot see this thread and was not notified.",
            "%(handles)s cannot see this thread and were not notified.",
            len(people),
            handles=handles,
        )
    flash(message, "info")
