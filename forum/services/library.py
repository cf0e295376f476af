"""The resource library: add, edit, replace, remove, restore and purge resources; where
texts use them ("brugt i"); and the read queries behind the library pages.

A resource's file bytes are handled by `forum.services.uploads`; this module only decides
when a file is stored, versioned or deleted, always within the caller's transaction.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, selectinload

from forum import markdown
from forum.extensions import db
from forum.models import (
    Commitment,
    LogEntry,
    Meeting,
    Post,
    Resource,
    ResourceFile,
    ResourceGoal,
    ResourceKind,
    ResourceTheme,
    ResourceUse,
    ResourceVisibility,
    Theme,
    Thread,
    User,
    utcnow,
)
from forum.models.vocabulary import NotificationKind
from forum.permissions import (
    can_restrict_resource,
    visible_commitments,
    visible_posts,
    visible_resources,
    visible_threads,
)
from forum.sdgs import SDGS
from forum.services import ServiceError, uploads
from forum.services.mail import site_url
from forum.services.notifications import notify, theme_followers

# Removed resources stay in the facilitators' bin this long, then `purge-removed` deletes them.
BIN_DAYS = 30
TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
URL_MAX = 2000
LIBRARY_MAX = 160
# Resources per page of the library.
PAGE_SIZE = 25
# Resources offered on a post or log-entry form to link to (the newest ones).
CHOICES_MAX = 50
# The path of a resource's page; links to it (or below it) in a text count as a use.
RESOURCE_PATH = "/ressourcer/"

KIND_LABELS = {
    ResourceKind.FILE.value: _l("File"),
    ResourceKind.LINK.value: _l("Link"),
}
VISIBILITY_LABELS = {
    ResourceVisibility.NETWORK.value: _l("The network"),
    ResourceVisibility.FACILITATORS.value: _l("Facilitators only"),
}
SORTS = ("nyeste", "titel")

_HREF = re.compile(r'href="([^"]{1,2100})"')
_RESOURCE_IN_PATH = re.compile(r"/ressourcer/([1-9][0-9]{0,18})(?:/[^?#]*)?")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")


@dataclass
class ResourceDetails:
    """What a person says about a resource on the add and edit forms.

    `library` None means the adder's own library; `visibility` None keeps the current one
    (the network for a new resource).
    """

    title: str
    description: str = ""
    themes: Sequence[Theme] = ()
    sdgs: Sequence[int] = ()
    meeting: Meeting | None = None
    library: str | None = None
    visibility: str | None = None


# --- checks ------------------------------------------------------------------------------


def _check_title(title: str) -> str:
    """Return the trimmed title. Raises ServiceError when empty or too long."""
    title = (title or "").strip()
    if not title:
        raise ServiceError(_l("Give the resource a title."), field="title")
    if len(title) > TITLE_MAX:
        raise ServiceError(_l("The title is too long."), field="title")
    return title


def check_url(url: str) -> str:
    """Return the trimmed web address. Raises ServiceError unless it is an http(s) address."""
    url = (url or "").strip()
    if not url:
        raise ServiceError(_l("Give the address of the link."), field="url")
    if len(url) > URL_MAX:
        raise ServiceError(_l("The address is too long."), field="url")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ServiceError(
            _l("Give a whole web address, starting with https:// or http://."), field="url"
        )
    if any(char.isspace() or ord(char) < 32 for char in url):
        raise ServiceError(_l("A web address has no spaces."), field="url")
    return url


def _check_themes(themes: Sequence[Theme], current: set[int]) -> list[Theme]:
    """Return the themes once each. Raises ServiceError for none, or a newly chosen archived
    one."""
    chosen = list({theme.id: theme for theme in themes}.values())
    if not chosen:
        raise ServiceError(_l("Choose at least one theme."), field="themes")
    for theme in chosen:
        if theme.is_archived and theme.id not in current:
            raise ServiceError(_l("The theme is archived. Choose another one."), field="themes")
    return chosen


def _check_sdgs(sdgs: Sequence[int]) -> list[int]:
    """Return the goals sorted, once each. Raises ServiceError for a number that is no goal."""
    chosen = sorted(set(sdgs or ()))
    if any(number not in SDGS for number in chosen):
        raise ServiceError(_l("Choose among the 17 goals."), field="sdgs")
    return chosen


def _check_visibility(actor: User, wanted: str | None, current: str | None) -> ResourceVisibility:
    """Return who will see the resource. Raises ServiceError for an unknown choice, or when
    someone who is not a facilitator keeps a resource from the network."""
    if wanted is None:
        return ResourceVisibility(current or ResourceVisibility.NETWORK)
    if wanted not in VISIBILITY_LABELS:
        raise ServiceError(_l("Choose who can see the resource."), field="visibility")
    visibility = ResourceVisibility(wanted)
    restricting = visibility == ResourceVisibility.FACILITATORS and current != visibility
    if restricting and not can_restrict_resource(actor):
        raise ServiceError(
            _l("Only facilitators can keep a resource for the facilitators."), field="visibility"
        )
    return visibility


def _apply(actor: User, resource: Resource, details: ResourceDetails) -> None:
    """Check every detail and set it on the resource. Raises ServiceError on the first fault."""
    title = _check_title(details.title)
    description = details.description or ""
    if len(description) > DESCRIPTION_MAX:
        raise ServiceError(_l("The text is too long."), field="description")
    current_themes = {link.theme_id for link in resource.themes}
    themes = _check_themes(details.themes, current_themes)
    sdgs = _check_sdgs(details.sdgs)
    library = details.library
    if library is None:
        library = actor.library or ""
    library = library.strip()
    if len(library) > LIBRARY_MAX:
        raise ServiceError(_l("The name of the library is too long."), field="library")
    current = resource.visibility.value if resource.visibility else None
    visibility = _check_visibility(actor, details.visibility, current)

    resource.title = title
    if description != resource.description_md or not resource.description_render_version:
        markdown.set_markdown(resource, "description", description)
    resource.library = library
    resource.meeting_id = details.meeting.id if details.meeting else None
    resource.visibility = visibility
    wanted = {theme.id for theme in themes}
    kept = [link for link in resource.themes if link.theme_id in wanted]
    resource.themes = kept + [
        ResourceTheme(theme_id=theme.id) for theme in themes if theme.id not in current_themes
    ]
    kept_goals = [goal for goal in resource.goals if goal.sdg in sdgs]
    present = {goal.sdg for goal in kept_goals}
    resource.goals = kept_goals + [ResourceGoal(sdg=n) for n in sdgs if n not in present]


# --- adding, changing, removing ------------------------------------------------------------


def _new_resource(kind: ResourceKind, adder: User) -> Resource:
    """Return an empty resource of the kind, added by the person now."""
    now = utcnow()
    resource = Resource(
        kind=kind,
        added_by_id=adder.id,
        created_at=now,
        updated_at=now,
        description_md="",
        description_html="",
        description_render_version=0,
        url="",
    )
    resource.themes = []
    resource.goals = []
    return resource


def _notify_followers(adder: User, resource: Resource, themes: Sequence[Theme]) -> None:
    """Tell the followers of the resource's themes, once each, that it was added; those who
    may not see it (a facilitators-only resource) hear nothing (forum.services.notifications)."""
    told: set[int] = set()
    for theme in themes:
        for person in theme_followers(theme):
            if person.id in told:
                continue
            told.add(person.id)
            notify(
                person, NotificationKind.NEW_RESOURCE, actor=adder, resource=resource, theme=theme
            )


def add_link(adder: User, details: ResourceDetails, url: str) -> Resource:
    """Add a link to the library and tell the followers of its themes.

    Raises ServiceError on a missing title, theme or address, an archived theme, an unknown
    goal, or a facilitators-only choice by someone who is not a facilitator.
    """
    resource = _new_resource(ResourceKind.LINK, adder)
    _apply(adder, resource, details)
    resource.url = check_url(url)
    db.session.add(resource)
    db.session.flush()
    _notify_followers(adder, resource, details.themes)
    return resource


def add_file(adder: User, details: ResourceDetails, checked: uploads.CheckedFile) -> Resource:
    """Add an uploaded (checked) file to the library and tell the followers of its themes.

    Raises ServiceError as add_link does. The file is written before any row (no lock is
    held while writing), and deleted again if the transaction rolls back.
    """
    resource = _new_resource(ResourceKind.FILE, adder)
    _apply(adder, resource, details)
    stored = uploads.store(checked)
    db.session.add(resource)
    db.session.flush()
    uploads.add_file_version(resource, stored, adder)
    _notify_followers(adder, resource, details.themes)
    return resource


def edit_resource(
    editor: User, resource: Resource, details: ResourceDetails, url: str | None = None
) -> Resource:
    """Change a resource's details (and a link's address). Raises ServiceError as add_link."""
    _apply(editor, resource, details)
    if resource.kind == ResourceKind.LINK:
        resource.url = check_url(url if url is not None else resource.url)
    resource.updated_at = utcnow()
    db.session.flush()
    return resource


def replace_file(editor: User, resource: Resource, checked: uploads.CheckedFile) -> ResourceFile:
    """Make the checked file the resource's newest version; earlier versions stay.

    Raises ServiceError when the resource is a link.
    """
    if resource.kind != ResourceKind.FILE:
        raise ServiceError(_l("A link has no file to replace."), field="file")
    stored = uploads.store(checked)
    version = uploads.add_file_version(resource, stored, editor)
    resource.updated_at = utcnow()
    db.session.flush()
    return version


def remove_resource(actor: User, resource: Resource) -> None:
    """Move the resource to the facilitators' bin, from which it is purged after BIN_DAYS."""
    if resource.removed_at is not None:
        return
    resource.removed_at = utcnow()
    resource.removed_by_id = actor.id
    db.session.flush()


