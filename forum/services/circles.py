"""Who sees a thread: its visibility and the members of a confidential circle."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import CircleMember, Post, Thread, User
from forum.permissions import Visibility, circle_candidates, network_audience
from forum.services import ServiceError, events
from forum.services.audit import log_action
from forum.services.threads import check_visibility, circle_people


def change_visibility(
    actor: User, thread: Thread, visibility: str, circle_ids: list[int] | tuple[int, ...] = ()
) -> None:
    """Set who sees the thread; a circle keeps its members and gains the named ones.

    Raises ServiceError for an unknown visibility. A facilitator's change to someone else's
    thread is logged as a moderator action, and so is opening a confidential thread to the
    network, whoever does it: what was said in confidence becomes readable by everyone.
    """
    visibility = check_visibility(visibility)
    old = thread.visibility
    thread.visibility = visibility
    if visibility == Visibility.CIRCLE:
        added = _add_people(actor, thread, circle_people(actor, circle_ids))
        db.session.flush()
        events.circle_joined(actor, thread, added)
    opened = old != Visibility.NETWORK and visibility == Visibility.NETWORK
    if old != visibility and (opened or actor.id != thread.author_id):
        log_action(actor, "change_visibility", thread=thread, detail=f"{old} → {visibility}")
    db.session.flush()


@dataclass(frozen=True)
class Opening:
    """What opening a confidential thread to the network shows, and to how many."""

    posts: int  # posts whose text members would read (hidden and withdrawn ones left out)
    people: int  # who wrote them
    members: int  # every active member of the network


def opening_to_network(thread: Thread) -> Opening:
    """Return what would become visible, to whom, if the thread were opened to the network."""
    posts, people = db.session.execute(
        select(func.count(Post.id), func.count(func.distinct(Post.author_id)))
        .where(Post.thread_id == thread.id)
        .where(Post.hidden_at.is_(None))
        .where(Post.withdrawn_at.is_(None))
    ).one()
    members = db.session.scalar(select(func.count(User.id)).where(network_audience()))
    return Opening(posts=posts, people=people, members=members or 0)


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
    events.circle_joined(actor, thread, added)
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
    events.circle_left(actor, person)


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


# Danish alphabetical order puts æ, ø and å last, in that order; "{|}" follow "z" in ASCII.
_DANISH_LAST = str.maketrans({"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}"})


def name_order(name: str) -> tuple[str, str]:
    """Return a sort key that orders names as a Danish reader expects, the same on every
    database engine: case and accents ignored (é as e), æ, ø and å after z."""
    folded = name.casefold().translate(_DANISH_LAST)
    plain = "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))
    return plain, name


def candidates(viewer: User, thread: Thread | None = None) -> list[User]:
    """Return the people who can be named into a circle (not the author), by name."""
    query = select(User).where(circle_candidates(viewer))
    if thread is not None:
        query = query.where(User.id != thread.author_id)
    else:
        query = query.where(User.id != viewer.id)
    return sorted(db.session.scalars(query), key=lambda person: name_order(person.name))
