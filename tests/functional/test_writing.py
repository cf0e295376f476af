"""Writing in threads: the reply box, previews, quoting, the Markdown help, confirmations
shown where the page lands, and a text sent after the session ended kept for its writer."""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta

import pytest

from forum.extensions import db
from forum.models import Post, Thread
from forum.services import accounts as account_service
from forum.services import actions as action_service
from forum.services import meetings as meeting_service
from forum.services import moderation as moderation_service
from forum.services import threads as thread_service
from forum.services.meetings import MeetingDetails
from tests import factories
from tests.text import da, text

# The site's own address as the test client sends requests to it.
OWN_ORIGIN = {"Origin": "http://localhost"}
PREVIEW_RE = re.compile(
    r'<section class="preview".*?<div class="post-body">(.*?)</div>\s*</article>', re.S
)
KEPT_RE = re.compile(r'name="kept" value="([^"]*)"')


def textarea(page: str, name: str = "body") -> str:
    """Return the text a textarea of the page starts with, unescaped."""
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', page, re.S)
    assert match, f"no textarea {name}"
    return html.unescape(match.group(1))


def post_article(page: str, post: Post) -> str:
    """Return the HTML of the post's article on a thread page."""
    start = page.index(f'<article id="post-{post.id}"')
    return page[start : page.index("</article>", start)]


def last_post(thread: Thread) -> Post:
    return db.session.scalars(
        db.select(Post).where(Post.thread_id == thread.id).order_by(Post.position.desc())
    ).first()


def post_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Post))


@pytest.fixture
def thread(member, other_member, theme):
    item = factories.thread(
        other_member, theme, title="Affald", body="Vi sorterer nu i 7 fraktioner."
    )
    return item


# --- the reply box -------------------------------------------------------------------------


def test_the_top_of_a_thread_links_to_the_reply_box(client, login_as, member, thread):
    login_as(member)
    page = text(client.get(f"/traad/{thread.id}"))
    link = page.index('href="#svar"')
    assert link < page.index('<div class="posts">')  # above the posts, next to the title
    section = page[page.index('<section id="svar"') :]
    assert "<textarea" in section and 'name="body"' in section
    assert f'action="/traad/{thread.id}/svar#svar"' in section


def test_a_locked_thread_has_no_reply_link(client, login_as, member, facilitator, thread):
    moderation_service.set_locked(facilitator, thread, True)
    db.session.commit()
    login_as(member)
    page = text(client.get(f"/traad/{thread.id}"))
    assert 'href="#svar"' not in page
    assert da("This thread is locked: no new replies can be written.") in page


# --- preview -------------------------------------------------------------------------------


def test_preview_of_a_reply_shows_it_rendered_and_posts_nothing(client, login_as, member, thread):
    login_as(member)
    before = post_count()
    response = client.submit(
        f"/traad/{thread.id}/svar", {"body": "Vi prøver **også** det", "preview": "1"}
    )
    page = text(response)
    assert response.status_code == 200
    assert da("Preview") in page
    assert "<strong>også</strong>" in PREVIEW_RE.search(page).group(1)
    assert textarea(page) == "Vi prøver **også** det"  # the text stays in the form
    assert post_count() == before


def test_preview_renders_exactly_as_the_posted_reply(client, login_as, member, thread):
    login_as(member)
    body = (
        "## Plan\n\nSe https://example.org og spørg @"
        + member.handle
        + "\n\n- et\n- to\n\n<script>alert(1)</script>"
    )
    preview = PREVIEW_RE.search(
        text(client.submit(f"/traad/{thread.id}/svar", {"body": body, "preview": "1"}))
    ).group(1)
    client.submit(f"/traad/{thread.id}/svar", {"body": body})
    assert preview.strip() == last_post(thread).body_html.strip()
    assert "<script>" not in preview


def test_preview_of_an_empty_reply_says_what_to_do(client, login_as, member, thread):
    login_as(member)
    response = client.submit(f"/traad/{thread.id}/svar", {"body": "  ", "preview": "1"})
    page = text(response)
    assert response.status_code == 422
    assert da("Write something first.") in page
    assert '<section class="preview"' not in page


def test_preview_of_a_new_thread_keeps_title_and_text(client, login_as, member, theme):
    login_as(member)
    response = client.submit(
        f"/tema/{theme.id}/ny",
        {"title": "Cykler til personalet", "body": "*Idé*: lån cykler ud", "preview": "1"},
    )
    page = text(response)
    assert response.status_code == 200
    preview = page[page.index('<section class="preview"') : page.index("</section>")]
    assert "Cykler til personalet" in preview
    assert "<em>Idé</em>" in preview
    assert textarea(page) == "*Idé*: lån cykler ud"
    assert 'value="Cykler til personalet"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Thread)) == 0