def restore_resource(actor: User, resource: Resource) -> None:
    """Take the resource out of the bin, back into the library."""
    resource.removed_at = None
    resource.removed_by_id = None
    db.session.flush()


def days_left(resource: Resource, now: datetime) -> int:
    """Return how many whole days the removed resource stays in the bin (0 on its last)."""
    if resource.removed_at is None:
        return BIN_DAYS
    left = resource.removed_at + timedelta(days=BIN_DAYS) - now
    return max(left.days, 0)


@dataclass(frozen=True)
class Purged:
    """A resource deleted for good, and the stored files deleted with it."""

    resource_id: int
    title: str
    files: tuple[str, ...]


def purge_removed(now: datetime) -> list[Purged]:
    """Delete the resources removed more than BIN_DAYS ago, with their files once the
    transaction commits; return what was deleted. Running it again deletes nothing more."""
    cutoff = now - timedelta(days=BIN_DAYS)
    doomed = list(
        db.session.scalars(
            select(Resource)
            .where(Resource.removed_at.is_not(None), Resource.removed_at < cutoff)
            .options(selectinload(Resource.versions))
            .order_by(Resource.id)
        )
    )
    purged = []
    for resource in doomed:
        files = []
        for version in resource.versions:
            files.append(version.stored_name)
            if version.preview_name:
                files.append(version.preview_name)
        for name in files:
            uploads.delete_after_commit(name)
        purged.append(Purged(resource.id, resource.title, tuple(files)))
        db.session.delete(resource)
    db.session.flush()
    return purged


