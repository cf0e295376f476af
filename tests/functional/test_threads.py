"""Themes, threads and posts as members use them: start, read, reply, edit, withdraw, page."""

from __future__ import annotations

import re

import pytest

from forum.extensions import db
from forum.models import Post, Thread, utcnow
from forum.services import ServiceError
from forum.services import moderation as moderation_service
from forum.services import threads as thread_service
from tests import factories
from tests.text import da, da_n, text

THREAD_LINK = re.compile(r'href="/traad/(\d+)"')


def many_posts(author, other, theme, count: int) -> Thread:
    """Build a thread with `count` posts, alternating between two authors."""
    thread = factories.thread(author, theme, title="Lang tråd", body="Indlæg 1")
    for number in range(2, count + 1):
        factories.reply(other if number % 2 else author, thread, body=f"Indlæg {number}")
    return thread


def item_for(page: str, title: str) -> str:
    """Return the list item of a thread list that holds the title."""
    return next(item for item in page.split("<li") if title in item)


def post_at(thread: Thread, position: int) -> Post:
    return db.session.scalar(
        db.select(Post).where(Post.thread_id == thread.id, Post.position == position)
    )


# --- starting threads ----------------------------------------------------------------------


def test_theme_page_offers_to_start_a_thread(client, login_as, member, theme):
    theme.description = "Mål for bæredygtighed"
    db.session.commit()
    login_as(member)
    page = text(client.get(f"/tema/{theme.id}"))
    assert "<h1>Målsætning</h1>" in page
    assert "Mål for bæredygtighed" in page
    assert f'href="/tema/{theme.id}/ny"' in page
    assert da("No threads in this theme yet.") in page