def test_preview_of_an_edit_keeps_the_saved_post(client, login_as, member, thread):
    mine = factories.reply(member, thread, body="Første udkast")
    login_as(member)
    response = client.submit(
        f"/indlaeg/{mine.id}/rediger", {"body": "Andet **udkast**", "preview": "1"}
    )
    page = text(response)
    assert response.status_code == 200
    assert "<strong>udkast</strong>" in PREVIEW_RE.search(page).group(1)
    assert textarea(page) == "Andet **udkast**"
    db.session.refresh(mine)
    assert mine.body_md == "Første udkast"
    assert mine.edited_at is None


# --- quoting -------------------------------------------------------------------------------


def test_quote_starts_the_reply_with_the_post_quoted(
    client, login_as, member, other_member, thread
):
    post = factories.reply(other_member, thread, body="Linje et\n\nLinje to")
    login_as(member)
    page = text(client.get(f"/traad/{thread.id}"))
    assert f'href="/traad/{thread.id}?citer={post.id}#svar"' in post_article(page, post)
    quoted = textarea(text(client.get(f"/traad/{thread.id}?citer={post.id}")))
    assert quoted == f"@{other_member.handle} skrev:\n> Linje et\n>\n> Linje to\n\n"


def test_quote_as_json_for_the_script(client, login_as, member, other_member, thread):
    post = factories.reply(other_member, thread, body="Kort svar")
    login_as(member)
    answer = client.get(f"/indlaeg/{post.id}/citat").get_json()
    assert answer == {
        "text": f"@{other_member.handle} skrev:\n> Kort svar\n\n",
        "intro": f"@{other_member.handle} skrev:",
    }


def test_hidden_and_withdrawn_posts_cannot_be_quoted(
    client, login_as, member, other_member, facilitator, thread
):
    hidden = factories.reply(member, thread, body="Skjult tekst")
    withdrawn = factories.reply(other_member, thread, body="Trukket tekst")
    moderation_service.hide_post(facilitator, hidden, "Personfølsomt")
    thread_service.withdraw_post(other_member, withdrawn)
    db.session.commit()
    login_as(facilitator)  # sees both posts, yet may quote neither
    page = text(client.get(f"/traad/{thread.id}"))
    for post in (hidden, withdrawn):
        assert f"citer={post.id}" not in post_article(page, post)
        quoted = textarea(text(client.get(f"/traad/{thread.id}?citer={post.id}")))
        assert "tekst" not in quoted
        assert client.get(f"/indlaeg/{post.id}/citat").status_code == 403
    # The hidden post's author sees it, but cannot quote it either.
    client.submit("/logout")
    login_as(member)
    assert "Skjult" not in textarea(text(client.get(f"/traad/{thread.id}?citer={hidden.id}")))
    assert client.get(f"/indlaeg/{hidden.id}/citat").status_code == 403


def test_a_post_of_a_circle_cannot_be_quoted_by_outsiders(
    client, login_as, member, other_member, theme, thread
):
    secret = thread_service.create_thread(
        other_member, theme, "Fortroligt", "Kun for kredsen", visibility="circle", circle_ids=[]
    )
    db.session.commit()
    opening = thread_service.opening_post(secret)
    login_as(member)
    page = text(client.get(f"/traad/{thread.id}?citer={opening.id}"))
    assert "Kun for kredsen" not in page
    assert textarea(page) == ""
    assert client.get(f"/indlaeg/{opening.id}/citat").status_code == 404


def test_a_post_of_another_thread_is_not_quoted_here(
    client, login_as, member, other_member, theme, thread
):
    elsewhere = factories.thread(other_member, theme, title="Andet", body="Andetsteds")
    login_as(member)
    opening = thread_service.opening_post(elsewhere)
    assert textarea(text(client.get(f"/traad/{thread.id}?citer={opening.id}"))) == ""


# --- Markdown help -------------------------------------------------------------------------