# --- where resources are used ----------------------------------------------------------------


def _base() -> tuple[str, str, str]:
    """Return the site's scheme, host and path prefix, from FORUM_BASE_URL."""
    base = urlsplit(current_app.config["FORUM_BASE_URL"])
    return base.scheme.lower(), base.netloc.lower(), base.path.rstrip("/")


def resource_ids_in(rendered_html: str) -> list[int]:
    """Return the ids of the resources the rendered HTML links to, once each, in order.

    A link counts when it points at a resource's page or below it (its file), written as a
    path on this site or as an address starting with FORUM_BASE_URL.
    """
    scheme, host, prefix = _base()
    found: list[int] = []
    for raw in _HREF.findall(rendered_html or ""):
        parts = urlsplit(html.unescape(raw))
        elsewhere = parts.scheme.lower() != scheme or parts.netloc.lower() != host
        if (parts.scheme or parts.netloc) and elsewhere:
            continue
        path = parts.path
        if prefix and path.startswith(prefix + "/"):
            path = path[len(prefix) :]
        match = _RESOURCE_IN_PATH.fullmatch(path)
        if match:
            found.append(int(match.group(1)))
    return list(dict.fromkeys(found))


def record_uses(
    *,
    post: Post | None = None,
    log_entry: LogEntry | None = None,
    commitment: Commitment | None = None,
) -> None:
    """Record which resources the saved text links to, replacing what it linked before.

    Pass exactly one of post, log entry and commitment, after its HTML is rendered and it
    is flushed. Raises ValueError otherwise.
    """
    column: InstrumentedAttribute[int | None]
    if post is not None and log_entry is None and commitment is None:
        column, owner_id, text = ResourceUse.post_id, post.id, post.body_html
    elif log_entry is not None and post is None and commitment is None:
        column, owner_id = ResourceUse.log_entry_id, log_entry.id
        text = "".join(
            (
                log_entry.tried_html,
                log_entry.learned_html,
                log_entry.blocking_html,
                log_entry.needs_html,
            )
        )
    elif commitment is not None and post is None and log_entry is None:
        column, owner_id, text = ResourceUse.commitment_id, commitment.id, commitment.why_html
    else:
        raise ValueError("record_uses takes exactly one of post, log_entry and commitment")
    linked = resource_ids_in(text)
    wanted = (
        set(db.session.scalars(select(Resource.id).where(Resource.id.in_(linked))))
        if linked
        else set()
    )
    existing = {
        use.resource_id: use
        for use in db.session.scalars(select(ResourceUse).where(column == owner_id))
    }
    for resource_id, use in existing.items():
        if resource_id not in wanted:
            db.session.delete(use)
    for resource_id in wanted - existing.keys():
        db.session.add(ResourceUse(resource_id=resource_id, **{column.key: owner_id}))
    db.session.flush()


