"""Factories that build models through the service verbs, with sensible defaults."""

from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from forum.extensions import db
from forum.models import Post, Resource, ResourceKind, Theme, Thread, User
from forum.services import threads as thread_service

PASSWORD = "correct-horse-battery"
_sequence = itertools.count(1)
# One hash for every test user: scrypt is slow by design, and tests make many users.
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="scrypt")


def user(
    name: str | None = None,
    email: str | None = None,
    role: str = "member",
    language: str = "da",
    **fields: object,
) -> User:
    n = next(_sequence)
    person = User(
        name=name or f"Medlem {n}",
        email=email or f"person{n}@example.org",
        role=role,
        language=language,
        password_hash=_PASSWORD_HASH,
        **fields,
    )
    db.session.add(person)
    db.session.commit()
    return person


def theme(name: str | None = None, description: str = "", **fields: object) -> Theme:
    n = next(_sequence)
    item = Theme(name=name or f"Tema {n}", description=description, position=n, **fields)
    db.session.add(item)
    db.session.commit()
    return item


def thread(
    author: User, theme: Theme, title: str = "En tråd", body: str = "Første indlæg"
) -> Thread:
    item = thread_service.create_thread(author, theme, title, body)
    db.session.commit()  # as the request would: factories leave committed data behind
    return item


def reply(author: User, thread: Thread, body: str = "Et svar") -> Post:
    post = thread_service.reply(author, thread, body)
    db.session.commit()
    return post


def file_resource(
    adder: User,
    name: str = "Plakat.png",
    data: bytes | None = None,
    title: str = "Plakat til repair café",
    **fields: object,
) -> Resource:
    """Make a file resource with one version, its file stored as an upload view would."""
    from forum.services import uploads
    from tests import samples

    resource = Resource(kind=ResourceKind.FILE, title=title, added_by_id=adder.id, **fields)
    db.session.add(resource)
    db.session.flush()
    checked = uploads.check_upload(name, samples.image("PNG") if data is None else data)
    uploads.add_file_version(resource, uploads.store(checked), adder)
    db.session.commit()
    return resource