def test_start_a_thread_with_markdown(client, login_as, member, theme):
    login_as(member)
    form = text(client.get(f"/tema/{theme.id}/ny"))
    assert '<label for="title">' in form
    assert '<label for="body">' in form
    assert "Markdown" in form

    response = client.submit(
        f"/tema/{theme.id}/ny",
        {"title": "Affaldssortering", "body": "# Plan\n\n**Vigtigt**: se https://example.org"},
    )

    thread = db.session.scalar(db.select(Thread).where(Thread.title == "Affaldssortering"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/traad/{thread.id}"
    page = text(client.get(f"/traad/{thread.id}"))
    assert "<h1>Affaldssortering</h1>" in page
    assert "<h2>Plan</h2>" in page
    assert "<strong>Vigtigt</strong>" in page
    assert '<a href="https://example.org" rel="nofollow noopener">' in page
    assert "Mette Medlem" in page
    assert f'href="/tema/{theme.id}"' in page  # breadcrumb back to the theme


def test_thread_html_is_sanitised_on_the_page(client, login_as, member, other_member, theme):
    other_member.name = "<img src=x onerror=alert(3)>"
    theme.description = "<script>alert(4)</script>"
    db.session.commit()
    login_as(member)
    client.submit(
        f"/tema/{theme.id}/ny",
        {
            "title": "<script>alert(1)</script>",
            "body": "<script>alert(2)</script>[x](javascript:y)",
        },
    )
    thread = db.session.scalar(db.select(Thread))
    factories.reply(other_member, thread, body="<img src=x onerror=alert(5)>")
    for url in (f"/traad/{thread.id}", f"/tema/{theme.id}", "/"):
        page = text(client.get(url))
        assert "<script>alert" not in page
        assert "<img" not in page
        assert "javascript:" not in page
        assert "&lt;img src=x onerror=alert(3)&gt;" in page  # the name, shown as typed
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text(client.get(f"/traad/{thread.id}"))


@pytest.mark.parametrize(
    ("data", "message", "kept"),
    [
        (
            {"title": "", "body": "Min vigtige tekst"},
            "Give the thread a title.",
            "Min vigtige tekst",
        ),
        (
            {"title": "   ", "body": "Min vigtige tekst"},
            "Give the thread a title.",
            "Min vigtige tekst",
        ),
        ({"title": "Min titel", "body": ""}, "Write something first.", 'value="Min titel"'),
        ({"title": "Min titel", "body": " \n "}, "Write something first.", 'value="Min titel"'),
        ({"title": "x" * 201, "body": "Min tekst"}, "The title is too long.", "Min tekst"),
    ],
)
def test_refused_thread_keeps_what_was_typed(client, login_as, member, theme, data, message, kept):
    login_as(member)
    response = client.submit(f"/tema/{theme.id}/ny", data)
    page = text(response)
    assert response.status_code == 422
    assert da(message) in page
    assert kept in page
    assert 'aria-invalid="true"' in page
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == 0


def test_new_thread_without_csrf_token_is_refused(client, login_as, member, theme):
    login_as(member)
    response = client.post(f"/tema/{theme.id}/ny", data={"title": "T", "body": "B"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == 0


# --- replying ------------------------------------------------------------------------------


def test_reply_goes_to_the_new_post(client, login_as, member, other_member, theme):
    thread = factories.thread(member, theme, title="Cykelparkering")
    login_as(other_member)
    assert 'id="reply-heading"' in text(client.get(f"/traad/{thread.id}"))

    response = client.submit(f"/traad/{thread.id}/svar", {"body": "Godt *forslag*"})

    post = post_at(thread, 2)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/traad/{thread.id}?side=1#post-{post.id}"
    page = text(client.get(f"/traad/{thread.id}"))
    assert f'<article id="post-{post.id}"' in page
    assert "Godt <em>forslag</em>" in page
    assert f'href="/medlemmer/{other_member.id}"' in page
    assert f'href="/indlaeg/{post.id}"' in page  # permalink
    assert "<time datetime=" in page


def test_empty_reply_shows_the_last_page_with_the_error(
    client, login_as, member, other_member, theme
):
    thread = many_posts(member, other_member, theme, 25)
    login_as(member)

    response = client.submit(f"/traad/{thread.id}/svar", {"body": "  \n  "})

    page = text(response)
    assert response.status_code == 422
    assert da("Write something first.") in page
    assert f'id="post-{post_at(thread, 25).id}"' in page  # the last page
    assert f'id="post-{post_at(thread, 1).id}"' not in page
    assert db.session.get(Thread, thread.id).post_count == 25


def test_too_long_reply_keeps_the_text(client, login_as, member, theme):
    thread = factories.thread(member, theme)
    login_as(member)
    body = "Langt svar " + "x" * 50_000
    response = client.submit(f"/traad/{thread.id}/svar", {"body": body})
    assert response.status_code == 422
    assert da("The text is too long.") in text(response)
    assert body in text(response)


# --- editing -------------------------------------------------------------------------------


def test_edit_marks_the_post_and_keeps_the_old_version(
    client, login_as, switch_to, member, other_member, facilitator, theme
):
    thread = factories.thread(member, theme, body="Første udgave")
    post = post_at(thread, 1)
    login_as(member)
    form = text(client.get(f"/indlaeg/{post.id}/rediger"))
    assert "Første udgave</textarea>" in form

    response = client.submit(f"/indlaeg/{post.id}/rediger", {"body": "Anden udgave"})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/traad/{thread.id}?side=1#post-{post.id}"
    page = text(client.get(f"/traad/{thread.id}"))
    assert "Anden udgave" in page
    assert "Første udgave" not in page
    assert da("edited") in page
    assert f'href="/indlaeg/{post.id}/versioner"' in page
    versions = text(client.get(f"/indlaeg/{post.id}/versioner"))
    assert "Første udgave" in versions
    assert "Anden udgave" in versions
    assert "Mette Medlem" in versions

    switch_to(facilitator)
    assert "Første udgave" in text(client.get(f"/indlaeg/{post.id}/versioner"))

    switch_to(other_member)
    page = text(client.get(f"/traad/{thread.id}"))
    assert f'<span class="post-edited">{da("edited")}</span>' in page
    assert f'href="/indlaeg/{post.id}/versioner"' not in page
    assert client.get(f"/indlaeg/{post.id}/versioner").status_code == 403


def test_unedited_post_has_no_marker(client, login_as, member, theme):
    thread = factories.thread(member, theme)
    login_as(member)
    page = text(client.get(f"/traad/{thread.id}"))
    assert f">{da('edited')}<" not in page
    assert "/versioner" not in page


def test_empty_edit_is_refused(client, login_as, member, theme):
    thread = factories.thread(member, theme, body="Bliver stående")
    post = post_at(thread, 1)
    login_as(member)
    response = client.submit(f"/indlaeg/{post.id}/rediger", {"body": ""})
    assert response.status_code == 422
    assert da("Write something first.") in text(response)
    assert db.session.get(Post, post.id).body_md == "Bliver stående"


def test_other_members_cannot_edit_or_withdraw(client, login_as, member, other_member, theme):
    thread = factories.thread(member, theme, body="Mit indlæg")
    post = post_at(thread, 1)
    login_as(other_member)
    page = text(client.get(f"/traad/{thread.id}"))
    assert f"/indlaeg/{post.id}/rediger" not in page
    assert f"/indlaeg/{post.id}/traek-tilbage" not in page
    assert client.get(f"/indlaeg/{post.id}/rediger").status_code == 403
    assert client.submit(f"/indlaeg/{post.id}/rediger", {"body": "Hacked"}).status_code == 403
    assert client.get(f"/indlaeg/{post.id}/traek-tilbage").status_code == 403
    assert client.submit(f"/indlaeg/{post.id}/traek-tilbage").status_code == 403
    db.session.expire_all()
    post = db.session.get(Post, post.id)
    assert post.body_md == "Mit indlæg"
    assert post.withdrawn_at is None


def test_facilitators_may_open_the_editor_on_someone_elses_post(
    client, login_as, member, facilitator, theme
):
    thread = factories.thread(member, theme)
    login_as(facilitator)
    post = post_at(thread, 1)
    assert client.get(f"/indlaeg/{post.id}/rediger").status_code == 200


# --- withdrawing ---------------------------------------------------------------------------


def test_withdraw_asks_first_then_hides_the_text_from_members(
    client, login_as, switch_to, member, other_member, facilitator, theme
):
    thread = factories.thread(member, theme, body="Hemmelig plan")
    post = post_at(thread, 1)
    login_as(member)
    assert f'href="/indlaeg/{post.id}/traek-tilbage"' in text(client.get(f"/traad/{thread.id}"))

    confirm = client.get(f"/indlaeg/{post.id}/traek-tilbage")
    assert confirm.status_code == 200
    assert 'method="post"' in text(confirm)
    assert "Hemmelig plan" in text(confirm)
    assert db.session.get(Post, post.id).withdrawn_at is None  # GET changes nothing

    response = client.submit(f"/indlaeg/{post.id}/traek-tilbage")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/traad/{thread.id}?side=1#post-{post.id}"
    page = text(client.get(f"/traad/{thread.id}"))
    assert da("This post was withdrawn by its author.") in page
    assert "Hemmelig plan" not in page
    assert client.get(f"/indlaeg/{post.id}/rediger").status_code == 403
    assert client.get(f"/indlaeg/{post.id}/traek-tilbage").status_code == 403
    assert "Hemmelig plan" not in text(client.get(f"/indlaeg/{post.id}/versioner"))

    switch_to(other_member)
    page = text(client.get(f"/traad/{thread.id}"))
    assert da("This post was withdrawn by its author.") in page
    assert "Hemmelig plan" not in page

    switch_to(facilitator)
    page = text(client.get(f"/traad/{thread.id}"))
    assert da("This post was withdrawn by its author.") in page
    assert "Hemmelig plan" in page


# --- pages and permalinks ------------------------------------------------------------------


def test_permalink_lands_on_the_right_page(client, login_as, member, other_member, theme):
    thread = many_posts(member, other_member, theme, 25)
    post = post_at(thread, 25)
    login_as(member)

    response = client.get(f"/indlaeg/{post.id}")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/traad/{thread.id}?side=2#post-{post.id}"
    assert f'<article id="post-{post.id}"' in text(client.get(f"/traad/{thread.id}?side=2"))
    assert f'id="post-{post.id}"' not in text(client.get(f"/traad/{thread.id}"))
    first = post_at(thread, 1)
    assert (
        client.get(f"/indlaeg/{first.id}").headers["Location"].endswith(f"?side=1#post-{first.id}")
    )


def test_pages_of_twenty_posts(client, login_as, member, other_member, theme):
    thread = many_posts(member, other_member, theme, 21)
    login_as(member)

    first = text(client.get(f"/traad/{thread.id}"))
    second = client.get(f"/traad/{thread.id}?side=2")

    assert first.count("<article id=") == 20
    assert second.status_code == 200
    assert text(second).count("<article id=") == 1
    assert 'class="pagination" aria-label=' in first
    assert f'href="/traad/{thread.id}?side=2"' in first
    assert 'aria-current="page"' in first
    assert f'href="/traad/{thread.id}?side=1"' in text(second)


PERMALINK_NUMBER = re.compile(r'class="permalink">#(\d+)')


def numbers(page: str) -> list[int]:
    """Return the post numbers a thread page shows, in order."""
    return [int(number) for number in PERMALINK_NUMBER.findall(page)]


@pytest.fixture
def thinned(member, other_member, facilitator, theme):
    """A thread of 23 posts of which a facilitator hid #3 (Ole's) and #10 (Mette's)."""
    thread = many_posts(member, other_member, theme, 23)
    for position in (3, 10):
        moderation_service.hide_post(facilitator, post_at(thread, position), "Uden for emnet")
    db.session.expire_all()
    return thread


def test_hidden_posts_leave_no_gap_in_numbers_counts_or_pages(client, login_as, theme, thinned):
    reader = factories.user(name="Rikke Læser")
    login_as(reader)

    first = text(client.get(f"/traad/{thinned.id}"))
    second = text(client.get(f"/traad/{thinned.id}?side=2"))

    assert numbers(first) == list(range(1, 21))
    assert first.count("<article id=") == 20
    assert numbers(second) == [21]
    assert da_n("%(num)d post", "%(num)d posts", 21) in first
    assert client.get(f"/traad/{thinned.id}?side=3").status_code == 404
    listing = item_for(text(client.get(f"/tema/{theme.id}")), "Lang tråd")
    assert da_n("%(num)d reply", "%(num)d replies", 20) in listing
    home = item_for(text(client.get("/")), "Lang tråd")
    assert da_n("%(num)d reply", "%(num)d replies", 20) in home
    # Permalinks follow the numbers the reader sees: the 23rd post written is the 21st shown.
    last, twenty_second = post_at(thinned, 23), post_at(thinned, 22)
    assert client.get(f"/indlaeg/{last.id}").headers["Location"] == (
        f"/traad/{thinned.id}?side=2#post-{last.id}"
    )
    assert client.get(f"/indlaeg/{twenty_second.id}").headers["Location"] == (
        f"/traad/{thinned.id}?side=1#post-{twenty_second.id}"
    )
    assert f'id="post-{twenty_second.id}"' in first
    assert f'id="post-{post_at(thinned, 3).id}"' not in first + second
    assert client.get(f"/indlaeg/{post_at(thinned, 3).id}").status_code == 404


def test_who_sees_a_hidden_post_sees_it_unnumbered_among_the_same_numbers(
    client, login_as, switch_to, member, facilitator, thinned
):
    hidden = post_at(thinned, 10)  # Mette's
    for person in (facilitator, member):
        switch_to(person) if person is member else login_as(person)

        page = text(client.get(f"/traad/{thinned.id}"))

        assert numbers(page) == list(range(1, 21)), person.name
        assert f'id="post-{hidden.id}"' in page
        # Where it was written: after the 9th post (shown as #8, #3 being hidden too), before
        # the 11th (#9).
        assert page.index('class="permalink">#8<') < page.index(f'id="post-{hidden.id}"')
        assert page.index(f'id="post-{hidden.id}"') < page.index('class="permalink">#9<')
        assert client.get(f"/indlaeg/{hidden.id}").headers["Location"] == (
            f"/traad/{thinned.id}?side=1#post-{hidden.id}"
        )
        assert da_n("%(num)d post", "%(num)d posts", 21) in page
    switch_to(facilitator)
    page = text(client.get(f"/traad/{thinned.id}"))
    assert f'id="post-{post_at(thinned, 3).id}"' in page
    assert da_n("%(num)d hidden", "%(num)d hidden", 2) in page


def test_short_thread_has_no_pagination(client, login_as, member, theme):
    thread = factories.thread(member, theme)
    login_as(member)
    assert 'class="pagination"' not in text(client.get(f"/traad/{thread.id}"))


@pytest.mark.parametrize("side", ["99", "3", "0", "-1", "abc", "", "1.5", "2 ", "１"])
def test_pages_out_of_range_or_malformed_are_not_found(
    client, login_as, member, other_member, theme, side
):
    # Decision: a malformed page number is a 404, like a page past the end.
    thread = many_posts(member, other_member, theme, 21)
    login_as(member)
    assert client.get(f"/traad/{thread.id}", query_string={"side": side}).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/tema/999999",
        "/tema/999999/ny",
        "/traad/999999",
        "/indlaeg/999999",
        "/indlaeg/999999/rediger",
        "/indlaeg/999999/traek-tilbage",
        "/indlaeg/999999/versioner",
        "/traad/99999999999999999999999999",
        "/tema/99999999999999999999999999",
        "/indlaeg/99999999999999999999999999",
    ],
)
def test_missing_things_are_not_found(client, login_as, member, url):
    login_as(member)
    assert client.get(url).status_code == 404


def test_reply_to_missing_thread_is_not_found(client, login_as, member):
    login_as(member)
    assert client.submit("/traad/999999/svar", {"body": "Hej"}).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, member, theme):
    thread = factories.thread(member, theme)
    post = post_at(thread, 1)
    for url in (f"/tema/{theme.id}", f"/traad/{thread.id}", f"/indlaeg/{post.id}"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


# --- archived themes -----------------------------------------------------------------------


def test_archived_theme_is_read_only(client, login_as, member, theme):
    thread = factories.thread(member, theme, body="Gammel snak")
    theme.archived_at = utcnow()
    db.session.commit()
    login_as(member)

    theme_page = text(client.get(f"/tema/{theme.id}"))
    assert (
        da(
            "This theme is archived. Its threads can be read, but no new threads or replies "
            "can be written."
        )
        in theme_page
    )
    assert f"/tema/{theme.id}/ny" not in theme_page
    assert client.get(f"/tema/{theme.id}/ny").status_code == 403
    response = client.submit(f"/tema/{theme.id}/ny", {"title": "Ny", "body": "Tekst"})
    assert response.status_code == 403

    thread_page = text(client.get(f"/traad/{thread.id}"))
    assert "Gammel snak" in thread_page
    assert da("This theme is archived. Its threads can be read but not answered.") in thread_page
    assert 'id="reply-heading"' not in thread_page
    assert client.submit(f"/traad/{thread.id}/svar", {"body": "Hej"}).status_code == 403
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == 1


# --- home page and theme lists -------------------------------------------------------------


def test_home_lists_recent_threads_and_themes_with_counts(
    client, login_as, member, other_member, theme
):
    other_theme = factories.theme(name="Partnerskaber", description="Samarbejde med andre")
    factories.theme(name="Tomt tema")
    first = factories.thread(member, theme, title="Madspild i kantinen")
    factories.thread(member, theme, title="Solceller på taget")
    factories.reply(other_member, first, body="Godt spørgsmål")
    factories.thread(other_member, other_theme, title="Fælles indkøb")
    login_as(member)

    page = text(client.get("/"))

    assert f'href="/traad/{first.id}"' in page
    assert "Madspild i kantinen" in page
    assert "Fælles indkøb" in page
    madspild = item_for(page, "Madspild i kantinen")
    assert da_n("%(num)d reply", "%(num)d replies", 1) in madspild
    assert "Ole Andersen" in madspild  # the last poster
    assert f'href="/tema/{theme.id}"' in madspild
    assert f'href="/tema/{theme.id}"' in page
    assert f'href="/tema/{other_theme.id}"' in page
    assert "Samarbejde med andre" in page
    themes = page.split('id="themes-heading"')[1]
    assert da_n("%(num)d thread", "%(num)d threads", 2) in item_for(themes, "Målsætning</a>")
    assert da_n("%(num)d thread", "%(num)d threads", 1) in item_for(themes, "Partnerskaber</a>")
    assert da_n("%(num)d thread", "%(num)d threads", 0) in item_for(themes, "Tomt tema</a>")
    # Latest activity first: the thread with the newest reply leads.
    assert page.index("Madspild i kantinen") < page.index("Solceller på taget")


def test_theme_lists_threads_by_latest_activity(client, login_as, member, other_member, theme):
    old = factories.thread(member, theme, title="Gammel tråd")
    factories.thread(member, theme, title="Nyere tråd")
    factories.reply(other_member, old, body="Liv i den gamle")
    login_as(member)

    page = text(client.get(f"/tema/{theme.id}"))

    assert page.index("Gammel tråd") < page.index("Nyere tråd")
    old_item = item_for(page, "Gammel tråd")
    assert da("Started by %(name)s", name="Mette Medlem") in old_item
    assert "Ole Andersen" in old_item  # the last poster
    assert da_n("%(num)d reply", "%(num)d replies", 1) in old_item
    assert da_n("%(num)d reply", "%(num)d replies", 0) in item_for(page, "Nyere tråd")


def test_theme_pages_by_key_without_duplicates(client, login_as, member, other_member, theme):
    for number in range(30):
        factories.thread(member if number % 2 else other_member, theme, title=f"Tråd {number}")
    login_as(member)

    first = text(client.get(f"/tema/{theme.id}"))
    older_link = re.search(r'href="(/tema/\d+\?efter=[^"]+)" rel="next"', first)
    assert older_link is not None
    second = text(client.get(older_link.group(1).replace("&amp;", "&")))

    first_ids = THREAD_LINK.findall(first)
    second_ids = THREAD_LINK.findall(second)
    assert len(first_ids) == 25
    assert len(second_ids) == 5
    assert set(first_ids).isdisjoint(second_ids)
    assert len(set(first_ids) | set(second_ids)) == 30
    assert 'rel="next"' not in second
    assert f'href="/tema/{theme.id}"' in second  # back to the newest


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "_",
        "2024-01-01T00:00:00_x",
        "x_99999999999999999999999",
        "9999-12-31T23:59:59_99999999999999999999999",
        "9999-12-31T23:59:59+05:00_1",
        "9999-12-31T23:59:59_-1",
        "0001-01-01T00:00:00+05:00_1",
    ],
)
def test_malformed_cursor_shows_the_first_page(client, login_as, member, theme, cursor):
    factories.thread(member, theme, title="Den eneste")
    login_as(member)
    response = client.get(f"/tema/{theme.id}", query_string={"efter": cursor})
    assert response.status_code == 200
    assert "Den eneste" in text(response)