def test_every_markdown_field_has_the_formatting_help(client, login_as, facilitator, theme):
    thread = factories.thread(facilitator, theme)
    post = thread_service.opening_post(thread)
    commitment = action_service.create_commitment(
        facilitator, title="Affald", why="", theme=theme, sdgs=[], meeting=None, due_date=None
    )
    meeting = meeting_service.create_meeting(
        facilitator, MeetingDetails(title="Møde", date=date.today() + timedelta(days=30))
    )
    db.session.commit()
    pages = {
        f"/tema/{theme.id}/ny": 1,
        f"/traad/{thread.id}": 1,
        f"/indlaeg/{post.id}/rediger": 1,
        "/handlinger/ny": 1,
        f"/handlinger/{commitment.id}/rediger": 1,
        f"/handlinger/{commitment.id}/log": 1,  # one help for the check-in's four fields
        f"/handlinger/{commitment.id}": 1,  # the comment form
        "/meddelelser/ny": 1,
        "/ressourcer/ny": 1,
        f"/moeder/{meeting.id}/rediger": 2,  # agenda and practical information
    }
    login_as(facilitator)
    for path, helps in pages.items():
        page = text(client.get(path))
        assert page.count('<details class="markdown-help">') == helps, path
        assert f"<summary>{da('Formatting')}</summary>" in page, path
        assert "<code>**fed**</code>" in page, path


# --- confirmations where the page lands ------------------------------------------------------


def test_reply_confirmation_is_shown_at_the_new_post(client, login_as, member, thread):
    login_as(member)
    response = client.submit(f"/traad/{thread.id}/svar", {"body": "Tak for idéen"})
    post = last_post(thread)
    assert response.headers["Location"].endswith(f"#post-{post.id}")
    page = text(client.get(response.headers["Location"]))
    article = post_article(page, post)
    assert da("Your reply is posted.") in article
    assert article.index(da("Your reply is posted.")) < article.index("Tak for idéen")
    assert page.count(da("Your reply is posted.")) == 1  # not also at the top of the page
    assert f'data-draft-sent="/traad/{thread.id}/svar"' in page
    # Shown once: the next visit of the page has no confirmation.
    assert da("Your reply is posted.") not in text(client.get(f"/traad/{thread.id}"))


def test_edit_confirmation_is_shown_at_the_post(client, login_as, member, thread):
    mine = factories.reply(member, thread, body="Før")
    login_as(member)
    response = client.submit(f"/indlaeg/{mine.id}/rediger", {"body": "Efter"})
    page = text(client.get(response.headers["Location"]))
    assert da("Your post was saved.") in post_article(page, mine)
    assert f'data-draft-sent="/indlaeg/{mine.id}/rediger"' in page


def test_withdrawal_confirmation_is_shown_at_the_post(client, login_as, member, thread):
    mine = factories.reply(member, thread, body="Fortrudt")
    login_as(member)
    response = client.submit(f"/indlaeg/{mine.id}/traek-tilbage")
    page = text(client.get(response.headers["Location"]))
    assert da("Your post was withdrawn.") in post_article(page, mine)


def test_starting_a_thread_confirms_at_the_top(client, login_as, member, theme):
    login_as(member)
    response = client.submit(
        f"/tema/{theme.id}/ny", {"title": "Grønne indkøb", "body": "Hvem har erfaring?"}
    )
    page = text(client.get(response.headers["Location"]))
    confirmation = page.index(da("Your thread is started."))
    assert confirmation < page.index("<h1>")
    assert f'data-draft-sent="/tema/{theme.id}/ny"' in page


# --- a text sent after the session ended ------------------------------------------------------


def kept_field(page: str) -> str:
    """Return the kept text the login page carries on, as the browser would send it back."""
    match = KEPT_RE.search(page)
    assert match, "the login page carries no kept text"
    return html.unescape(match.group(1))


def log_in_with(client, person, login_page: str):
    """Log in through the login page shown instead of the form, sending what it carries."""
    action = html.unescape(re.search(r'<form method="post" action="(/login[^"]*)"', login_page)[1])
    data = {"email": person.email, "password": factories.PASSWORD, "kept": kept_field(login_page)}
    return client.submit(action, data)


def test_a_reply_sent_without_a_session_is_offered_again_after_logging_in(client, member, thread):
    # The browser was closed: no session cookie, so no form token matches either.
    response = client.post(
        f"/traad/{thread.id}/svar",
        data={"body": "Et langt svar\n\n" + "ord " * 3000, "writer": member.id},
        headers=OWN_ORIGIN,
    )
    page = text(response)
    assert response.status_code == 401
    assert da("Your text is kept.") in page
    assert 'type="password"' in page
    kept = kept_field(page)
    assert json.loads(kept)["action"] == f"/traad/{thread.id}/svar"

    offered = log_in_with(client, member, page)
    page = text(offered)
    assert offered.status_code == 200
    assert da("Your text is kept — send it again") in page
    assert textarea(page).startswith("Et langt svar")
    assert f'action="/traad/{thread.id}/svar"' in page

    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    sent = client.post(
        f"/traad/{thread.id}/svar",
        data={"csrf_token": token, "body": textarea(page), "writer": member.id},
    )
    assert sent.status_code == 302
    assert last_post(thread).body_md.startswith("Et langt svar")


