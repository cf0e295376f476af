"""Views of the threads blueprint: theme pages, threads, replies, edits and withdrawals."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import (
    abort,
    flash,
    g,
    get_flashed_messages,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response

# WTForms 3.3 added SelectChoice; types-WTForms (3.2) does not know it yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]

from forum import kept, markdown
from forum.extensions import db
from forum.forms import REFUSED, attach_error, parse_id
from forum.library.picker import offer_resources, with_chosen_resource
from forum.members.messages import flash_unreachable
from forum.models import CircleMember, Post, Theme, Thread, User
from forum.permissions import (
    Visibility,
    access_post,
    access_theme,
    access_thread,
    can_change_visibility,
    can_edit_post,
    can_manage_circle,
    can_moderate,
    can_quote,
    can_reply,
    can_report,
    can_see_post,
    can_start_thread,
    can_view_revisions,
    can_withdraw_post,
    find_report,
    me,
    require,
)
from forum.services import ServiceError, mentions
from forum.services import circles as circle_service
from forum.services import moderation as moderation_service
from forum.services import reading as reading_service
from forum.services import search as search_service
from forum.services import themes as theme_service
from forum.services import threads as thread_service
from forum.threads import bp
from forum.threads.forms import (
    VISIBILITY_HINTS,
    VISIBILITY_LABELS,
    EditPostForm,
    MoveForm,
    ReasonForm,
    RenameForm,
    ReplyForm,
    ThreadForm,
    VisibilityForm,
)
from forum.threads.quotes import quote_intro, quote_markdown

# Largest id a route accepts: beyond it a database integer overflows, so answer 404 instead.
PAGE_RE = re.compile(r"[1-9][0-9]{0,8}")
# Page links shown either side of the current page before the list is cut with a gap.
PAGE_WINDOW = 2
# The button of a writing form that shows the text rendered, saving nothing.
PREVIEW = "preview"
# Session key of what was just done in a thread, for its next page (see `_go_to_post`).
NOTICE = "thread_notice"

Page = str | tuple[str, int] | Response


def _me() -> User:
    """Return the logged-in person as a model object (not the proxy)."""
    return me()


def _requested_page() -> int:
    """Return the page asked for in `?side=`, 1 when absent. Raises NotFound (404) if malformed."""
    raw = request.args.get("side")
    if raw is None:
        return 1
    if not PAGE_RE.fullmatch(raw):
        abort(404)
    return int(raw)


def _page_links(page: int, pages: int) -> list[int | None]:
    """Return the page numbers to link to, with None where a run of pages is left out."""
    shown = {1, pages, *range(page - PAGE_WINDOW, page + PAGE_WINDOW + 1)}
    links: list[int | None] = []
    for number in sorted(n for n in shown if 1 <= n <= pages):
        if links and links[-1] is not None and number > links[-1] + 1:
            links.append(None)
        links.append(number)
    return links


def _post_target(post: Post) -> str:
    """Return the URL of the thread page that shows the post, anchored at the post."""
    return url_for(
        "threads.thread",
        thread_id=post.thread_id,
        side=thread_service.post_page(post),
        _anchor=f"post-{post.id}",
    )


def _go_to_post(post: Post, sent: str | None = None) -> Response:
    """Go to the post on its page. What was flashed is shown at the post itself, so it is in
    view after the jump to the post's anchor; `sent` is the path of the writing form whose
    draft (kept in the browser by drafts.js) is done with."""
    session[NOTICE] = {
        "thread": post.thread_id,
        "post": post.id,
        "messages": get_flashed_messages(with_categories=True),
        "sent": sent,
    }
    return redirect(_post_target(post))


def _take_notice(thread: Thread) -> dict[str, Any]:
    """Return (and forget) what was just done in the thread: the post it concerns, the
    messages to show there, and the form that was sent; empty when nothing was."""
    notice = session.pop(NOTICE, None)
    if not isinstance(notice, Mapping) or notice.get("thread") != thread.id:
        return {}
    return dict(notice)


def _wants_preview() -> bool:
    """Return whether the writing form was sent with its preview button."""
    return request.method == "POST" and PREVIEW in request.form


def _preview(form: ReplyForm | ThreadForm | EditPostForm) -> Markup | None:
    """Return the form's text rendered exactly as it would be posted (the chosen resource's
    link included), or None when the form is refused, with its errors attached."""
    if not form.validate_on_submit():
        return None
    try:
        body = with_chosen_resource(_me(), form.body.data or "", form.resource_id)
    except ServiceError as error:
        attach_error(form, error)
        return None
    return markdown.render(body)


def _quotable(thread: Thread, post_id: int | None) -> Post | None:
    """Return the post of the thread that the reader may quote, or None (never raises)."""
    if post_id is None or not can_see_post(current_user, post_id):
        return None
    post = db.session.get(Post, post_id)
    if post is None or post.thread_id != thread.id or not can_quote(current_user, post):
        return None
    return post


def _tell_unreachable(post: Post, before: frozenset[str] = frozenset()) -> None:
    """Tell the writer which people their new @mentions in the post could not reach."""
    people = mentions.unreachable_mentions(_me(), post.body_html, before=before, post=post)
    flash_unreachable(people)


def _render_thread(
    thread: Thread, page: int, form: ReplyForm, preview: Markup | None = None
) -> str:
    """Render one page of a thread with its reply form (and the reply's preview, when asked
    for). Raises NotFound (404) past the end."""
    pages = thread_service.page_count(thread)
    if page > pages:
        abort(404)
    # Loaded before the posts, so the page's query count depends on who reads, not on which
    # posts are on the page.
    author = thread.author if thread.is_confidential else None
    circle = circle_service.circle_members(thread) if thread.visibility == Visibility.CIRCLE else []
    reader = _me()
    may_reply = can_reply(current_user, thread)
    if may_reply:
        offer_resources(form.resource_id, reader)
    posts = thread_service.thread_page_posts(reader, thread, page)
    # Where the unread posts began before this page was shown, for the "first unread" link.
    read = reading_service.read_state(reader, thread)
    shown_up_to = max((post.position for post, _ in posts), default=0)
    # The page is rendered before the read mark is written, so SQLite's write lock is never
    # held while a template runs; the bell already leaves out what this page shows.
    g.reading_thread = (thread.id, shown_up_to)
    notice = _take_notice(thread)
    messages = notice.get("messages") or []
    notice_at = notice.get("post") if any(p.id == notice.get("post") for p, _ in posts) else None
    page_html = render_template(
        "threads/thread.html",
        thread=thread,
        theme=thread.theme,
        author=author,
        posts=posts,
        read=read,
        page=page,
        pages=pages,
        page_links=_page_links(page, pages),
        form=form,
        may_reply=may_reply,
        circle=circle,
        visibility_labels=VISIBILITY_LABELS,
        preview=preview,
        notice_at=notice_at,
        notice_messages_here=messages if notice_at else [],
        notice_messages_top=[] if notice_at else messages,
        draft_sent=notice.get("sent"),
    )
    if posts:
        reading_service.record_read(reader, thread, shown_up_to, read)
    return page_html


def _status(form: FlaskForm) -> int:
    """Return 422 for a submitted form shown again with errors, else 200."""
    return REFUSED if form.is_submitted() and form.errors else 200


@bp.get("/tema/<id:theme_id>")
def theme(theme_id: int) -> str:
    """Show a theme's threads by latest activity, one keyset page at a time. Raises NotFound.

    Pinned threads lead the first page and stay out of the pages by activity.
    """
    item = access_theme(current_user, theme_id)
    after = thread_service.ThreadCursor.decode(request.args.get("efter"))
    threads, next_cursor = thread_service.theme_threads(_me(), item, after)
    pinned = thread_service.pinned_theme_threads(_me(), item) if after is None else []
    return render_template(
        "threads/theme.html",
        theme=item,
        pinned=pinned,
        threads=threads,
        reads=reading_service.read_states(_me(), [*pinned, *threads]),
        next_cursor=next_cursor,
        is_first_page=after is None,
        may_start=can_start_thread(current_user, item),
    )


@bp.post("/tema/<id:theme_id>/marker-laest")
def mark_theme_read(theme_id: int) -> Response:
    """Mark every thread in the theme the person may see as read. Raises NotFound (404)."""
    item = access_theme(current_user, theme_id)
    reading_service.mark_theme_read(_me(), item)
    flash(_("All threads in %(theme)s are marked as read.", theme=item.name), "success")
    return redirect(url_for("threads.theme", theme_id=item.id))


@bp.post("/marker-alt-laest")
def mark_all_read() -> Response:
    """Mark every thread the person may see as read, and go back to the home page."""
    reading_service.mark_all_read(_me())
    flash(_("Everything is marked as read."), "success")
    return redirect(url_for("core.home"))


def _render_new_thread(
    theme: Theme,
    form: ThreadForm,
    similar: list[search_service.SimilarThread] | None = None,
    preview: Markup | None = None,
) -> str:
    """Render the form that starts a thread, with similar threads or a preview when asked."""
    return render_template(
        "threads/new_thread.html",
        theme=theme,
        form=form,
        similar=similar or [],
        preview=preview,
        people=circle_service.candidates(_me()),
        visibility_hints=VISIBILITY_HINTS,
    )


@bp.route("/tema/<id:theme_id>/ny", methods=["GET", "POST"])
def new_thread(theme_id: int) -> Page:
    """Start a thread in a theme, for the network or a narrower audience; or show the
    opening post as it will look (the preview button), saving nothing.

    Raises NotFound (404), or Forbidden (403) when the theme is archived.
    """
    item = access_theme(current_user, theme_id)
    require(can_start_thread(current_user, item))
    form = ThreadForm()
    offer_resources(form.resource_id, _me())
    if _wants_preview():
        preview = _preview(form)
        page = _render_new_thread(item, form, preview=preview)
        return page if preview is not None else (page, REFUSED)
    similar: list[search_service.SimilarThread] = []
    valid = form.validate_on_submit()
    if valid and form.seen_similar.data != "1":
        # Before asking: threads with similar titles are shown once, and the next submit posts.
        similar = search_service.similar_threads(_me(), form.title.data or "")
        form.seen_similar.data = "1"
    if valid and not similar:
        try:
            thread = thread_service.create_thread(
                _me(),
                item,
                form.title.data or "",
                with_chosen_resource(_me(), form.body.data or "", form.resource_id),
                form.visibility.data,
                form.circle.data,
            )
        except ServiceError as error:
            attach_error(form, error)
        else:
            _tell_unreachable(thread_service.opening_post(thread))
            flash(_("Your thread is started."), "success")
            # The confirmation shows at the top of the thread, where it opens; only the
            # draft of the form is named, to be let go of.
            session[NOTICE] = {"thread": thread.id, "sent": request.path}
            return redirect(url_for("threads.thread", thread_id=thread.id))
    page = _render_new_thread(item, form, similar)
    return (page, REFUSED) if form.is_submitted() and not similar else page


@bp.get("/traad/<id:thread_id>")
def thread(thread_id: int) -> str:
    """Show one page of a thread (`?side=N`); with `?citer=<post>` the reply form starts
    with that post quoted, when the reader may quote it. Raises NotFound (404) for a
    missing page."""
    item = access_thread(current_user, thread_id)
    form = ReplyForm()
    quoted = _quotable(item, parse_id(request.args.get("citer")))
    if quoted is not None and can_reply(current_user, item):
        form.body.data = quote_markdown(quoted)
    return _render_thread(item, _requested_page(), form)


@bp.get("/indlaeg/<id:post_id>/citat")
def quote(post_id: int) -> Response:
    """Answer a post's text quoted for a reply, and the line introducing a quote of it, as
    JSON `{"text": ..., "intro": ...}` (for quote.js).

    Raises NotFound (404), or Forbidden (403) for a hidden or withdrawn post or a thread
    that takes no replies.
    """
    item = access_post(current_user, post_id)
    require(can_quote(current_user, item))
    return jsonify(text=quote_markdown(item), intro=quote_intro(item))


@bp.post("/traad/<id:thread_id>/svar")
def reply(thread_id: int) -> Page:
    """Add a reply and go to it; on bad input, or with the preview button, show the last
    page with the text kept (and rendered, for a preview).

    Raises NotFound (404), or Forbidden (403) when the thread is read-only.
    """
    item = access_thread(current_user, thread_id)
    require(can_reply(current_user, item))
    form = ReplyForm()
    last_page = thread_service.page_count(item)
    if _wants_preview():
        preview = _preview(form)
        page = _render_thread(item, last_page, form, preview)
        return page if preview is not None else (page, REFUSED)
    if form.validate_on_submit():
        try:
            body = with_chosen_resource(_me(), form.body.data or "", form.resource_id)
            post = thread_service.reply(_me(), item, body)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("Your reply is posted."), "success")
            _tell_unreachable(post)
            return _go_to_post(post, sent=request.path)
    return _render_thread(item, last_page, form), REFUSED


@bp.get("/indlaeg/<id:post_id>")
def post(post_id: int) -> Response:
    """Send a post's permalink to the thread page showing it. Raises NotFound (404)."""
    item = access_post(current_user, post_id)
    return redirect(_post_target(item))


