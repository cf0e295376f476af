"""@mentions: who a text names, telling them, and who cannot be told.

The Markdown pipeline links every well-formed @handle (forum.markdown); the handles are read
back from the rendered HTML, so exactly the handles shown as links count as mentions, never
one in code, in a link or in an email address. A mention notifies a person only when they may
see where it was written: forum.services.notifications.notify asks forum.permissions. The
author is told which handles could not be reached (`unreachable_mentions`); the person
mentioned learns nothing at all.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from sqlalchemy import func, select

from forum import markdown, permissions
from forum.extensions import db
from forum.handles import HANDLE_MAX
from forum.models import Commitment, Post, Thread, User
from forum.models.vocabulary import NotificationKind
from forum.services.notifications import notify

_MENTION_HREF = re.compile(
    f'<a class="mention" href="{re.escape(markdown.MENTION_PATH)}([a-z0-9._-]{{1,{HANDLE_MAX}}})"'
)
# How many people a person may find by typing "@" and the start of a handle or a name.
SUGGESTIONS_MAX = 8


def handles_in(html: str) -> list[str]:
    """Return the handles the rendered HTML links as mentions, once each, in order."""
    return list(dict.fromkeys(_MENTION_HREF.findall(html or "")))


def stored_handles(text: str, html: str, render_version: int) -> frozenset[str]:
    """Return the handles a stored Markdown field mentions, rendering it anew when its HTML
    was made by older rules (which linked no handles)."""
    if render_version != markdown.RENDER_VERSION:
        html = str(markdown.render(text))
    return frozenset(handles_in(html))


def mentioned_people(html: str, before: Collection[str] = ()) -> list[User]:
    """Return the active people the rendered HTML mentions (leaving out the handles in
    `before`), in one query, in the order they are first mentioned."""
    handles = [handle for handle in handles_in(html) if handle not in before]
    if not handles:
        return []
    people = {
        person.handle: person
        for person in db.session.scalars(
            select(User).where(User.handle.in_(handles)).where(User.is_enabled.is_(True))
        )
    }
    return [people[handle] for handle in handles if handle in people]


def _may_see(
    person: User, thread: Thread | None, post: Post | None, commitment: Commitment | None
) -> bool:
    """Return whether the person may see the post, thread or commitment a text is in."""
    if post is not None:
        return permissions.can_see_post(person, post.id)
    if thread is not None:
        return permissions.can_see_thread(person, thread.id)
    if commitment is not None:
        return permissions.can_see_commitment(person, commitment.id)
    return False


def notify_mentions(
    author: User,
    html: str,
    *,
    before: Collection[str] = (),
    thread: Thread | None = None,
    post: Post | None = None,
    commitment: Commitment | None = None,
) -> list[User]:
    """Notify everyone newly mentioned who may see where the text is; return the people
    mentioned who may not (and were told nothing). Handles in `before` were already there."""
    unreachable = []
    for person in mentioned_people(html, before):
        if person.id == author.id:
            continue
        if not _may_see(person, thread, post, commitment):
            unreachable.append(person)
            continue
        notify(
            person,
            NotificationKind.MENTION,
            actor=author,
            thread=thread,
            post=post,
            commitment=commitment,
        )
    return unreachable


def unreachable_mentions(
    author: User,
    html: str,
    *,
    before: Collection[str] = (),
    post: Post | None = None,
    commitment: Commitment | None = None,
) -> list[User]:
    """Return the people newly mentioned in a saved text who may not see it, for its author."""
    return [
        person
        for person in mentioned_people(html, before)
        if person.id != author.id and not _may_see(person, None, post, commitment)
    ]


def suggestions(viewer: User, typed: str) -> list[User]:
    """Return up to SUGGESTIONS_MAX people the viewer may see whose handle, name or a word of
    their name starts with the typed text, by handle."""
    typed = typed.strip().lstrip("@").lower()
    if not typed or len(typed) > HANDLE_MAX:
        return []
    name = func.lower(User.name)
    return list(
        db.session.scalars(
            select(User)
            .where(permissions.visible_members(viewer))
            .where(User.is_enabled.is_(True))  # a deactivated person hears of no mention
            .where(
                User.handle.startswith(typed, autoescape=True)
                | name.startswith(typed, autoescape=True)
                | name.contains(" " + typed, autoescape=True)
            )
            .order_by(User.handle)
            .limit(SUGGESTIONS_MAX)
        )
    )
