"""@mentions as members use them: handles on profiles, editing one's handle, links in posts,
notifications for the people mentioned who may see the place, a word to the author about
those who may not, and handle suggestions while typing."""

from __future__ import annotations

import pytest
from flask import url_for
from flask_babel import force_locale, ngettext
from markupsafe import escape

from forum import markdown
from forum.extensions import db
from forum.models import Notification, OutboxEmail, Post, Thread, User
from forum.models.vocabulary import NotificationKind
from forum.services import accounts as account_service
from forum.services import actions as action_service
from forum.services import mentions
from forum.services import threads as thread_service
from tests import factories
from tests.text import da, text


def mentions_of(person: User) -> list[Notification]:
    return list(
        db.session.scalars(
            db.select(Notification)
            .where(Notification.user_id == person.id)
            .where(Notification.kind == NotificationKind.MENTION)
        )
    )


def emails_to(person: User) -> list[OutboxEmail]:
    return list(
        db.session.scalars(db.select(OutboxEmail).where(OutboxEmail.to_address == person.email))
    )


def not_notified(handles: list[str], place: str = "thread") -> str:
    """Return the flash about unreachable handles as a Danish reader sees it in HTML."""
    noun = "commitment" if place == "commitment" else "thread"
    with force_locale("da"):
        joined = (
            handles[-1] if len(handles) == 1 else ", ".join(handles[:-1]) + " og " + handles[-1]
        )
        return str(
            escape(
                ngettext(
                    f"%(handles)s cannot see this {noun} and was not notified.",
                    f"%(handles)s cannot see this {noun} and were not notified.",
                    len(handles),
                    handles=joined,
                )
            )
        )


@pytest.fixture
def bente(db_session):
    return factories.user(name="Bente Kreds", email="bente@example.org")


@pytest.fixture
def carl(db_session):
    return factories.user(name="Carl Udenfor", email="carl@example.org")


# --- handles -------------------------------------------------------------------------------


def test_every_person_gets_a_unique_handle_from_their_name(db_session):
    first = factories.user(name="Mette Søndergaard")
    second = factories.user(name="Mette Søndergaard")
    third = factories.user(name="Åse Ærø-Nielsen")
    assert first.handle == "mette.soendergaard"
    assert second.handle == "mette.soendergaard2"
    assert third.handle == "aase.aeroe.nielsen"


def test_profile_and_directory_show_the_handle(client, login_as, member, other_member):
    login_as(member)
    assert f"@{other_member.handle}" in text(client.get(f"/medlemmer/{other_member.id}"))
    assert f"@{other_member.handle}" in text(client.get("/medlemmer"))


def test_a_person_changes_their_handle_and_it_is_stored_in_lower_case(client, login_as, member):
    login_as(member)
    response = client.submit(
        "/profil", {"name": member.name, "handle": "@Mette.M", "language": "da"}
    )
    assert response.status_code == 302
    assert db.session.get(User, member.id).handle == "mette.m"
    assert "@mette.m" in text(client.get(f"/medlemmer/{member.id}"))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Ole.Andersen", "@%(handle)s is taken by someone else. Choose another."),
        ("mette møller", None),
        ("mette..m", None),
        ("   ", "Choose a handle."),
    ],
)
def test_a_taken_or_malformed_handle_is_refused_with_the_text_kept(
    client, login_as, member, other_member, typed, message
):
    assert other_member.handle == "ole.andersen"
    login_as(member)
    response = client.submit(
        "/profil", {"name": "Mette Nyt Navn", "handle": typed, "bio": "Min tekst", "language": "da"}
    )
    page = text(response)
    assert response.status_code == 422
    if message is None:
        assert (
            da(
                "A handle has letters a–z and digits, with single dots, dashes or underscores "
                "between them, and at most %(n)d characters.",
                n=40,
            )
            in page
        )
    else:
        assert da(message, handle=typed.strip().lower()) in page
    assert f'value="{escape(typed)}"' in page  # what was typed is kept
    assert "Mette Nyt Navn" in page and "Min tekst" in page
    stored = db.session.get(User, member.id)
    assert stored.handle == "mette.medlem" and stored.name == "Mette Medlem"