@bp.route("/indlaeg/<id:post_id>/rediger", methods=["GET", "POST"])
def edit_post(post_id: int) -> Page:
    """Edit a post, keeping the earlier version; a facilitator's edit of someone else's post
    is marked and logged. The preview button shows the text as it will look, saving nothing.
    Raises NotFound (404) or Forbidden (403)."""
    item = access_post(current_user, post_id)
    require(can_edit_post(current_user, item))
    form = EditPostForm()
    offer_resources(form.resource_id, _me())
    if request.method == "GET":
        form.body.data = item.body_md
    preview = None
    if _wants_preview():
        preview = _preview(form)
    elif form.validate_on_submit():
        before = mentions.stored_handles(item.body_md, item.body_html, item.body_render_version)
        try:
            body = with_chosen_resource(_me(), form.body.data or "", form.resource_id)
            thread_service.edit_post(_me(), item, body)
        except ServiceError as error:
            attach_error(form, error)
        else:
            if item.author_id == current_user.id:
                flash(_("Your post was saved."), "success")
            else:
                flash(_("The post was saved and marked as edited by a facilitator."), "success")
            _tell_unreachable(item, before)
            return _go_to_post(item, sent=request.path)
    page = render_template(
        "threads/edit_post.html", post=item, thread=item.thread, form=form, preview=preview
    )
    return (page, REFUSED) if form.is_submitted() and preview is None else page


