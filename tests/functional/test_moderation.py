"""Moderation as facilitators and members meet it: pin, lock, move, rename, hide and restore,
facilitator edits, reports and the queue, the moderation log, and announcements."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from forum.extensions import db
from forum.models import Announcement, ModerationLogEntry, Post, Report, Thread, utcnow
from forum.services import ServiceError
from forum.services import moderation as moderation_service
from forum.services import threads as thread_service
from tests import factories
from tests.text import da, da_n, text


def post_at(thread: Thread, position: int) -> Post:
    return db.session.scalar(
        db.select(Post).where(Post.thread_id == thread.id, Post.position == position)
    )


def log_actions() -> list[str]:
    """Return the actions in the moderation log, oldest first."""
    return list(
        db.session.scalars(db.select(ModerationLogEntry.action).order_by(ModerationLogEntry.id))
    )


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


# --- each action, once in the log ----------------------------------------------------------


def test_pin_and_unpin(client, login_as, member, facilitator, theme):
    thread = factories.thread(member, theme, title="Vigtig tråd")
    factories.thread(member, theme, title="Nyere tråd")
    login_as(facilitator)
    page = text(client.get(f"/traad/{thread.id}"))
    assert f'href="/traad/{thread.id}/moderer"' in page
    tools = text(client.get(f"/traad/{thread.id}/moderer"))
    assert f'action="/traad/{thread.id}/fastgoer"' in tools
    assert 'name="pinned" value="1"' in tools

    response = client.submit(f"/traad/{thread.id}/fastgoer", {"pinned": "1"})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/traad/{thread.id}/moderer"
    assert fresh(Thread, thread.id).pinned
    assert log_actions() == ["pin"]
    listing = text(client.get(f"/tema/{theme.id}"))
    assert listing.index(da("Pinned threads")) < listing.index("Vigtig tråd")
    assert listing.index("Vigtig tråd") < listing.index("Nyere tråd")
    assert f'<span class="tag">{da("Pinned")}</span>' in listing

    client.submit(f"/traad/{thread.id}/fastgoer", {"pinned": "0"})
    assert not fresh(Thread, thread.id).pinned
    assert log_actions() == ["pin", "unpin"]
    listing = text(client.get(f"/tema/{theme.id}"))
    assert listing.index("Nyere tråd") < listing.index("Vigtig tråd")


@pytest.mark.parametrize("value", [None, "", "2", "yes"])
def test_pin_and_lock_without_a_clear_choice_change_nothing(
    client, login_as, member, facilitator, theme, value
):
    thread = factories.thread(member, theme)
    login_as(facilitator)
    data = {} if value is None else {"pinned": value, "locked": value}
    for url in (f"/traad/{thread.id}/fastgoer", f"/traad/{thread.id}/laas"):
        assert client.submit(url, data).status_code == 302
    thread = fresh(Thread, thread.id)
    assert not thread.pinned
    assert not thread.is_locked
    assert log_actions() == []


def test_pinned_threads_lead_the_theme_page(client, login_as, member, facilitator, theme):
    pinned = factories.thread(member, theme, title="Fastgjort tråd")
    for number in range(3):
        factories.thread(member, theme, title=f"Almindelig {number}")
    moderation_service.set_pinned(facilitator, pinned, True)
    login_as(member)
    page = text(client.get(f"/tema/{theme.id}"))
    assert page.index("Fastgjort tråd") < page.index("Almindelig 2")
    assert page.count("Fastgjort tråd") == 1


def test_locked_thread_refuses_replies(client, login_as, switch_to, member, facilitator, theme):
    thread = factories.thread(member, theme)
    login_as(facilitator)
    response = client.submit(f"/traad/{thread.id}/laas", {"locked": "1"})
    assert response.status_code == 302
    assert fresh(Thread, thread.id).is_locked
    assert log_actions() == ["lock"]

    switch_to(member)
    page = text(client.get(f"/traad/{thread.id}"))
    assert da("This thread is locked: no new replies can be written.") in page
    assert f'<span class="tag">{da("Locked")}</span>' in page
    assert 'id="reply-heading"' not in page
    assert client.submit(f"/traad/{thread.id}/svar", {"body": "Alligevel"}).status_code == 403
    assert f'<span class="tag">{da("Locked")}</span>' in text(client.get(f"/tema/{theme.id}"))

    switch_to(facilitator)
    client.submit(f"/traad/{thread.id}/laas", {"locked": "0"})
    assert log_actions() == ["lock", "unlock"]
    switch_to(member)
    assert client.submit(f"/traad/{thread.id}/svar", {"body": "Nu igen"}).status_code == 302


def test_move_a_thread_to_another_theme(client, login_as, switch_to, member, facilitator, theme):
    other = factories.theme(name="Partnerskaber")
    archived = factories.theme(name="Gammelt tema", archived_at=utcnow())
    thread = factories.thread(member, theme, title="Flyttetråd")
    login_as(facilitator)
    tools = text(client.get(f"/traad/{thread.id}/moderer"))
    assert f'<option value="{other.id}">Partnerskaber</option>' in tools
    assert "Gammelt tema" not in tools

    response = client.submit(f"/traad/{thread.id}/flyt", {"theme_id": str(other.id)})

    assert response.status_code == 302
    assert fresh(Thread, thread.id).theme_id == other.id
    entry = db.session.scalar(db.select(ModerationLogEntry))
    assert (entry.action, entry.detail) == ("move", "Målsætning → Partnerskaber")
    switch_to(member)
    assert "Flyttetråd" in text(client.get(f"/tema/{other.id}"))
    assert "Flyttetråd" not in text(client.get(f"/tema/{theme.id}"))

    switch_to(facilitator)
    for bad in (str(archived.id), "abc", "", "99999999999999999999999"):
        response = client.submit(f"/traad/{thread.id}/flyt", {"theme_id": bad})
        assert response.status_code == 422, bad
        assert da("Choose one of the themes.") in text(response)
    assert fresh(Thread, thread.id).theme_id == other.id
    assert log_actions() == ["move"]


def test_rename_a_thread(client, login_as, member, facilitator, theme):
    thread = factories.thread(member, theme, title="Gammel titel")
    login_as(facilitator)
    response = client.submit(f"/traad/{thread.id}/omdoeb", {"title": "  Ny titel  "})
    assert response.status_code == 302
    assert "<h1>Ny titel</h1>" in text(client.get(f"/traad/{thread.id}"))
    entry = db.session.scalar(db.select(ModerationLogEntry))
    assert (entry.action, entry.detail) == ("rename", "Gammel titel → Ny titel")

    response = client.submit(f"/traad/{thread.id}/omdoeb", {"title": "   "})
    assert response.status_code == 422
    assert da("Give the thread a title.") in text(response)
    response = client.submit(f"/traad/{thread.id}/omdoeb", {"title": "x" * 201})
    assert response.status_code == 422
    assert "x" * 201 in text(response)  # what was typed is kept
    assert fresh(Thread, thread.id).title == "Ny titel"
    assert log_actions() == ["rename"]


def test_hide_and_restore_a_thread(
    client, login_as, switch_to, member, other_member, facilitator, theme
):
    thread = factories.thread(member, theme, title="Skjult tråd", body="Tekst")
    login_as(facilitator)
    confirm = client.get(f"/traad/{thread.id}/skjul")
    assert confirm.status_code == 200
    assert '<label for="reason">' in text(confirm)
    assert fresh(Thread, thread.id).hidden_at is None  # GET changes nothing

    response = client.submit(f"/traad/{thread.id}/skjul", {"reason": "Personoplysninger"})
    assert response.status_code == 302
    assert log_actions() == ["hide_thread"]
    page = text(client.get(f"/traad/{thread.id}"))
    assert da("Hidden by a facilitator: %(reason)s", reason="Personoplysninger") in page
    assert f'<span class="tag tag-hidden">{da("Hidden")}</span>' in page

    switch_to(other_member)
    assert client.get(f"/traad/{thread.id}").status_code == 404
    assert "Skjult tråd" not in text(client.get(f"/tema/{theme.id}"))

    switch_to(member)  # the author still sees it, with the reason
    page = text(client.get(f"/traad/{thread.id}"))
    assert da("Hidden by a facilitator: %(reason)s", reason="Personoplysninger") in page
    assert 'id="reply-heading"' not in page

    switch_to(facilitator)
    assert client.submit(f"/traad/{thread.id}/gendan").status_code == 302
    assert log_actions() == ["hide_thread", "restore_thread"]
    client.submit(f"/traad/{thread.id}/gendan")  # restoring twice is no second action
    assert log_actions() == ["hide_thread", "restore_thread"]
    switch_to(other_member)
    assert "Tekst" in text(client.get(f"/traad/{thread.id}"))


def test_hide_and_restore_a_post(
    client, login_as, switch_to, member, other_member, facilitator, theme
):
    thread = factories.thread(member, theme, body="Åbningen")
    post = factories.reply(other_member, thread, body="Grimt svar")
    login_as(facilitator)
    page = text(client.get(f"/traad/{thread.id}"))
    assert f'href="/indlaeg/{post.id}/skjul"' in page
    confirm = text(client.get(f"/indlaeg/{post.id}/skjul"))
    assert "Grimt svar" in confirm
    assert 'method="post"' in confirm

    response = client.submit(f"/indlaeg/{post.id}/skjul", {"reason": "Personangreb"})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/traad/{thread.id}?side=1#post-{post.id}"
    assert log_actions() == ["hide_post"]
    page = text(client.get(f"/traad/{thread.id}"))
    assert "Grimt svar" in page
    assert da("Hidden by a facilitator: %(reason)s", reason="Personangreb") in page
    assert f'action="/indlaeg/{post.id}/gendan"' in page

    switch_to(member)
    page = text(client.get(f"/traad/{thread.id}"))
    assert "Grimt svar" not in page
    assert "Personangreb" not in page
    assert client.get(f"/indlaeg/{post.id}").status_code == 404

    switch_to(other_member)  # the author still reads it, and why
    page = text(client.get(f"/traad/{thread.id}"))
    assert "Grimt svar" in page
    assert da("Hidden by a facilitator: %(reason)s", reason="Personangreb") in page

    switch_to(facilitator)
    response = client.submit(f"/indlaeg/{post.id}/gendan")
    assert response.status_code == 302
    assert log_actions() == ["hide_post", "restore_post"]
    switch_to(member)
    assert "Grimt svar" in text(client.get(f"/traad/{thread.id}"))


@pytest.mark.parametrize("reason", ["", "   "])
def test_hiding_without_a_reason_shows_the_form_again(
    client, login_as, member, other_member, facilitator, theme, reason
):
    thread = factories.thread(member, theme)
    post = factories.reply(other_member, thread)
    login_as(facilitator)
    for url in (f"/traad/{thread.id}/skjul", f"/indlaeg/{post.id}/skjul"):
        response = client.submit(url, {"reason": reason})
        page = text(response)
        assert response.status_code == 422, url
        assert da("Give a reason.") in page
        assert 'aria-invalid="true"' in page
    assert fresh(Thread, thread.id).hidden_at is None
    assert fresh(Post, post.id).hidden_at is None
    assert log_actions() == []


def test_facilitator_edit_is_marked_kept_and_logged(
    client, login_as, switch_to, member, other_member, facilitator, theme
):
    thread = factories.thread(member, theme, body="Oprindelig tekst")
    post = post_at(thread, 1)
    login_as(facilitator)
    form = text(client.get(f"/indlaeg/{post.id}/rediger"))
    assert "Mette Medlem" in form

    response = client.submit(f"/indlaeg/{post.id}/rediger", {"body": "Rettet tekst"})

    assert response.status_code == 302
    assert log_actions() == ["edit_post"]
    client.submit(f"/indlaeg/{post.id}/rediger", {"body": "Rettet tekst"})  # no change
    assert log_actions() == ["edit_post"]
    switch_to(other_member)
    page = text(client.get(f"/traad/{thread.id}"))
    assert "Rettet tekst" in page
    assert da("Edited by a facilitator") in page
    switch_to(member)
    assert da("Edited by a facilitator") in text(client.get(f"/traad/{thread.id}"))
    versions = text(client.get(f"/indlaeg/{post.id}/versioner"))
    assert "Oprindelig tekst" in versions
    assert "Rettet tekst" in versions

    # The author's own edit afterwards is theirs again, and no moderation.
    client.submit(f"/indlaeg/{post.id}/rediger", {"body": "Min egen rettelse"})
    assert da("Edited by a facilitator") not in text(client.get(f"/traad/{thread.id}"))
    assert log_actions() == ["edit_post"]


# --- refusals ------------------------------------------------------------------------------


def thread_actions(thread_id: int, post_id: int) -> list[tuple[str, str, dict]]:
    return [
        ("GET", f"/traad/{thread_id}/moderer", {}),
        ("POST", f"/traad/{thread_id}/omdoeb", {"title": "Ny"}),
        ("POST", f"/traad/{thread_id}/flyt", {"theme_id": "1"}),
        ("POST", f"/traad/{thread_id}/fastgoer", {"pinned": "1"}),
        ("POST", f"/traad/{thread_id}/laas", {"locked": "1"}),
        ("GET", f"/traad/{thread_id}/skjul", {}),
        ("POST", f"/traad/{thread_id}/skjul", {"reason": "Fordi"}),
        ("POST", f"/traad/{thread_id}/gendan", {}),
        ("GET", f"/indlaeg/{post_id}/skjul", {}),
        ("POST", f"/indlaeg/{post_id}/skjul", {"reason": "Fordi"}),
        ("POST", f"/indlaeg/{post_id}/gendan", {}),
    ]


def test_members_may_not_moderate(client, login_as, member, other_member, theme):
    thread = factories.thread(member, theme, title="Uændret")
    post = post_at(thread, 1)
    login_as(member)  # even the author
    page = text(client.get(f"/traad/{thread.id}"))
    assert "/moderer" not in page
    assert "/skjul" not in page
    for method, url, data in thread_actions(thread.id, post.id):
        response = client.get(url) if method == "GET" else client.submit(url, data)
        assert response.status_code == 403, (method, url)
    for url in ("/moderation", "/moderation/log", "/meddelelser/ny"):
        assert client.get(url).status_code == 403, url
    thread = fresh(Thread, thread.id)
    assert (thread.title, thread.pinned, thread.locked_at, thread.hidden_at) == (
        "Uændret",
        False,
        None,
        None,
    )
    assert log_actions() == []


def test_moderation_of_unseen_threads_is_not_found(client, login_as, member, other_member, theme):
    secret = thread_service.create_thread(member, theme, "Hemmelig", "Tekst", "circle", [member.id])
    post = post_at(secret, 1)
    login_as(other_member)
    for method, url, data in thread_actions(secret.id, post.id):
        response = client.get(url) if method == "GET" else client.submit(url, data)
        assert response.status_code == 404, (method, url)
    assert client.get(f"/indlaeg/{post.id}/rapporter").status_code == 404
    assert client.get("/traad/999999/moderer").status_code == 404


def test_the_nav_shows_moderation_with_open_reports_to_facilitators(
    client, login_as, switch_to, member, other_member, facilitator, theme
):
    thread = factories.thread(member, theme)
    moderation_service.report_post(other_member, post_at(thread, 1), "Upassende")
    login_as(member)
    assert 'href="/moderation"' not in text(client.get("/"))
    switch_to(facilitator)
    page = text(client.get("/"))
    assert 'href="/moderation"' in page
    assert re.search(r'<span class="nav-count">1<span class="visually-hidden">', page)


# --- reports -------------------------------------------------------------------------------


def test_report_then_dismiss_and_the_reporter_sees_it_handled(
    client, login_as, switch_to, member, other_member, facilitator, theme
):
    thread = factories.thread(member, theme, title="Debattråd", body="Et skarpt indlæg")
    post = post_at(thread, 1)
    login_as(other_member)
    assert f'href="/indlaeg/{post.id}/rapporter"' in text(client.get(f"/traad/{thread.id}"))
    form = text(client.get(f"/indlaeg/{post.id}/rapporter"))
    assert "Et skarpt indlæg" in form

    response = client.submit(f"/indlaeg/{post.id}/rapporter", {"reason": "Det er for skarpt"})

    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert da("Thank you — a facilitator will look at it.") in page
    mine = text(client.get("/mine-rapporter"))
    assert "Debattråd" in mine
    assert "Det er for skarpt" in mine
    assert da("Open") in mine

    switch_to(facilitator)
    queue = text(client.get("/moderation"))
    report = db.session.scalar(db.select(Report))
    assert "Debattråd" in queue
    assert "Et skarpt indlæg" in queue  # an excerpt of the post
    assert "Det er for skarpt" in queue
    assert "Ole Andersen" in queue  # the reporter
    assert f'href="/indlaeg/{post.id}"' in queue
    assert f'href="/indlaeg/{post.id}/skjul?rapport={report.id}"' in queue

    response = client.submit(
        f"/moderation/rapporter/{report.id}/afvis", {"reason": "Skarpt men fair"}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation"
    assert da("There are no open reports.") in text(client.get("/moderation"))
    assert log_actions() == ["dismiss_report"]
    assert db.session.scalar(db.select(ModerationLogEntry)).reason == "Skarpt men fair"
    client.submit(f"/moderation/rapporter/{report.id}/afvis")  # twice is once
    assert log_actions() == ["dismiss_report"]

    switch_to(other_member)
    mine = text(client.get("/mine-rapporter"))
    assert da("Handled: dismissed, the post stays") in mine
    assert "Et skarpt indlæg" in text(client.get(f"/traad/{thread.id}"))


def test_report_then_hide_from_the_queue_resolves_it(
    client, login_as, switch_to, member, other_member, facilitator, theme
):
    thread = factories.thread(member, theme, title="Debattråd", body="Et grimt indlæg")
    post = post_at(thread, 1)
    login_as(other_member)
    client.submit(f"/indlaeg/{post.id}/rapporter", {"reason": "Grimt"})
    report = db.session.scalar(db.select(Report))

    switch_to(facilitator)
    confirm = text(client.get(f"/indlaeg/{post.id}/skjul?rapport={report.id}"))
    assert "Grimt" in confirm  # the report's reason
    assert f'action="/indlaeg/{post.id}/skjul?rapport={report.id}"' in confirm
    response = client.submit(
        f"/indlaeg/{post.id}/skjul?rapport={report.id}", {"reason": "Krænkende"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation"
    report = fresh(Report, report.id)
    assert report.resolution == "hidden"
    assert not report.is_open
    assert log_actions() == ["hide_post"]
    assert da("There are no open reports.") in text(client.get("/moderation"))

    switch_to(other_member)
    mine = text(client.get("/mine-rapporter"))
    assert da("Handled: the post was hidden") in mine
    assert "Debattråd" in mine


def test_reporting_is_refused_for_own_posts_and_without_a_reason(
    client, login_as, member, other_member, theme
):
    thread = factories.thread(member, theme)
    post = post_at(thread, 1)
    login_as(member)
    assert f"/indlaeg/{post.id}/rapporter" not in text(client.get(f"/traad/{thread.id}"))
    assert client.get(f"/indlaeg/{post.id}/rapporter").status_code == 403
    assert client.submit(f"/indlaeg/{post.id}/rapporter", {"reason": "x"}).status_code == 403

    client.submit("/logout")
    login_as(other_member)
    response = client.submit(f"/indlaeg/{post.id}/rapporter", {"reason": "  "})
    assert response.status_code == 422
    assert da("Give a reason.") in text(response)
    assert db.session.scalar(db.select(db.func.count(Report.id))) == 0


def test_dismissing_is_for_facilitators(client, login_as, member, other_member, theme):
    thread = factories.thread(member, theme)
    report = moderation_service.report_post(other_member, post_at(thread, 1), "Grimt")
    login_as(other_member)
    assert client.submit(f"/moderation/rapporter/{report.id}/afvis").status_code == 403
    assert fresh(Report, report.id).is_open


def test_missing_report_is_not_found(client, login_as, facilitator):
    login_as(facilitator)
    assert client.submit("/moderation/rapporter/999999/afvis").status_code == 404


# --- the log -------------------------------------------------------------------------------


def test_log_shows_who_did_what_when_and_why(client, login_as, member, facilitator, theme):
    thread = factories.thread(member, theme, title="Logget tråd")
    post = post_at(thread, 1)
    moderation_service.set_locked(facilitator, thread, True)
    moderation_service.hide_post(facilitator, post, "Fejlplaceret")
    login_as(facilitator)

    page = text(client.get("/moderation/log"))

    assert da("Locked the thread") in page
    assert da("Hid a post") in page
    assert "Frida Facilitator" in page
    assert "Fejlplaceret" in page
    assert f'href="/traad/{thread.id}"' in page
    assert "Mette Medlem" in page  # whose post
    assert "<time datetime=" in page
    assert page.index(da("Hid a post")) < page.index(da("Locked the thread"))  # newest first


def test_log_has_a_label_for_every_action():
    from forum.moderation.views import ACTION_LABELS

    actions = set()
    for module in ("moderation", "circles"):
        source = Path(f"forum/services/{module}.py").read_text(encoding="utf-8")
        actions |= set(re.findall(r'log_action\(\s*\w+,\s*"(\w+)"', source))
        for pair in re.findall(r'"(\w+)" if \w+ else "(\w+)"', source):
            actions |= set(pair)
    assert actions
    assert actions <= ACTION_LABELS.keys()


def test_log_pages_by_key(client, login_as, member, facilitator, theme):
    thread = factories.thread(member, theme)
    for number in range(moderation_service.LOG_PAGE_SIZE + 5):
        moderation_service.set_pinned(facilitator, thread, number % 2 == 0)
    login_as(facilitator)
    first = text(client.get("/moderation/log"))
    link = re.search(r'href="/moderation/log\?foer=(\d+)" rel="next"', first)
    assert link is not None
    second = text(client.get(f"/moderation/log?foer={link.group(1)}"))
    assert first.count("<tr>") - 1 == moderation_service.LOG_PAGE_SIZE
    assert second.count("<tr>") - 1 == 5
    assert 'rel="next"' not in second
    for bad in ("abc", "-1", "99999999999999999999999"):
        assert client.get(f"/moderation/log?foer={bad}").status_code == 200


# --- announcements -------------------------------------------------------------------------


def test_announcements_on_home_and_removable(
    client, login_as, switch_to, member, facilitator, theme
):
    login_as(facilitator)
    home = text(client.get("/"))
    assert 'href="/meddelelser/ny"' in home
    response = client.submit(
        "/meddelelser/ny", {"title": "Netværksmøde i Odense", "body": "Husk **tilmelding**"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert log_actions() == ["announce"]
    announcement = db.session.scalar(db.select(Announcement))

    switch_to(member)
    home = text(client.get("/"))
    assert "Netværksmøde i Odense" in home
    assert "Husk <strong>tilmelding</strong>" in home
    assert "Frida Facilitator" in home
    assert home.index("Netværksmøde i Odense") < home.index('id="recent-heading"')
    assert f"/meddelelser/{announcement.id}/fjern" not in home
    assert 'href="/meddelelser/ny"' not in home
    assert client.get(f"/meddelelser/{announcement.id}/fjern").status_code == 403
    assert client.submit(f"/meddelelser/{announcement.id}/fjern").status_code == 403

    switch_to(facilitator)
    assert f'href="/meddelelser/{announcement.id}/fjern"' in text(client.get("/"))
    confirm = client.get(f"/meddelelser/{announcement.id}/fjern")
    assert confirm.status_code == 200
    assert 'method="post"' in text(confirm)
    assert fresh(Announcement, announcement.id).removed_at is None  # GET changes nothing
    response = client.submit(f"/meddelelser/{announcement.id}/fjern")
    assert response.status_code == 302
    assert log_actions() == ["announce", "remove_announcement"]
    assert client.get(f"/meddelelser/{announcement.id}/fjern").status_code == 404

    switch_to(member)
    assert "Netværksmøde i Odense" not in text(client.get("/"))


def test_empty_announcement_is_refused_with_the_text_kept(client, login_as, facilitator):
    login_as(facilitator)
    response = client.submit("/meddelelser/ny", {"title": "", "body": "Mit udkast"})
    assert response.status_code == 422
    assert da("Give the announcement a title.") in text(response)
    assert "Mit udkast</textarea>" in text(response)
    assert db.session.scalar(db.select(db.func.count(Announcement.id))) == 0


def test_too_long_announcement_is_refused_with_the_text_kept(client, login_as, facilitator):
    # Every Markdown field has a size limit, so none can be made slow to render (issue 8, 1.1).
    login_as(facilitator)
    body = "Langt " * (thread_service.BODY_MAX // 6 + 1)
    response = client.submit("/meddelelser/ny", {"title": "Nyt", "body": body})
    assert response.status_code == 422
    assert da("The text is too long.") in text(response)
    assert body.strip() in text(response)
    assert db.session.scalar(db.select(db.func.count(Announcement.id))) == 0


def test_the_announcement_service_refuses_a_too_long_text_from_any_caller(facilitator):
    with pytest.raises(ServiceError) as refused:
        moderation_service.post_announcement(
            facilitator, "Nyt", "x" * (thread_service.BODY_MAX + 1)
        )
    assert refused.value.field == "body"
    assert db.session.scalar(db.select(db.func.count(Announcement.id))) == 0


def test_queue_counts_reports(client, login_as, member, other_member, facilitator, theme):
    thread = factories.thread(member, theme)
    for reason in ("En", "To"):
        moderation_service.report_post(other_member, post_at(thread, 1), reason)
    login_as(facilitator)
    page = text(client.get("/moderation"))
    assert (
        da_n("%(num)d open report, oldest first.", "%(num)d open reports, oldest first.", 2) in page
    )
