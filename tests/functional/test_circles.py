"""Confidential circles as members use them: start one, name people, add and remove them, and
change who sees a thread; facilitator-only threads."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext, ngettext
from markupsafe import escape

from forum.extensions import db
from forum.models import CircleMember, ModerationLogEntry, Thread, User
from forum.services import circles as circle_service
from forum.services import moderation as moderation_service
from forum.services import threads as thread_service
from tests import factories
from tests.text import da, text

CONFIDENTIALITY_RULE = "What is said here stays here: share the learning, not the names."


@pytest.fixture
def member2(db_session):
    return factories.user(name="Bente Kreds", email="bente@example.org")


@pytest.fixture
def member3(db_session):
    return factories.user(name="Carl Udenfor", email="carl@example.org")


def circle_thread(author, theme, people, title="Fortrolig snak", body="Hemmeligt indhold"):
    return thread_service.create_thread(
        author, theme, title, body, "circle", [person.id for person in people]
    )


def circle_ids(thread) -> set[int]:
    return set(
        db.session.scalars(
            db.select(CircleMember.user_id).where(CircleMember.thread_id == thread.id)
        )
    )


def log_count() -> int:
    return db.session.scalar(db.select(db.func.count(ModerationLogEntry.id)))


# --- starting a circle thread --------------------------------------------------------------


def test_start_form_offers_who_can_see_and_the_people_to_name(
    client, login_as, member, member2, theme
):
    login_as(member)
    page = text(client.get(f"/tema/{theme.id}/ny"))
    assert "<fieldset" in page
    assert f"<legend>{da('Who can see the thread?')}</legend>" in page
    for value in ("network", "circle", "facilitators"):
        assert f'value="{value}"' in page
    assert 'checked id="visibility-0" name="visibility" type="radio" value="network"' in page
    assert da("Confidential circle") in page
    assert da("Facilitators only") in page
    assert f'name="circle" value="{member2.id}"' in page
    assert "Bente Kreds</label>" in page
    assert f'name="circle" value="{member.id}"' not in page  # not oneself


def test_start_a_circle_thread_naming_a_member(
    client, login_as, switch_to, member, member2, member3, theme
):
    login_as(member)
    response = client.submit(
        f"/tema/{theme.id}/ny",
        {
            "title": "Svær samtale med chefen",
            "body": "Hemmeligt indhold",
            "visibility": "circle",
            "circle": [str(member2.id)],
        },
    )
    thread = db.session.scalar(db.select(Thread).where(Thread.title == "Svær samtale med chefen"))
    assert response.status_code == 302
    assert thread.visibility == "circle"
    assert circle_ids(thread) == {member2.id}
    page = text(client.get(f"/traad/{thread.id}"))
    assert f'<span class="tag tag-confidential">{da("Confidential circle")}</span>' in page
    assert da(CONFIDENTIALITY_RULE) in page
    assert "Bente Kreds" in page  # the circle is listed

    switch_to(member2)
    for url in ("/", f"/tema/{theme.id}", f"/medlemmer/{member.id}"):
        listing = text(client.get(url))
        assert "Svær samtale med chefen" in listing, url
        assert da("Confidential circle") in listing, url
    page = text(client.get(f"/traad/{thread.id}"))
    assert "Hemmeligt indhold" in page
    assert da(CONFIDENTIALITY_RULE) in page
    reply = client.submit(f"/traad/{thread.id}/svar", {"body": "Jeg hører dig"})
    assert reply.status_code == 302
    assert "Jeg hører dig" in text(client.get(f"/traad/{thread.id}"))

    switch_to(member3)
    assert client.get(f"/traad/{thread.id}").status_code == 404
    assert client.submit(f"/traad/{thread.id}/svar", {"body": "Hej"}).status_code == 404
    for url in ("/", f"/tema/{theme.id}", f"/medlemmer/{member.id}"):
        assert "Svær samtale med chefen" not in text(client.get(url)), url


def test_checkboxes_are_ignored_unless_a_circle_is_chosen(client, login_as, member, member2, theme):
    login_as(member)
    client.submit(
        f"/tema/{theme.id}/ny",
        {"title": "Åben tråd", "body": "Til alle", "circle": [str(member2.id)]},
    )
    thread = db.session.scalar(db.select(Thread).where(Thread.title == "Åben tråd"))
    assert thread.visibility == "network"
    assert circle_ids(thread) == set()


def test_refused_circle_thread_keeps_the_text_and_choices(
    client, login_as, member, member2, member3, theme
):
    login_as(member)
    response = client.submit(
        f"/tema/{theme.id}/ny",
        {"title": "", "body": "Mit udkast", "visibility": "circle", "circle": [str(member3.id)]},
    )
    page = text(response)
    assert response.status_code == 422
    assert da("Give the thread a title.") in page
    assert "Mit udkast</textarea>" in page
    assert 'checked id="visibility-1" name="visibility" type="radio" value="circle"' in page
    assert f'name="circle" value="{member3.id}" id="circle-{member3.id}" checked' in page
    assert f'name="circle" value="{member2.id}" id="circle-{member2.id}">' in page

    # A circle of nobody but oneself is refused: name someone, or pick another audience.
    response = client.submit(
        f"/tema/{theme.id}/ny", {"title": "Min titel", "body": "Mit udkast", "visibility": "circle"}
    )
    page = text(response)
    assert response.status_code == 422
    assert da("Name at least one person for the circle.") in page
    assert 'value="Min titel"' in page
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == 0


@pytest.mark.parametrize("ids", [["abc"], ["99999999999999999999999"], ["-1"], ["１"]])
def test_malformed_people_are_left_out(client, login_as, member, member2, theme, ids):
    login_as(member)
    response = client.submit(
        f"/tema/{theme.id}/ny",
        {"title": "T", "body": "B", "visibility": "circle", "circle": [*ids, str(member2.id)]},
    )
    assert response.status_code == 302
    thread = db.session.scalar(db.select(Thread))
    assert circle_ids(thread) == {member2.id}


def test_unknown_visibility_is_refused(client, login_as, member, theme):
    login_as(member)
    response = client.submit(
        f"/tema/{theme.id}/ny", {"title": "T", "body": "Mit udkast", "visibility": "everyone"}
    )
    assert response.status_code == 422
    assert "Mit udkast</textarea>" in text(response)
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == 0


# --- managing the circle -------------------------------------------------------------------


def test_author_adds_and_removes_circle_members(
    client, login_as, switch_to, member, member2, member3, theme
):
    thread = circle_thread(member, theme, [member2])
    login_as(member)
    assert f'href="/traad/{thread.id}/synlighed"' in text(client.get(f"/traad/{thread.id}"))
    page = text(client.get(f"/traad/{thread.id}/synlighed"))
    assert f'href="/traad/{thread.id}/kreds/{member2.id}/fjern"' in page
    assert f'name="circle" value="{member3.id}"' in page
    assert f'name="circle" value="{member2.id}"' not in page  # already in it

    response = client.submit(
        f"/traad/{thread.id}/synlighed", {"visibility": "circle", "circle": [str(member3.id)]}
    )
    assert response.status_code == 302
    assert circle_ids(thread) == {member2.id, member3.id}
    assert log_count() == 0  # the author's own circle is not moderation

    switch_to(member3)
    assert "Hemmeligt indhold" in text(client.get(f"/traad/{thread.id}"))
    # Being in the circle does not make one its keeper.
    assert client.get(f"/traad/{thread.id}/synlighed").status_code == 403
    assert client.get(f"/traad/{thread.id}/kreds/{member2.id}/fjern").status_code == 403
    assert client.submit(f"/traad/{thread.id}/kreds/{member2.id}/fjern").status_code == 403

    switch_to(member)
    confirm = client.get(f"/traad/{thread.id}/kreds/{member3.id}/fjern")
    assert confirm.status_code == 200
    assert 'method="post"' in text(confirm)
    assert "Carl Udenfor" in text(confirm)
    assert circle_ids(thread) == {member2.id, member3.id}  # GET changes nothing
    response = client.submit(f"/traad/{thread.id}/kreds/{member3.id}/fjern")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/traad/{thread.id}/synlighed"
    assert circle_ids(thread) == {member2.id}
    # Someone not in the circle has nothing to remove.
    assert client.get(f"/traad/{thread.id}/kreds/{member3.id}/fjern").status_code == 404

    switch_to(member3)
    assert client.get(f"/traad/{thread.id}").status_code == 404
    assert client.get(f"/traad/{thread.id}/kreds/{member2.id}/fjern").status_code == 404


def test_facilitator_manages_a_circle_and_it_is_logged(
    client, login_as, member, member2, member3, facilitator, theme
):
    thread = circle_thread(member, theme, [member2])
    login_as(facilitator)
    client.submit(
        f"/traad/{thread.id}/synlighed", {"visibility": "circle", "circle": [str(member3.id)]}
    )
    client.submit(f"/traad/{thread.id}/kreds/{member2.id}/fjern")
    assert circle_ids(thread) == {member3.id}
    actions = db.session.scalars(
        db.select(ModerationLogEntry.action).order_by(ModerationLogEntry.id)
    ).all()
    assert actions == ["add_circle_member", "remove_circle_member"]


def test_author_changes_who_can_see_the_thread(
    client, login_as, switch_to, member, member2, member3, theme
):
    thread = factories.thread(member, theme, title="Skiftende tråd", body="Indholdet")
    login_as(member)
    page = text(client.get(f"/traad/{thread.id}/synlighed"))
    assert 'checked id="visibility-0" name="visibility" type="radio" value="network"' in page

    response = client.submit(
        f"/traad/{thread.id}/synlighed", {"visibility": "circle", "circle": [str(member2.id)]}
    )
    assert response.status_code == 302
    assert db.session.get(Thread, thread.id).visibility == "circle"
    switch_to(member3)
    assert client.get(f"/traad/{thread.id}").status_code == 404
    switch_to(member2)
    assert "Indholdet" in text(client.get(f"/traad/{thread.id}"))

    switch_to(member)
    client.submit(f"/traad/{thread.id}/synlighed", {"visibility": "network"})
    assert db.session.get(Thread, thread.id).visibility == "circle"  # asked first
    client.submit(f"/traad/{thread.id}/aabn")
    assert db.session.get(Thread, thread.id).visibility == "network"
    assert da("Confidential circle") not in text(client.get(f"/traad/{thread.id}"))
    switch_to(member3)
    assert "Indholdet" in text(client.get(f"/traad/{thread.id}"))
    assert log_count() == 1  # narrowing is the author's own affair; opening is logged


def opening_sentence(posts: int, people: int, members: int) -> str:
    """Return, as a Danish reader sees it, what the page opening a thread says becomes visible."""
    with force_locale("da"):
        sentence = gettext(
            "%(posts)s by %(people)s will be visible to all %(members)s of the network.",
            posts=ngettext("%(num)d post", "%(num)d posts", posts),
            people=ngettext("%(num)d person", "%(num)d people", people),
            members=ngettext("%(num)d member", "%(num)d members", members),
        )
    return str(escape(sentence))


def test_opening_a_circle_to_the_network_asks_first_and_is_logged(
    client, login_as, switch_to, member, member2, member3, facilitator, theme
):
    thread = circle_thread(member, theme, [member2], body="Kun for kredsen")
    factories.reply(member2, thread, "Mit svar")
    factories.reply(member, thread, "Tak")
    hidden = factories.reply(member2, thread, "Skjult svar")
    moderation_service.hide_post(facilitator, hidden, "Personligt")
    entries_before = log_count()
    everybody = db.session.scalar(db.select(db.func.count(User.id)).where(User.is_enabled))
    login_as(member)

    response = client.submit(f"/traad/{thread.id}/synlighed", {"visibility": "network"})

    confirm_url = f"/traad/{thread.id}/aabn"
    assert response.status_code in (302, 303)
    assert response.headers["Location"] == confirm_url
    assert db.session.get(Thread, thread.id).visibility == "circle"  # asking changes nothing
    page = text(client.get(confirm_url))
    assert opening_sentence(3, 2, everybody) in page
    assert f'action="{confirm_url}"' in page
    assert log_count() == entries_before

    response = client.submit(confirm_url)

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).visibility == "network"
    entry = db.session.scalar(
        db.select(ModerationLogEntry).order_by(ModerationLogEntry.id.desc()).limit(1)
    )
    assert (entry.action, entry.actor_id, entry.thread_id) == (
        "change_visibility",
        member.id,
        thread.id,
    )
    assert entry.detail == "circle → network"
    switch_to(member3)
    assert "Kun for kredsen" in text(client.get(f"/traad/{thread.id}"))
    # Once open, the page has nothing to ask and sends back to the visibility page.
    switch_to(member)
    assert client.get(confirm_url).headers["Location"] == f"/traad/{thread.id}/synlighed"


def test_opening_to_the_network_is_logged_by_the_service_whoever_does_it(
    member, member2, facilitator, theme
):
    own = circle_thread(member, theme, [member2])
    others = thread_service.create_thread(member, theme, "Kun os", "Tekst", "facilitators")

    circle_service.change_visibility(member, own, "network")
    circle_service.change_visibility(facilitator, others, "network")

    entries = db.session.execute(
        db.select(ModerationLogEntry.actor_id, ModerationLogEntry.thread_id).where(
            ModerationLogEntry.action == "change_visibility"
        )
    ).all()
    assert sorted(entries) == sorted([(member.id, own.id), (facilitator.id, others.id)])


def test_opening_page_is_for_the_author_and_facilitators(
    client, login_as, switch_to, member, member2, member3, facilitator, theme
):
    thread = circle_thread(member, theme, [member2])
    login_as(member2)
    assert client.get(f"/traad/{thread.id}/aabn").status_code == 403
    assert client.submit(f"/traad/{thread.id}/aabn").status_code == 403
    switch_to(member3)
    assert client.get(f"/traad/{thread.id}/aabn").status_code == 404
    assert client.submit(f"/traad/{thread.id}/aabn").status_code == 404
    switch_to(facilitator)
    assert client.get(f"/traad/{thread.id}/aabn").status_code == 200
    assert db.session.get(Thread, thread.id).visibility == "circle"


def test_only_the_author_or_a_facilitator_changes_visibility(
    client, login_as, switch_to, member, member2, member3, facilitator, theme
):
    thread = factories.thread(member, theme)
    login_as(member2)
    assert f"/traad/{thread.id}/synlighed" not in text(client.get(f"/traad/{thread.id}"))
    assert client.get(f"/traad/{thread.id}/synlighed").status_code == 403
    response = client.submit(f"/traad/{thread.id}/synlighed", {"visibility": "facilitators"})
    assert response.status_code == 403
    assert db.session.get(Thread, thread.id).visibility == "network"

    hidden_from_member3 = circle_thread(member, theme, [member2])
    switch_to(member3)
    assert client.get(f"/traad/{hidden_from_member3.id}/synlighed").status_code == 404

    switch_to(facilitator)
    response = client.submit(f"/traad/{thread.id}/synlighed", {"visibility": "facilitators"})
    assert response.status_code == 302
    assert db.session.get(Thread, thread.id).visibility == "facilitators"
    entry = db.session.scalar(db.select(ModerationLogEntry))
    assert entry.action == "change_visibility"
    assert entry.thread_id == thread.id
    log = text(client.get("/moderation/log"))
    assert da("Changed who can see the thread") in log
    assert f"{da('The network')} → {da('Facilitators only')}" in log


def test_making_a_circle_of_nobody_is_refused(client, login_as, member, theme):
    thread = factories.thread(member, theme)
    login_as(member)
    response = client.submit(f"/traad/{thread.id}/synlighed", {"visibility": "circle"})
    assert response.status_code == 422
    assert da("Name at least one person for the circle.") in text(response)
    assert db.session.get(Thread, thread.id).visibility == "network"


# --- facilitators only ---------------------------------------------------------------------


def test_facilitators_only_thread_is_for_author_and_facilitators(
    client, login_as, switch_to, member, member2, facilitator, admin, theme
):
    login_as(member)
    client.submit(
        f"/tema/{theme.id}/ny",
        {"title": "Til facilitatoren", "body": "Kun til dig", "visibility": "facilitators"},
    )
    thread = db.session.scalar(db.select(Thread).where(Thread.title == "Til facilitatoren"))
    assert thread.visibility == "facilitators"
    page = text(client.get(f"/traad/{thread.id}"))
    assert f'<span class="tag tag-confidential">{da("Facilitators only")}</span>' in page
    assert da(CONFIDENTIALITY_RULE) in page
    assert "Kun til dig" in page

    for person in (facilitator, admin):
        switch_to(person)
        assert "Kun til dig" in text(client.get(f"/traad/{thread.id}"))
        assert "Til facilitatoren" in text(client.get(f"/tema/{theme.id}"))

    switch_to(member2)
    assert client.get(f"/traad/{thread.id}").status_code == 404
    for url in ("/", f"/tema/{theme.id}", f"/medlemmer/{member.id}"):
        assert "Til facilitatoren" not in text(client.get(url)), url


def test_circle_members_are_listed_on_the_thread_page(
    client, login_as, member, member2, member3, theme
):
    thread = circle_thread(member, theme, [member2, member3])
    circle_service.remove_circle_member(member, thread, member3)
    login_as(member2)
    page = text(client.get(f"/traad/{thread.id}"))
    circle = page.split('class="circle-list"')[1].split("</ul>")[0]
    assert "Mette Medlem" in circle
    assert "Bente Kreds" in circle
    assert "Carl Udenfor" not in circle
