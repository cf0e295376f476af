"""Who sees a thread: its visibility and the members of a confidential circle."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from forum.extensions import db
from forum.models import CircleMember, Thread, User
from forum.permissions import Visibility, circle_candidates
from forum.services import ServiceError
from forum.services.audit import log_action
from forum.services.threads import check_visibility, circle_people


def change_visibility(
    actor: User, thread: Thread, visibility: str, circle_ids: list[int] | tuple[int, ...] = ()
) -> None:
    """Set who sees the thread; a circle keeps its members and gains the named ones.

    Raises ServiceError for an unknown visibility. A facilitator's change to someone else's
    thread is logged as a moderator action.
    """
    visibility = check_visibility(visibility)
    old = thread.visibility
    thread.visibility = visibility
    if visibility == Visibility.CIRCLE:
        _add_people(actor, thread, circle_people(actor, circle_ids))
    if actor.id != thread.author_id and old != visibility:
        log_action(actor, "change_visibility", thread=thread, detail=f"{old} → {visibility}")
    db.session.flush()


def _add_people(actor: User, thread: Thread, people: list[User]) -> list[User]:
    """Add people to the circle who are not in it yet (never the author); return them."""
    present = {member.user_id for member in thread.circle} | {thread.author_id}
    added = []
    for person in people:
        if person.id in present:
            continue
        thread.circle.append(CircleMember(user_id=person.id, added_by_id=actor.id))
        present.add(person.id)
        added.append(person)
    return added


def add_circle_members(actor: User, thread: Thread, user_ids: list[int]) -> list[User]:
    """Name more members into the circle; return who was added.

    Raises ServiceError when the thread is not a circle thread or nobody was chosen.
    """
    if thread.visibility != Visibility.CIRCLE:
        raise ServiceError(_l("Only circle threads have members."))
    people = circle_people(actor, user_ids)
    if not people:
        raise ServiceError(_l("Choose at least one person."), field="user_ids")
    added = _add_people(actor, thread, people)
    if actor.id != thread.author_id:
        for person in added:
            log_action(actor, "add_circle_member", thread=thread, subject=person)
    db.session.flush()
    return added


def remove_circle_member(actor: User, thread: Thread, person: User) -> None:
    """Take a member out of the circle: from now on they see nothing of the thread."""
    membership = db.session.get(CircleMember, (thread.id, person.id))
    if membership is None:
        return
    db.session.delete(membership)
    if actor.id != thread.author_id:
        log_action(actor, "remove_circle_member", thread=thread, subject=person)
    db.session.flush()


def circle_members(thread: Thread) -> list[User]:
    """Return the people named into the circle, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(CircleMember, CircleMember.user_id == User.id)
            .where(CircleMember.thread_id == thread.id)
            .order_by(User.name)
        )
    )


def candidates(viewer: User, thread: Thread | None = None) -> list[User]:
    """Return the people who can be named into a circle (not the author), by name."""
    query = select(User).where(circle_candidates(viewer)).order_by(User.name)
    if thread is not None:
        query = query.where(User.id != thread.author_id)
    else:
        query = query.where(User.id != viewer.id)
    return list(db.session.scalars(query))