@bp.route("/indlaeg/<id:post_id>/traek-tilbage", methods=["GET", "POST"])
def withdraw_post(post_id: int) -> Page:
    """Ask to confirm (GET), then withdraw one's own post (POST). Raises NotFound or Forbidden."""
    item = access_post(current_user, post_id)
    require(can_withdraw_post(current_user, item))
    if request.method == "POST":
        thread_service.withdraw_post(_me(), item)
        flash(_("Your post was withdrawn."), "success")
        return _go_to_post(item)
    return render_template("threads/withdraw_post.html", post=item, thread=item.thread)


@bp.get("/indlaeg/<id:post_id>/versioner")
def revisions(post_id: int) -> str:
    """Show a post's current and earlier versions. Raises NotFound or Forbidden (403)."""
    item = access_post(current_user, post_id)
    require(can_view_revisions(current_user, item))
    return render_template(
        "threads/revisions.html",
        post=item,
        thread=item.thread,
        revisions=thread_service.revisions_of(item),
        number=thread_service.post_number(item),
    )


# --- who sees a thread -------------------------------------------------------------------


def _render_visibility(thread: Thread, form: VisibilityForm) -> Page:
    """Render the page that changes who sees the thread and manages its circle."""
    members = circle_service.circle_members(thread)
    present = {person.id for person in members}
    page = render_template(
        "threads/visibility.html",
        thread=thread,
        form=form,
        members=members,
        people=[p for p in circle_service.candidates(_me(), thread) if p.id not in present],
        visibility_hints=VISIBILITY_HINTS,
        visibility_labels=VISIBILITY_LABELS,
        may_manage_circle=can_manage_circle(current_user, thread),
    )
    return page, _status(form)


