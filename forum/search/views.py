"""Search views: thin; the search service does the work and the gates decide what shows."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from forum.forms import REFUSED, parse_id
from forum.models import SearchKind
from forum.permissions import me
from forum.search import bp
from forum.search.forms import GROUP_LABELS, SearchForm
from forum.services import search as search_service
from forum.services import themes as theme_service
from forum.services.accounts import REGIONS
from forum.services.search_text import parse

Page = str | tuple[str, int]

KIND_LABELS = {
    SearchKind.THREAD: _l("Thread"),
    SearchKind.POST: _l("Reply"),
    SearchKind.COMMITMENT: _l("Commitment"),
    SearchKind.LOG_ENTRY: _l("Update on a commitment"),
    SearchKind.COMMENT: _l("Comment on a commitment"),
    SearchKind.RESOURCE: _l("Resource"),
    SearchKind.MEETING: _l("Meeting"),
}


def _filters(form: SearchForm) -> search_service.Filters:
    """Return the valid filters of the form; a refused field narrows nothing."""

    def valid(field: Any) -> Any:  # a field's data has the type its coerce gives
        return None if field.errors or field.data in ("", None) else field.data

    return search_service.Filters(
        group=valid(form.type),
        theme_id=valid(form.tema),
        author_id=valid(form.forfatter),
        library=valid(form.bibliotek),
        sdg=valid(form.maal),
        date_from=valid(form.fra),
        date_to=valid(form.til),
    )


@bp.get("/soeg")
def results() -> Page:
    """Show what the reader may see that matches the query, a page at a time (`?side=`),
    narrowed by kind, theme, author, library, goal and dates; tips when there is no query."""
    viewer = me()
    form = SearchForm(formdata=request.args)
    people, libraries = search_service.people_and_libraries(viewer)
    form.set_choices(
        [(theme.id, theme.name) for theme in theme_service.listed_themes(viewer)],
        people,
        libraries,
    )
    refused = not form.validate()
    query = parse(form.q.data or "")
    filters = _filters(form)
    page = parse_id(request.args.get("side")) or 1
    results = search_service.search(viewer, query, filters, page) if query.is_searchable else None
    # Only the form's own fields go into the page's links (see library.index).
    kept = {f.name: request.args[f.name] for f in form if request.args.get(f.name)}
    narrowed = {name: value for name, value in kept.items() if name not in ("q", "type")}
    body = render_template(
        "search/results.html",
        form=form,
        query=query,
        typed=form.q.data or "",
        results=results,
        filters=filters,
        kept=kept,
        all_kinds={name: value for name, value in kept.items() if name != "type"},
        narrowed=bool(narrowed),
        group_labels=GROUP_LABELS,
        kind_labels=KIND_LABELS,
        regions=REGIONS,
    )
    return (body, REFUSED) if refused else body


@bp.get("/soeg/lignende")
def similar() -> Response:
    """Return, as JSON, the threads the reader may see whose titles resemble `titel` (for the
    new-thread form while the title is typed; the form shows the same list without scripts)."""
    title = (request.args.get("titel") or "")[:200]
    found = search_service.similar_threads(me(), title)
    return jsonify(
        [
            {
                "title": thread.title.striptags(),
                "url": url_for("threads.thread", thread_id=thread.thread_id),
                "posts": thread.post_count,
            }
            for thread in found
        ]
    )