def with_resource_link(viewer: User, text: str, resource_id: int | None, field: str) -> str:
    """Return the text with a Markdown link to the chosen resource appended (unchanged when
    none is chosen). Raises ServiceError(field) when the viewer may not see the resource."""
    if resource_id is None:
        return text
    resource = db.session.scalar(
        select(Resource)
        .where(Resource.id == resource_id)
        .where(visible_resources(viewer))
        .where(Resource.removed_at.is_(None))
    )
    if resource is None:
        raise ServiceError(_l("Choose one of the resources in the list."), field=field)
    title = _MARKDOWN_SPECIAL.sub(r"\\\1", resource.title)
    link = f"[{title}]({site_url('library.resource', resource_id=resource.id)})"
    text = (text or "").rstrip()
    return f"{text}\n\n{link}" if text else link


@dataclass
class Uses:
    """Where a resource is used, as far as the viewer may see."""

    posts: list[Post] = field(default_factory=list)
    log_entries: list[LogEntry] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.posts) + len(self.log_entries) + len(self.commitments)


def uses_of(viewer: User, resource: Resource) -> Uses:
    """Return the posts, log entries and commitments linking the resource that the viewer may
    see (three queries); the others are left out without a trace."""
    posts = db.session.scalars(
        select(Post)
        .join(ResourceUse, ResourceUse.post_id == Post.id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(ResourceUse.resource_id == resource.id)
        .where(visible_threads(viewer), visible_posts(viewer))
        .where(Post.withdrawn_at.is_(None))
        .options(selectinload(Post.thread), selectinload(Post.author))
        .order_by(Post.created_at.desc(), Post.id.desc())
    )
    entries = db.session.scalars(
        select(LogEntry)
        .join(ResourceUse, ResourceUse.log_entry_id == LogEntry.id)
        .join(Commitment, Commitment.id == LogEntry.commitment_id)
        .where(ResourceUse.resource_id == resource.id)
        .where(visible_commitments(viewer))
        .options(selectinload(LogEntry.commitment).selectinload(Commitment.owner))
        .order_by(LogEntry.created_at.desc(), LogEntry.id.desc())
    )
    commitments = db.session.scalars(
        select(Commitment)
        .join(ResourceUse, ResourceUse.commitment_id == Commitment.id)
        .where(ResourceUse.resource_id == resource.id)
        .where(visible_commitments(viewer))
        .options(selectinload(Commitment.owner))
        .order_by(Commitment.created_at.desc(), Commitment.id.desc())
    )
    return Uses(list(posts), list(entries), list(commitments))


# --- reading ---------------------------------------------------------------------------------


def listed(viewer: User) -> Select[Resource]:
    """Return a select of the resources in the library the viewer may see (not the bin)."""
    return select(Resource).where(visible_resources(viewer)).where(Resource.removed_at.is_(None))


def with_details(query: Select[Resource]) -> Select[Resource]:
    """Return the query with themes, goals, adders and meetings batch-loaded."""
    return query.options(
        selectinload(Resource.themes).selectinload(ResourceTheme.theme),
        selectinload(Resource.goals),
        selectinload(Resource.added_by),
        selectinload(Resource.meeting),
    )


@dataclass(frozen=True)
class LibraryFilter:
    """What the library list is narrowed to; None means any."""

    theme_id: int | None = None
    sdg: int | None = None
    kind: str | None = None
    meeting_id: int | None = None
    library: str | None = None
    added_by_id: int | None = None

    @property
    def is_active(self) -> bool:
        """Return whether anything narrows the list."""
        return any(value is not None for value in vars(self).values())


def _narrowed(query: Select[Resource], filters: LibraryFilter) -> Select[Resource]:
    """Return the query narrowed by the filters."""
    if filters.theme_id is not None:
        query = query.where(
            exists().where(
                ResourceTheme.resource_id == Resource.id, ResourceTheme.theme_id == filters.theme_id
            )
        )
    if filters.sdg is not None:
        query = query.where(
            exists().where(ResourceGoal.resource_id == Resource.id, ResourceGoal.sdg == filters.sdg)
        )
    if filters.kind is not None:
        query = query.where(Resource.kind == filters.kind)
    if filters.meeting_id is not None:
        query = query.where(Resource.meeting_id == filters.meeting_id)
    if filters.library is not None:
        query = query.where(Resource.library == filters.library)
    if filters.added_by_id is not None:
        query = query.where(Resource.added_by_id == filters.added_by_id)
    return query


def cursor_resource(viewer: User, resource_id: int) -> Resource | None:
    """Return the listed resource a page continues after, or None when the viewer has none
    by that id."""
    return db.session.scalar(listed(viewer).where(Resource.id == resource_id))


def _order(sort: str) -> tuple[Any, ...]:
    """Return the order of the list: newest first, or by title."""
    if sort == "titel":
        return (Resource.title, Resource.id)
    return (Resource.created_at.desc(), Resource.id.desc())


def library_page(
    viewer: User, filters: LibraryFilter, sort: str = "nyeste", after: Resource | None = None
) -> tuple[list[Resource], int | None]:
    """Return a page of the library the viewer may see and the id to continue after (None
    on the last page), in a fixed number of queries whatever the library's size."""
    query = _narrowed(listed(viewer), filters)
    if after is not None:
        if sort == "titel":
            query = query.where(tuple_(Resource.title, Resource.id) > tuple_(after.title, after.id))
        else:
            query = query.where(
                tuple_(Resource.created_at, Resource.id) < tuple_(after.created_at, after.id)
            )
    query = with_details(query).order_by(*_order(sort)).limit(PAGE_SIZE + 1)
    items = list(db.session.scalars(query))
    if len(items) > PAGE_SIZE:
        items = items[:PAGE_SIZE]
        return items, items[-1].id
    return items, None


def libraries_in_use(viewer: User) -> list[str]:
    """Return the libraries the viewer's listed resources come from, alphabetically."""
    query = (
        listed(viewer)
        .with_only_columns(Resource.library)
        .where(Resource.library != "")
        .distinct()
        .order_by(Resource.library)
    )
    return list(db.session.scalars(query))


def adders(viewer: User) -> list[User]:
    """Return the people who added the viewer's listed resources, by name."""
    added = listed(viewer).with_only_columns(Resource.added_by_id)
    return list(db.session.scalars(select(User).where(User.id.in_(added)).order_by(User.name)))


def resource_choices(viewer: User) -> list[Resource]:
    """Return the newest resources the viewer may link to from a text (CHOICES_MAX)."""
    query = listed(viewer).order_by(Resource.created_at.desc(), Resource.id.desc())
    return list(db.session.scalars(query.limit(CHOICES_MAX)))


def meeting_resources(viewer: User, meeting: Meeting) -> list[Resource]:
    """Return the resources from the meeting the viewer may see, by title."""
    query = listed(viewer).where(Resource.meeting_id == meeting.id)
    query = query.options(selectinload(Resource.added_by), selectinload(Resource.versions))
    return list(db.session.scalars(query.order_by(Resource.title, Resource.id)))


def resource_versions(resource: Resource) -> list[ResourceFile]:
    """Return the file's versions, newest first, with who uploaded each."""
    return list(
        db.session.scalars(
            select(ResourceFile)
            .where(ResourceFile.resource_id == resource.id)
            .options(selectinload(ResourceFile.uploaded_by))
            .order_by(ResourceFile.id.desc())
        )
    )


def bin_contents() -> list[Resource]:
    """Return the removed resources, the longest removed first (the next to be purged)."""
    query = with_details(select(Resource).where(Resource.removed_at.is_not(None)))
    query = query.options(selectinload(Resource.removed_by))
    return list(db.session.scalars(query.order_by(Resource.removed_at, Resource.id)))
