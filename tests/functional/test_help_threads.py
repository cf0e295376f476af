"""'Ask the network for help' threads carry their context: the member's question quoted, and
for a commitment shared with the network its title and a link back; of a commitment kept with
the facilitators nothing but that it is a commitment."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import EmailPreference, LogEntry, Post, Thread
from forum.services import actions as action_service
from forum.services.threads import BODY_MAX
from tests import factories
from tests.text import da, text

SHARED_TITLE = "Skift til LED i børnebiblioteket"
SECRET_TITLE = "Hemmelig-plan-Omega-7 for filialen"
NEED = "Har nogen forhandlet med en leverandør af LED-lys?\n\nIsær om *service*aftalen."


def commitment(owner, theme, title: str, visibility: str = "network"):
    item = action_service.create_commitment(
        owner,
        title=title,
        why="",
        theme=theme,
        sdgs=[13],
        meeting=None,
        due_date=None,
        visibility=visibility,
    )
    db.session.commit()
    return item


def ask_for_help(client, item, need: str = NEED):
    """Log an update on the commitment that asks the network for help; return its thread."""
    response = client.submit(f"/handlinger/{item.id}/log", {"needs": need, "ask_for_help": "y"})
    assert response.status_code == 302, text(response)
    entry = db.session.scalar(select(LogEntry).where(LogEntry.commitment_id == item.id))
    return db.session.get(Thread, entry.help_thread_id)


def blockquote(page: str) -> str:
    """Return the first quotation in the posts of a thread page."""
    match = re.search(r"<blockquote>(.*?)</blockquote>", page, re.S)
    assert match, "no quotation on the page"
    return match.group(1)


def test_a_shared_commitments_help_thread_names_it_quotes_the_question_and_links_back(
    client, login_as, switch_to, member, other_member, theme
):
    item = commitment(member, theme, SHARED_TITLE)
    login_as(member)
    thread = ask_for_help(client, item)
    assert thread.visibility == "network"

    switch_to(other_member)
    page = text(client.get(f"/traad/{thread.id}"))
    assert da("I am asking for help with my commitment “%(title)s”.", title=SHARED_TITLE) in page
    quoted = blockquote(page)
    assert "Har nogen forhandlet med en leverandør af LED-lys?" in quoted
    assert "Især om <em>service</em>aftalen." in quoted  # the whole question, as Markdown
    link = f"http://localhost/handlinger/{item.id}"
    assert f'href="{link}"' in page
    assert client.get(link.removeprefix("http://localhost")).status_code == 200


def test_a_private_commitments_title_never_reaches_the_network_thread(
    client, login_as, switch_to, member, other_member, theme, mailbox
):
    item = commitment(member, theme, SECRET_TITLE, visibility="facilitators")
    # Ole follows the theme and wants an email at once about new threads.
    db.session.add(
        EmailPreference(user_id=other_member.id, topic="new_threads", delivery="immediately")
    )
    db.session.commit()
    login_as(other_member)
    client.submit(f"/foelg/tema/{theme.id}", {"level": "watching"})
    switch_to(member)
    thread = ask_for_help(client, item)
    assert thread.visibility == "network"
    opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    for stored in (thread.title, opening.body_md, opening.body_html):
        assert "Omega-7" not in stored
    assert f"/handlinger/{item.id}" not in opening.body_md

    switch_to(other_member)
    page = text(client.get(f"/traad/{thread.id}"))
    assert da("I am asking for help with one of my commitments.") in page
    assert "Har nogen forhandlet med en leverandør af LED-lys?" in blockquote(page)
    assert "Omega-7" not in page
    assert f"/handlinger/{item.id}" not in page
    # Nor in the theme's list, search, or the email that tells a follower of the new thread.
    assert "Omega-7" not in text(client.get(f"/tema/{theme.id}"))
    found = text(client.get("/soeg", query_string={"q": "leverandør"}))
    assert f'href="/traad/{thread.id}' in found  # the thread is in the search index ...
    found = text(client.get("/soeg", query_string={"q": "Omega"}))
    assert f'href="/traad/{thread.id}' not in found  # ... but not under the secret title
    messages = mailbox.wait_for(1)
    (told,) = [message for message in messages if message["To"] == other_member.email]
    assert "leverandør" in mailbox.body(told)  # a network thread's email quotes it ...
    for message in messages:  # ... but nothing of the private commitment
        assert "Omega-7" not in mailbox.body(message)
        assert "Omega-7" not in str(message["Subject"])


def test_a_title_with_markdown_characters_is_shown_as_typed(
    client, login_as, switch_to, member, other_member, theme
):
    title = "Affald *og* genbrug_i_huset <b>nu</b> [fase 2](x)"
    item = commitment(member, theme, title)
    login_as(member)
    thread = ask_for_help(client, item, "Hvem har prøvet det?")
    switch_to(other_member)
    page = text(client.get(f"/traad/{thread.id}"))
    expected = da("I am asking for help with my commitment “%(title)s”.", title=title)
    assert expected in page


def test_the_help_thread_is_written_in_the_members_language(client, login_as, theme):
    english = factories.user(name="Eve English", language="en")
    item = commitment(english, theme, "Solar panels on the roof")
    login_as(english)
    thread = ask_for_help(client, item, "Who has done this?")
    opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    assert opening.body_md.startswith(
        "I am asking for help with my commitment “Solar panels on the roof”.\n\n"
        "> Who has done this?\n\n"
        "Read about the commitment: "
    )


def test_a_question_too_long_to_quote_is_refused_and_nothing_is_saved(
    client, login_as, member, theme
):
    item = commitment(member, theme, SHARED_TITLE)
    login_as(member)
    need = ("ord " * 40 + "\n") * (BODY_MAX // 161)  # fits the field, not once quoted
    assert len(need) <= BODY_MAX
    response = client.submit(f"/handlinger/{item.id}/log", {"needs": need, "ask_for_help": "y"})
    assert response.status_code == 422
    assert da("The text is too long to be quoted in a thread. Shorten what you need.") in text(
        response
    )
    assert db.session.scalar(select(func.count(LogEntry.id))) == 0
    assert db.session.scalar(select(func.count(Thread.id))) == 0
