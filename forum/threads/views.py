"""Views of the threads blueprint: theme pages, threads, replies, edits and withdrawals."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from forum.forms import REFUSED, attach_error
from forum.models import Post, Thread, User
from forum.permissions import (
    access_post,
    access_theme,
    access_thread,
    can_edit_post,
    can_reply,
    can_start_thread,
    can_view_revisions,
    can_withdraw_post,
    require,
)
from forum.services import ServiceError
from forum.services import threads as thread_service
from forum.threads import bp
from forum.threads.forms import EditPostForm, ReplyForm, ThreadForm

# Largest id a route accepts: beyond it a database integer overflows, so answer 404 instead.
PAGE_RE = re.compile(r"[1-9][0-9]{0,8}")
# Page links shown either side of the current page before the list is cut with a gap.
PAGE_WINDOW = 2
# Status of a page re-rendered because its form was refused (as in the auth views).

Page = str | tuple[str, int] | Response


def _me() -> User:
    """Return the logged-in person as a model object (not the proxy)."""
    return current_user._get_current_object()


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
        side=thread_service.page_of(post.position),
        _anchor=f"post-{post.id}",
    )


def _render_thread(thread: Thread, page: int, form: ReplyForm) -> str:
    """Render one page of a thread with its reply form. Raises NotFound (404) past the end."""
    pages = thread_service.page_count(thread)
    if page > pages:
        abort(404)
    return render_template(
        "threads/thread.html",
        thread=thread,
        theme=thread.theme,
        posts=thread_service.thread_page_posts(_me(), thread, page),
        page=page,
        pages=pages,
        page_links=_page_links(page, pages),
        form=form,
        may_reply=can_reply(current_user, thread),
    )


@bp.get("/tema/<id:theme_id>")
def theme(theme_id: int) -> str:
    """Show a theme's threads by latest activity, one keyset page at a time. Raises NotFound."""
    item = access_theme(current_user, theme_id)
    after = thread_service.ThreadCursor.decode(request.args.get("efter"))
    threads, next_cursor = thread_service.theme_threads(_me(), item, after)
    return render_template(
        "threads/theme.html",
        theme=item,
        threads=threads,
        next_cursor=next_cursor,
        is_first_page=after is None,
        may_start=can_start_thread(current_user, item),
    )


@bp.route("/tema/<id:theme_id>/ny", methods=["GET", "POST"])
def new_thread(theme_id: int) -> Page:
    """Start a thread in a theme. Raises NotFound (404), or Forbidden (403) when archived."""
    item = access_theme(current_user, theme_id)
    require(can_start_thread(current_user, item))
    form = ThreadForm()
    if form.validate_on_submit():
        try:
            thread = thread_service.create_thread(_me(), item, form.title.data, form.body.data)
        except ServiceError as error:
            attach_error(form, error)
        else:
            return redirect(url_for("threads.thread", thread_id=thread.id))
    page = render_template("threads/new_thread.html", theme=item, form=form)
    return (page, REFUSED) if form.is_submitted() else page


@bp.get("/traad/<id:thread_id>")
def thread(thread_id: int) -> str:
    """Show one page of a thread (`?side=N`). Raises NotFound (404) for a missing page."""
    item = access_thread(current_user, thread_id)
    return _render_thread(item, _requested_page(), ReplyForm())


@bp.post("/traad/<id:thread_id>/svar")
def reply(thread_id: int) -> Page:
    """Add a reply and go to it; on bad input show the last page with the text kept.

    Raises NotFound (404), or Forbidden (403) when the thread is read-only.
    """
    item = access_thread(current_user, thread_id)
    require(can_reply(current_user, item))
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            post = thread_service.reply(_me(), item, form.body.data)
        except ServiceError as error:
            attach_error(form, error)
        else:
            return redirect(_post_target(post))
    return _render_thread(item, thread_service.page_count(item), form), REFUSED


@bp.get("/indlaeg/<id:post_id>")
def post(post_id: int) -> Response:
    """Send a post's permalink to the thread page showing it. Raises NotFound (404)."""
    item = access_post(current_user, post_id)
    return redirect(_post_target(item))


@bp.route("/indlaeg/<id:post_id>/rediger", methods=["GET", "POST"])
def edit_post(post_id: int) -> Page:
    """Edit one's own post, keeping the earlier version. Raises NotFound or Forbidden (403)."""
    item = access_post(current_user, post_id)
    require(can_edit_post(current_user, item))
    form = EditPostForm()
    if request.method == "GET":
        form.body.data = item.body_md
    if form.validate_on_submit():
        try:
            thread_service.edit_post(_me(), item, form.body.data)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("Your post was saved."), "success")
            return redirect(_post_target(item))
    page = render_template("threads/edit_post.html", post=item, thread=item.thread, form=form)
    return (page, REFUSED) if form.is_submitted() else page


@bp.route("/indlaeg/<id:post_id>/traek-tilbage", methods=["GET", "POST"])
def withdraw_post(post_id: int) -> Page:
    """Ask to confirm (GET), then withdraw one's own post (POST). Raises NotFound or Forbidden."""
    item = access_post(current_user, post_id)
    require(can_withdraw_post(current_user, item))
    if request.method == "POST":
        thread_service.withdraw_post(_me(), item)
        flash(_("Your post was withdrawn."), "success")
        return redirect(_post_target(item))
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
    )