@bp.route("/traad/<id:thread_id>/synlighed", methods=["GET", "POST"])
def visibility(thread_id: int) -> Page:
    """Change who sees a thread and name people into its circle (the author or a facilitator).

    Raises NotFound (404) for outsiders and Forbidden (403) for other members.
    """
    item = access_thread(current_user, thread_id)
    require(can_change_visibility(current_user, item))
    form = VisibilityForm(data={"visibility": item.visibility})
    # A circle keeps the people named before, also while the thread is open to more.
    form.circle_size = len(item.circle)
    if form.validate_on_submit():
        if form.visibility.data == Visibility.NETWORK and item.is_confidential:
            # Opening what was said in confidence asks first, on a page of its own.
            return redirect(url_for("threads.open_to_network", thread_id=item.id))
        try:
            if form.visibility.data == item.visibility == Visibility.CIRCLE:
                if form.circle.data:
                    circle_service.add_circle_members(_me(), item, form.circle.data)
            else:
                circle_service.change_visibility(
                    _me(), item, form.visibility.data, form.circle.data
                )
        except ServiceError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            flash(_("Who can see the thread is saved."), "success")
            return redirect(url_for("threads.visibility", thread_id=item.id))
    return _render_visibility(item, form)


@bp.route("/traad/<id:thread_id>/aabn", methods=["GET", "POST"])
def open_to_network(thread_id: int) -> Page:
    """Say what would become visible to whom and ask to confirm (GET), then open a confidential
    thread to the whole network (POST). Raises NotFound (404) for outsiders and Forbidden (403)
    for other members."""
    item = access_thread(current_user, thread_id)
    require(can_change_visibility(current_user, item))
    if not item.is_confidential:
        return redirect(url_for("threads.visibility", thread_id=item.id))
    if request.method == "POST":
        circle_service.change_visibility(_me(), item, Visibility.NETWORK)
        flash(_("The thread is open to the whole network."), "success")
        return redirect(url_for("threads.thread", thread_id=item.id))
    return render_template(
        "threads/open_to_network.html",
        thread=item,
        opening=circle_service.opening_to_network(item),
        visibility_labels=VISIBILITY_LABELS,
    )