def test_keeping_ones_own_handle_is_no_conflict(client, login_as, member):
    login_as(member)
    response = client.submit(
        "/profil", {"name": "Mette M", "handle": member.handle.upper(), "language": "da"}
    )
    assert response.status_code == 302
    assert db.session.get(User, member.id).name == "Mette M"


# --- the handle link -----------------------------------------------------------------------


def test_mention_links_use_the_members_route(app):
    with app.test_request_context():
        assert url_for("members.by_handle", handle="x") == markdown.MENTION_PATH + "x"


def test_a_handle_link_leads_to_the_profile(client, login_as, member, other_member):
    login_as(member)
    response = client.get("/medlemmer/@Ole.Andersen")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/medlemmer/{other_member.id}")


@pytest.mark.parametrize("handle", ["nobody.here", "ole andersen", "%25", "a" * 300])
def test_an_unknown_handle_is_not_found(client, login_as, member, other_member, handle):
    login_as(member)
    assert client.get(f"/medlemmer/@{handle}").status_code == 404


def test_a_deactivated_persons_handle_is_not_found_for_members(
    client, login_as, member, other_member, admin
):
    account_service.deactivate(admin, other_member)
    db.session.commit()
    login_as(member)
    assert client.get(f"/medlemmer/@{other_member.handle}").status_code == 404