@pytest.mark.parametrize(
    ("page", "pages", "links"),
    [
        (1, 1, [1]),
        (1, 2, [1, 2]),
        (1, 15, [1, 2, 3, None, 15]),
        (8, 15, [1, None, 6, 7, 8, 9, 10, None, 15]),
        (15, 15, [1, None, 13, 14, 15]),
        (4, 15, [1, 2, 3, 4, 5, 6, None, 15]),
    ],
)
def test_long_threads_link_to_nearby_pages_with_gaps(page, pages, links):
    from forum.threads.views import _page_links

    assert _page_links(page, pages) == links


# --- refusals from the services ------------------------------------------------------------


def refuse(message: str, field: str | None):
    """Return a stand-in service verb that refuses with the message."""

    def _refuse(*args, **kwargs):
        raise ServiceError(message, field=field)

    return _refuse


@pytest.mark.parametrize("field", ["body", None])
def test_service_refusals_are_shown_with_the_text_kept(
    client, login_as, member, theme, monkeypatch, field
):
    thread = factories.thread(member, theme)
    post = post_at(thread, 1)
    login_as(member)
    for verb in ("create_thread", "reply", "edit_post"):
        monkeypatch.setattr(thread_service, verb, refuse("Tjek teksten <b>her</b>", field))
    attempts = [
        (f"/tema/{theme.id}/ny", {"title": "Min titel", "body": "Mit udkast"}),
        (f"/traad/{thread.id}/svar", {"body": "Mit udkast"}),
        (f"/indlaeg/{post.id}/rediger", {"body": "Mit udkast"}),
    ]
    for url, data in attempts:
        response = client.submit(url, data)
        page = text(response)
        assert response.status_code == 422, url
        assert "Tjek teksten &lt;b&gt;her&lt;/b&gt;" in page
        assert "Mit udkast</textarea>" in page
        if field:
            assert 'id="body-error"' in page