@bp.route("/traad/<id:thread_id>/kreds/<id:user_id>/fjern", methods=["GET", "POST"])
def remove_circle_member(thread_id: int, user_id: int) -> Page:
    """Ask to confirm (GET), then take a person out of the thread's circle (POST).

    Raises NotFound (404) for outsiders and people not in the circle, Forbidden (403) for
    members who may not manage the circle.
    """
    item = access_thread(current_user, thread_id)
    require(can_manage_circle(current_user, item))
    membership = db.session.get(CircleMember, (item.id, user_id))
    if membership is None:
        abort(404)
    person: User = membership.user
    if request.method == "POST":
        circle_service.remove_circle_member(_me(), item, person)
        flash(_("%(name)s is no longer in the circle.", name=person.name), "success")
        return redirect(url_for("threads.visibility", thread_id=item.id))
    return render_template("threads/remove_circle_member.html", thread=item, person=person)


# --- moderating threads ------------------------------------------------------------------


def _moderated_thread(thread_id: int) -> Thread:
    """Load a thread for a moderator action. Raises NotFound (404) or Forbidden (403)."""
    item = access_thread(current_user, thread_id)
    require(can_moderate(current_user))
    return item


def _move_form(thread: Thread, posted: bool = False) -> MoveForm:
    """Return the move form offering the themes a thread can go to: as posted, or with the
    current theme chosen."""
    form = MoveForm() if posted else MoveForm(formdata=None, data={"theme_id": thread.theme_id})
    themes = theme_service.listed_themes(_me())
    form.theme_id.choices = [
        SelectChoice(str(theme.id), theme.name)
        for theme in themes
        if not theme.is_archived or theme.id == thread.theme_id
    ]
    return form