def test_a_reply_sent_after_being_logged_out_elsewhere_is_kept(client, login_as, member, thread):
    login_as(member)
    token = client.csrf_token()
    account_service.end_all_sessions(member)  # "log out everywhere" from another device
    db.session.commit()
    response = client.post(
        f"/traad/{thread.id}/svar",
        data={"csrf_token": token, "body": "Vigtig pointe", "writer": member.id},
        headers=OWN_ORIGIN,
    )
    assert response.status_code == 401
    page = text(log_in_with(client, member, text(response)))
    assert textarea(page) == "Vigtig pointe"


def test_an_expired_form_while_logged_in_offers_the_text_at_once(client, login_as, member, thread):
    login_as(member)
    response = client.post(
        f"/traad/{thread.id}/svar",
        data={"csrf_token": "from-an-old-session", "body": "Mit svar", "writer": member.id},
        headers=OWN_ORIGIN,
    )
    page = text(response)
    assert response.status_code == 400
    assert da("Your text is kept — send it again") in page
    assert textarea(page) == "Mit svar"


def test_a_new_thread_is_kept_with_its_choices(client, member, other_member, theme):
    response = client.post(
        f"/tema/{theme.id}/ny",
        data={
            "title": "Fortroligt spørgsmål",
            "body": "Hvordan håndterer I det?",
            "visibility": "circle",
            "circle": [str(other_member.id)],
            "seen_similar": "1",
            "writer": member.id,
        },
        headers=OWN_ORIGIN,
    )
    page = text(log_in_with(client, member, text(response)))
    assert 'value="Fortroligt spørgsmål"' in page
    assert textarea(page) == "Hvordan håndterer I det?"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    assert fields["visibility"] == "circle" and fields["circle"] == str(other_member.id)
    client.post(
        f"/tema/{theme.id}/ny",
        data={
            **fields,
            "csrf_token": token,
            "title": "Fortroligt spørgsmål",
            "body": textarea(page),
        },
    )
    started = db.session.scalar(db.select(Thread).where(Thread.title == "Fortroligt spørgsmål"))
    assert started is not None and started.visibility == "circle"
    assert [m.user_id for m in started.circle] == [other_member.id]


def test_a_kept_text_is_not_offered_to_someone_else(client, member, other_member, thread):
    response = client.post(
        f"/traad/{thread.id}/svar",
        data={"body": "Mettes private tanker", "writer": member.id},
        headers=OWN_ORIGIN,
    )
    logged_in = log_in_with(client, other_member, text(response))
    assert logged_in.status_code == 302
    assert logged_in.headers["Location"] == f"/traad/{thread.id}"
    assert "Mettes private tanker" not in text(client.get(logged_in.headers["Location"]))


def test_a_text_sent_from_another_site_is_not_kept(client, member, thread):
    response = client.post(
        f"/traad/{thread.id}/svar",
        data={"body": "Plantet tekst", "writer": member.id},
        headers={"Origin": "https://angriber.example"},
    )
    assert response.status_code == 400  # the usual expired-form page
    assert "Plantet tekst" not in text(response)
    assert 'name="kept"' not in text(response)


def test_the_similar_threads_box_is_empty_until_there_are_some(client, login_as, member, theme):
    """An empty box is not drawn: it holds nothing at all, not even spaces."""
    login_as(member)
    page = text(client.get(f"/tema/{theme.id}/ny"))
    assert re.search(r'<div id="similar-threads"[^>]*></div>', page)


@pytest.mark.parametrize(
    "kept",
    [
        "not json",
        json.dumps({"action": "/logout", "writer": 1, "fields": [["body", "x"]]}),
        json.dumps({"action": "//evil.example/traad/1/svar", "writer": 1, "fields": []}),
        json.dumps({"action": "/traad/1/svar", "writer": "me", "fields": [["body", "x"]]}),
        json.dumps({"action": "/traad/1/svar", "writer": 1, "fields": {"body": "x"}}),
    ],
)
def test_a_forged_kept_text_only_logs_in(client, member, thread, kept):
    response = client.submit(
        f"/login?next=/traad/{thread.id}",
        {"email": member.email, "password": factories.PASSWORD, "kept": kept},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/traad/{thread.id}"