def test_handle_links_need_login(client, other_member):
    response = client.get(f"/medlemmer/@{other_member.handle}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- mentions in posts ---------------------------------------------------------------------


def test_a_reply_links_and_notifies_a_mentioned_person_once(
    client, login_as, member, other_member, theme, mailbox
):
    thread = factories.thread(member, theme)
    login_as(member)
    response = client.submit(
        f"/traad/{thread.id}/svar",
        {"body": f"Hvad siger @{other_member.handle}? Og du, @{other_member.handle.upper()}?"},
    )
    assert response.status_code == 302
    post = db.session.scalar(db.select(Post).where(Post.thread_id == thread.id, Post.position == 2))
    assert f'<a class="mention" href="/medlemmer/@{other_member.handle}"' in post.body_html
    told = mentions_of(other_member)
    assert len(told) == 1
    assert (told[0].post_id, told[0].thread_id, told[0].actor_id) == (post.id, thread.id, member.id)
    assert len(emails_to(other_member)) == 1  # mentions are emailed at once by default
    page = text(client.get(f"/traad/{thread.id}"))
    assert f'href="/medlemmer/@{other_member.handle}"' in page
    assert "kan ikke se" not in page  # no warning: everyone mentioned was told


def test_mentioning_oneself_or_nobody_known_notifies_no_one(client, login_as, member, theme):
    thread = factories.thread(member, theme)
    login_as(member)
    client.submit(f"/traad/{thread.id}/svar", {"body": f"@{member.handle} og @findes.ikke"})
    assert db.session.scalar(db.select(db.func.count(Notification.id))) == 0


def test_a_new_thread_notifies_the_people_it_mentions(
    client, login_as, member, other_member, theme
):
    login_as(member)
    client.submit(
        f"/tema/{theme.id}/ny",
        {"title": "Spørgsmål", "body": f"Kære @{other_member.handle}", "visibility": "network"},
    )
    thread = db.session.scalar(db.select(Thread).where(Thread.title == "Spørgsmål"))
    assert [n.thread_id for n in mentions_of(other_member)] == [thread.id]


def test_a_mention_in_code_or_an_email_address_notifies_no_one(
    client, login_as, member, other_member, theme
):
    thread = factories.thread(member, theme)
    login_as(member)
    body = f"`@{other_member.handle}`\n\n    @{other_member.handle}\n\nx{other_member.handle}@b.dk"
    client.submit(f"/traad/{thread.id}/svar", {"body": body})
    assert mentions_of(other_member) == []


def test_an_edit_notifies_only_the_newly_mentioned(
    client, login_as, member, other_member, bente, theme
):
    thread = factories.thread(member, theme)
    post = thread_service.reply(member, thread, f"Hej @{other_member.handle}")
    db.session.commit()
    assert len(mentions_of(other_member)) == 1
    login_as(member)
    response = client.submit(
        f"/indlaeg/{post.id}/rediger",
        {"body": f"Hej @{other_member.handle} og @{bente.handle}"},
    )
    assert response.status_code == 302
    assert len(mentions_of(other_member)) == 1
    assert [n.post_id for n in mentions_of(bente)] == [post.id]


def test_an_edit_of_a_post_stored_by_older_rules_does_not_notify_again(
    member, other_member, theme, db_session
):
    thread = factories.thread(member, theme)
    post = thread_service.reply(member, thread, f"Hej @{other_member.handle}")
    # As stored before mentions were linked (render version 3).
    post.body_html, post.body_render_version = f"<p>Hej @{other_member.handle}</p>", 3
    db.session.flush()
    before = len(mentions_of(other_member))
    thread_service.edit_post(member, post, f"Hej igen @{other_member.handle}")
    assert len(mentions_of(other_member)) == before


# --- confidentiality -----------------------------------------------------------------------


def test_a_mention_outside_the_circle_tells_the_author_and_nobody_else(
    client, login_as, member, bente, carl, theme, mailbox
):
    thread = thread_service.create_thread(
        member, theme, "Kredstråd", "Fortroligt", visibility="circle", circle_ids=[bente.id]
    )
    db.session.commit()
    login_as(member)
    response = client.submit(
        f"/traad/{thread.id}/svar",
        {"body": f"@{bente.handle} og @{carl.handle}, hvad mener I?"},
        follow_redirects=True,
    )
    page = text(response)
    assert not_notified([f"@{carl.handle}"]) in page
    assert f"@{bente.handle} kan ikke se" not in page
    assert len(mentions_of(bente)) == 1
    assert mentions_of(carl) == []
    assert emails_to(carl) == []
    assert (
        db.session.scalar(
            db.select(db.func.count(Notification.id)).where(Notification.user_id == carl.id)
        )
        == 0
    )


def test_a_new_circle_thread_names_each_person_it_could_not_reach(
    client, login_as, member, bente, carl, other_member, theme
):
    login_as(member)
    response = client.submit(
        f"/tema/{theme.id}/ny",
        {
            "title": "Svært",
            "body": f"@{carl.handle} @{other_member.handle} @{bente.handle}",
            "visibility": "circle",
            "circle": [str(bente.id)],
        },
        follow_redirects=True,
    )
    assert not_notified([f"@{carl.handle}", f"@{other_member.handle}"]) in text(response)
    assert mentions_of(carl) == [] and mentions_of(other_member) == []
    assert len(mentions_of(bente)) == 1


def test_a_mention_in_a_facilitators_only_thread_reaches_facilitators_only(
    client, login_as, member, other_member, facilitator, theme
):
    login_as(member)
    response = client.submit(
        f"/tema/{theme.id}/ny",
        {
            "title": "Til facilitatorerne",
            "body": f"@{other_member.handle} @{facilitator.handle}",
            "visibility": "facilitators",
        },
        follow_redirects=True,
    )
    assert not_notified([f"@{other_member.handle}"]) in text(response)
    assert mentions_of(other_member) == []
    assert len(mentions_of(facilitator)) == 1


def test_the_flash_is_in_english_for_an_english_reader(client, login_as, theme, carl):
    author = factories.user(name="Eve English", language="en")
    thread = thread_service.create_thread(author, theme, "Circle", "Hush", visibility="circle")
    db.session.commit()
    login_as(author)
    response = client.submit(
        f"/traad/{thread.id}/svar", {"body": f"@{carl.handle}"}, follow_redirects=True
    )
    assert f"@{carl.handle} cannot see this thread and was not notified." in text(response)


def test_the_service_tells_who_could_not_be_reached(member, carl, bente, theme, db_session):
    thread = thread_service.create_thread(
        member, theme, "Kreds", "x", visibility="circle", circle_ids=[bente.id]
    )
    post = thread_service.reply(member, thread, "y")
    html = str(markdown.render(f"@{carl.handle} @{bente.handle}"))
    assert mentions.notify_mentions(member, html, thread=thread, post=post) == [carl]
    assert mentions.unreachable_mentions(member, html, post=post) == [carl]


def test_mentioned_people_is_one_query_for_all_handles(db_session, count_queries):
    people = [factories.user() for _ in range(12)]
    html = str(markdown.render(" ".join(f"@{person.handle}" for person in people)))
    found: list[User] = []
    assert count_queries(lambda: found.extend(mentions.mentioned_people(html))) == 1
    assert found == people


# --- commitments ---------------------------------------------------------------------------


def test_a_comment_on_a_commitment_notifies_the_mentioned(
    client, login_as, member, other_member, bente, theme
):
    item = action_service.create_commitment(
        member, title="Affald", why="", theme=theme, sdgs=[], meeting=None, due_date=None
    )
    db.session.commit()
    login_as(bente)
    client.submit(f"/handlinger/{item.id}/kommentar", {"body": f"Spørg @{other_member.handle}"})
    assert [n.commitment_id for n in mentions_of(other_member)] == [item.id]


def test_a_mention_in_a_private_check_in_tells_the_owner_and_nobody_else(
    client, login_as, member, other_member, facilitator, theme
):
    item = action_service.create_commitment(
        member,
        title="Privat",
        why="",
        theme=theme,
        sdgs=[],
        meeting=None,
        due_date=None,
        visibility="facilitators",
    )
    db.session.commit()
    login_as(member)
    response = client.submit(
        f"/handlinger/{item.id}/log",
        {"tried": f"Talte med @{other_member.handle} og @{facilitator.handle}"},
        follow_redirects=True,
    )
    assert not_notified([f"@{other_member.handle}"], "commitment") in text(response)
    assert mentions_of(other_member) == []
    assert [n.commitment_id for n in mentions_of(facilitator)] == [item.id]


# --- suggestions while typing --------------------------------------------------------------


def test_suggestions_match_handles_and_names_by_prefix(client, login_as, member, admin):
    factories.user(name="Bente Kreds")
    factories.user(name="Anne Bentsen")
    factories.user(name="Ole Andersen")
    login_as(member)
    found = client.get("/medlemmer/forslag?q=ben").get_json()
    assert [person["handle"] for person in found] == ["anne.bentsen", "bente.kreds"]
    assert found[1]["name"] == "Bente Kreds"
    assert client.get("/medlemmer/forslag?q=@Bente.K").get_json()[0]["handle"] == "bente.kreds"


def test_suggestions_leave_out_deactivated_people_and_stop_at_eight(
    client, login_as, member, admin
):
    for n in range(10):
        factories.user(name=f"Pia {n}")
    gone = factories.user(name="Pia Borte")
    account_service.deactivate(admin, gone)
    db.session.commit()
    login_as(admin)
    found = client.get("/medlemmer/forslag?q=pia").get_json()
    assert len(found) == mentions.SUGGESTIONS_MAX
    assert "pia.borte" not in {person["handle"] for person in found}


@pytest.mark.parametrize("typed", ["", "@", "%", "_", "a" * 100, "'; drop table users; --"])
def test_suggestions_answer_odd_input_with_an_empty_list(client, login_as, member, typed):
    factories.user(name="Bo Ek")
    login_as(member)
    response = client.get("/medlemmer/forslag", query_string={"q": typed})
    assert response.status_code == 200
    assert response.get_json() == []


def test_suggestions_need_login(client, member):
    response = client.get("/medlemmer/forslag?q=m")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_post_forms_carry_the_suggestion_script_without_inline_code(
    client, login_as, member, theme
):
    thread = factories.thread(member, theme)
    login_as(member)
    page = text(client.get(f"/traad/{thread.id}"))
    assert "data-mentions" in page
    assert 'src="/static/js/mentions.js"' in page
    assert 'data-suggestions="/medlemmer/forslag"' in page
    assert client.get("/static/js/mentions.js").status_code == 200