def _render_moderate(
    thread: Thread, rename_form: RenameForm | None = None, move_form: MoveForm | None = None
) -> Page:
    """Render the facilitators' page of tools for one thread."""
    rename_form = rename_form or RenameForm(formdata=None, data={"title": thread.title})
    move_form = move_form or _move_form(thread)
    page = render_template(
        "threads/moderate.html",
        thread=thread,
        rename_form=rename_form,
        move_form=move_form,
        visibility_labels=VISIBILITY_LABELS,
    )
    refused = rename_form.errors or move_form.errors
    return (page, REFUSED) if refused else page


def _switch(name: str) -> bool | None:
    """Return the on/off switch a button posted under the name, or None if missing or odd."""
    return {"1": True, "0": False}.get(request.form.get(name, ""))


def _back_to_moderate(thread: Thread) -> Response:
    """Return to the thread's moderation page."""
    return redirect(url_for("threads.moderate", thread_id=thread.id))


@bp.get("/traad/<id:thread_id>/moderer")
def moderate(thread_id: int) -> Page:
    """Show a facilitator's tools for one thread. Raises NotFound (404) or Forbidden (403)."""
    return _render_moderate(_moderated_thread(thread_id))


@bp.post("/traad/<id:thread_id>/omdoeb")
def rename(thread_id: int) -> Page:
    """Give a thread a new title. Raises NotFound (404) or Forbidden (403)."""
    item = _moderated_thread(thread_id)
    form = RenameForm()
    if form.validate_on_submit():
        try:
            moderation_service.rename_thread(_me(), item, form.title.data or "")
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The thread is renamed."), "success")
            return _back_to_moderate(item)
    return _render_moderate(item, rename_form=form)


@bp.post("/traad/<id:thread_id>/flyt")
def move(thread_id: int) -> Page:
    """Move a thread to another theme. Raises NotFound (404) or Forbidden (403)."""
    item = _moderated_thread(thread_id)
    form = _move_form(item, posted=True)
    if form.validate_on_submit():
        target = access_theme(current_user, form.theme_id.data)
        try:
            moderation_service.move_thread(_me(), item, target)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The thread is now in %(theme)s.", theme=target.name), "success")
            return _back_to_moderate(item)
    return _render_moderate(item, move_form=form)


@bp.post("/traad/<id:thread_id>/fastgoer")
def pin(thread_id: int) -> Response:
    """Pin a thread to the top of its theme (`pinned=1`) or unpin it (`pinned=0`).

    Raises NotFound (404) or Forbidden (403).
    """
    item = _moderated_thread(thread_id)
    pinned = _switch("pinned")
    if pinned is None:
        flash(_("Choose whether to pin or unpin the thread."), "error")
    elif pinned != item.pinned:
        moderation_service.set_pinned(_me(), item, pinned)
        flash(_("The thread is pinned.") if pinned else _("The thread is unpinned."), "success")
    return _back_to_moderate(item)


@bp.post("/traad/<id:thread_id>/laas")
def lock(thread_id: int) -> Response:
    """Lock a thread against replies (`locked=1`) or unlock it (`locked=0`).

    Raises NotFound (404) or Forbidden (403).
    """
    item = _moderated_thread(thread_id)
    locked = _switch("locked")
    if locked is None:
        flash(_("Choose whether to lock or unlock the thread."), "error")
    elif locked != item.is_locked:
        moderation_service.set_locked(_me(), item, locked)
        flash(_("The thread is locked.") if locked else _("The thread is unlocked."), "success")
    return _back_to_moderate(item)


@bp.route("/traad/<id:thread_id>/skjul", methods=["GET", "POST"])
def hide_thread(thread_id: int) -> Page:
    """Ask for a reason (GET), then hide the whole thread from members (POST).

    Raises NotFound (404) or Forbidden (403).
    """
    item = _moderated_thread(thread_id)
    form = ReasonForm()
    if not item.is_hidden and form.validate_on_submit():
        try:
            moderation_service.hide_thread(_me(), item, form.reason.data or "")
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The thread is hidden from members."), "success")
            return redirect(url_for("threads.thread", thread_id=item.id))
    page = render_template("threads/hide_thread.html", thread=item, form=form)
    return page, _status(form)


@bp.post("/traad/<id:thread_id>/gendan")
def restore_thread(thread_id: int) -> Response:
    """Bring a hidden thread back for members. Raises NotFound (404) or Forbidden (403)."""
    item = _moderated_thread(thread_id)
    if item.is_hidden:
        moderation_service.restore_thread(_me(), item)
        flash(_("The thread is visible to members again."), "success")
    return redirect(url_for("threads.thread", thread_id=item.id))


# --- moderating and reporting posts ------------------------------------------------------


@bp.route("/indlaeg/<id:post_id>/skjul", methods=["GET", "POST"])
def hide_post(post_id: int) -> Page:
    """Ask for a reason (GET), then hide the post from members (POST), resolving its reports.

    With `?rapport=<id>` the page shows that report and returns to the moderation queue.
    Raises NotFound (404) or Forbidden (403).
    """
    item = access_post(current_user, post_id)
    require(can_moderate(current_user))
    report = None
    report_id = parse_id(request.args.get("rapport"))
    if report_id is not None:
        report = find_report(current_user, report_id)
        if report is not None and report.post_id != item.id:
            report = None
    form = ReasonForm()
    if not item.is_hidden and form.validate_on_submit():
        try:
            moderation_service.hide_post(_me(), item, form.reason.data or "")
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The post is hidden from members."), "success")
            if report is not None:
                return redirect(url_for("moderation.queue"))
            return _go_to_post(item)
    page = render_template(
        "threads/hide_post.html",
        post=item,
        thread=item.thread,
        form=form,
        report=report,
        number=thread_service.post_number(item),
    )
    return page, _status(form)


@bp.post("/indlaeg/<id:post_id>/gendan")
def restore_post(post_id: int) -> Response:
    """Bring a hidden post back for members. Raises NotFound (404) or Forbidden (403)."""
    item = access_post(current_user, post_id)
    require(can_moderate(current_user))
    if item.is_hidden:
        moderation_service.restore_post(_me(), item)
        flash(_("The post is visible to members again."), "success")
    return _go_to_post(item)


@bp.route("/indlaeg/<id:post_id>/rapporter", methods=["GET", "POST"])
def report_post(post_id: int) -> Page:
    """Report someone else's post to the facilitators, with a reason.

    Raises NotFound (404), or Forbidden (403) for one's own, hidden or withdrawn posts.
    """
    item = access_post(current_user, post_id)
    require(can_report(current_user, item))
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            moderation_service.report_post(_me(), item, form.reason.data or "")
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("Thank you — a facilitator will look at it."), "success")
            return _go_to_post(item)
    page = render_template(
        "threads/report_post.html",
        post=item,
        thread=item.thread,
        form=form,
        number=thread_service.post_number(item),
    )
    return page, _status(form)


# --- text kept when the session ended (forum/kept.py) ------------------------------------


def _thread_page(arguments: Mapping[str, Any]) -> str:
    """Return the address of the thread page whose reply form posts with the arguments."""
    return url_for("threads.thread", thread_id=arguments["thread_id"])


kept.keep("threads.reply", ReplyForm, shown=("body",), carried=("resource_id",), page=_thread_page)
kept.keep(
    "threads.new_thread",
    ThreadForm,
    shown=("title", "body"),
    carried=("resource_id", "visibility", "circle", "seen_similar"),
    page=lambda arguments: url_for("threads.new_thread", **arguments),
)
kept.keep(
    "threads.edit_post",
    EditPostForm,
    shown=("body",),
    carried=("resource_id",),
    page=lambda arguments: url_for("threads.edit_post", **arguments),
)
