"""Notifications in the app: who is told what, the bell, the list, following and muting.

Every test that involves a confidential circle checks that a member outside it is told
nothing: no notification, no count, no line on the page.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Notification, NotificationKind, OutboxEmail, Post
from forum.services import circles as circle_service
from forum.services import meetings as meeting_service
from forum.services import moderation as moderation_service
from forum.services import notifications as notification_service
from forum.services import threads as thread_service
from forum.services.meetings import MeetingDetails
from tests import factories


def kinds_for(person) -> list[str]:
    """Return the kinds of every notification the person has, oldest first."""
    return list(
        db.session.scalars(
            select(Notification.kind)
            .where(Notification.user_id == person.id)
            .order_by(Notification.id)
        )
    )


def bell(page: str) -> int:
    """Return the unread count the header's bell shows (0 when it shows none)."""
    match = re.search(r'class="bell[^"]*"(?:(?!</a>).)*?<span class="nav-count">(\d+)', page, re.S)
    return int(match.group(1)) if match else 0


def test_a_reply_tells_the_starter_who_sees_it_on_the_bell_and_lands_on_the_post(
    client, login_as, member, other_member, theme
):
    thread = thread_service.create_thread(member, theme, "Affald i kantinen", "Hvordan?")
    post = thread_service.reply(other_member, thread, "Vi har prøvet med skilte.")
    db.session.commit()

    login_as(member)
    home = client.get("/").get_data(as_text=True)
    assert bell(home) == 1
    page = client.get("/varsler").get_data(as_text=True)
    assert "Affald i kantinen" in page
    assert f"{other_member.name} svarede" in page

    notification = db.session.scalar(select(Notification).where(Notification.user_id == member.id))
    response = client.get(f"/varsler/{notification.id}")
    assert response.status_code == 302
    assert (
        response.headers["Location"].endswith(f"#post-{post.id}")
        or str(post.id) in response.headers["Location"]
    )
    assert bell(client.get("/").get_data(as_text=True)) == 0


def test_nobody_is_told_of_their_own_reply(member, other_member, theme):
    thread = thread_service.create_thread(member, theme, "Tråd", "Tekst")
    thread_service.reply(member, thread, "Mit eget svar")
    db.session.commit()
    assert kinds_for(member) == []


def test_everyone_who_took_part_hears_of_a_reply(member, other_member, theme):
    third = factories.user(name="Tredje")
    thread = thread_service.create_thread(member, theme, "Tråd", "Tekst")
    thread_service.reply(other_member, thread, "Svar")
    thread_service.reply(third, thread, "Endnu et svar")
    db.session.commit()
    assert kinds_for(member) == [NotificationKind.REPLY, NotificationKind.REPLY]
    assert kinds_for(other_member) == [NotificationKind.REPLY]
    assert kinds_for(third) == []


def test_a_circle_reply_reaches_the_circle_and_nobody_outside(client, login_as, member, theme):
    inside = factories.user(name="Indenfor")
    outsider = factories.user(name="Udenfor")
    thread = thread_service.create_thread(
        member, theme, "Hemmelig budgetplan", "Fortroligt", "circle", [inside.id]
    )
    thread_service.reply(inside, thread, "Svar i kredsen")
    thread_service.reply(member, thread, "Tak")
    db.session.commit()

    assert kinds_for(inside) == [NotificationKind.CIRCLE_ADDED, NotificationKind.REPLY]
    assert kinds_for(outsider) == []
    login_as(outsider)
    assert bell(client.get("/").get_data(as_text=True)) == 0
    assert "Hemmelig" not in client.get("/varsler").get_data(as_text=True)


def test_removed_from_a_circle_the_old_notifications_vanish_and_the_title_stays_secret(
    client, login_as, member, theme
):
    inside = factories.user(name="Indenfor")
    thread = thread_service.create_thread(
        member, theme, "Hemmelig budgetplan", "Fortroligt", "circle", [inside.id]
    )
    thread_service.reply(member, thread, "Nyt")
    circle_service.remove_circle_member(member, thread, inside)
    db.session.commit()

    assert NotificationKind.CIRCLE_REMOVED in kinds_for(inside)
    login_as(inside)
    page = client.get("/varsler").get_data(as_text=True)
    assert "Hemmelig" not in page
    assert "fortrolig kreds" in page
    assert bell(client.get("/").get_data(as_text=True)) == 1  # only the removal itself
    stale = db.session.scalar(
        select(Notification).where(
            Notification.user_id == inside.id, Notification.thread_id == thread.id
        )
    )
    assert client.get(f"/varsler/{stale.id}").status_code == 404


def test_a_network_thread_made_a_circle_drops_the_notifications_of_those_left_outside(
    client, login_as, member, other_member, theme
):
    thread = thread_service.create_thread(member, theme, "Åben tråd om budget", "Tekst")
    thread_service.reply(other_member, thread, "Svar")
    thread_service.reply(member, thread, "Tak for svaret")
    circle_service.change_visibility(member, thread, "circle", [])
    db.session.commit()

    login_as(other_member)
    assert bell(client.get("/").get_data(as_text=True)) == 0
    assert "Åben tråd om budget" not in client.get("/varsler").get_data(as_text=True)


def test_muting_a_thread_silences_replies_but_not_moderators(
    client, login_as, member, other_member, facilitator, theme
):
    thread = thread_service.create_thread(member, theme, "Tråd", "Tekst")
    db.session.commit()
    login_as(member)
    response = client.submit(f"/foelg/traad/{thread.id}", {"level": "muted"})
    assert response.status_code == 302
    assert "Slå fra" in client.get(f"/traad/{thread.id}").get_data(as_text=True)

    thread_service.reply(other_member, thread, "Svar")
    opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.position == 1))
    moderation_service.hide_post(facilitator, opening, "Personoplysninger")
    db.session.commit()
    assert kinds_for(member) == [NotificationKind.POST_HIDDEN]
    assert "Personoplysninger" in client.get("/varsler").get_data(as_text=True)


def test_following_a_theme_tells_of_new_threads_there_but_not_circles_one_is_outside(
    client, login_as, member, other_member, theme
):
    login_as(other_member)
    assert client.submit(f"/foelg/tema/{theme.id}", {"level": "watching"}).status_code == 302
    thread_service.create_thread(member, theme, "Ny idé", "Tekst")
    thread_service.create_thread(member, theme, "Kredsens idé", "Tekst", "circle", [])
    db.session.commit()
    assert kinds_for(other_member) == [NotificationKind.NEW_THREAD]


def test_a_bad_follow_level_is_refused_with_a_message(client, login_as, member, theme):
    thread = factories.thread(member, theme)
    before = notification_service.thread_watch_level(member, thread.id)
    login_as(member)
    response = client.submit(f"/foelg/traad/{thread.id}", {"level": "loud"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Vælg, hvor tæt du vil følge tråden." in response.get_data(as_text=True)
    assert notification_service.thread_watch_level(member, thread.id) == before


def test_a_meeting_published_and_moved_tells_everyone_and_queues_no_text_of_circles(
    member, other_member, facilitator
):
    meeting = meeting_service.create_meeting(
        facilitator, MeetingDetails(title="Forårsmøde", date=date.today() + timedelta(days=40))
    )
    details = meeting_service.details_of(meeting)
    details.town = "Tønder"
    meeting_service.update_meeting(facilitator, meeting, details)
    details.title = "Forårsmødet"  # a new title alone is not a change members plan around
    meeting_service.update_meeting(facilitator, meeting, details)
    db.session.commit()
    assert kinds_for(member) == [
        NotificationKind.MEETING_PUBLISHED,
        NotificationKind.MEETING_CHANGED,
    ]
    assert kinds_for(facilitator) == []


def test_a_moderator_answer_to_a_report_tells_the_reporter(
    member, other_member, facilitator, theme
):
    thread = thread_service.create_thread(member, theme, "Tråd", "Tekst")
    post = thread_service.reply(member, thread, "Upassende")
    report = moderation_service.report_post(other_member, post, "Forkert")
    moderation_service.dismiss_report(facilitator, report)
    db.session.commit()
    assert NotificationKind.REPORT_ANSWERED in kinds_for(other_member)


def test_immediate_topics_queue_an_email_in_the_same_transaction(member, other_member, theme):
    thread = thread_service.create_thread(member, theme, "Tråd", "Tekst")
    thread_service.reply(other_member, thread, "Svar")
    db.session.rollback()  # the reply never happened: neither did its notification or email
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == 0

    thread = thread_service.create_thread(member, theme, "Tråd", "Tekst")
    thread_service.reply(other_member, thread, "Svar")
    db.session.commit()
    email = db.session.scalar(select(OutboxEmail))
    assert email.to_address == member.email
    assert email.notification_id is not None


def test_mark_one_and_all_as_read(client, login_as, member, other_member, theme):
    thread = thread_service.create_thread(member, theme, "Tråd", "Tekst")
    for n in range(3):
        thread_service.reply(other_member, thread, f"Svar {n}")
    db.session.commit()
    login_as(member)
    first = db.session.scalar(select(func.min(Notification.id)))
    client.submit(f"/varsler/{first}/laest")
    assert bell(client.get("/").get_data(as_text=True)) == 2
    response = client.submit("/varsler/laest", follow_redirects=True)
    assert "markeret som læst" in response.get_data(as_text=True)
    assert bell(response.get_data(as_text=True)) == 0


def test_nobody_marks_or_opens_someone_elses_notification(
    client, login_as, member, other_member, theme
):
    thread = thread_service.create_thread(member, theme, "Tråd", "Tekst")
    thread_service.reply(other_member, thread, "Svar")
    db.session.commit()
    mine = db.session.scalar(select(Notification.id))
    login_as(other_member)
    assert client.get(f"/varsler/{mine}").status_code == 404
    assert client.submit(f"/varsler/{mine}/laest").status_code == 404


def test_the_notifications_page_runs_the_same_queries_for_few_and_many(
    client, login_as, member, theme, count_queries
):
    repliers = [factories.user(name=f"Svarer {n}") for n in range(5)]
    thread = thread_service.create_thread(member, theme, "Tråd", "Tekst")
    for person in repliers:
        thread_service.reply(person, thread, "Svar")
    db.session.commit()
    login_as(member)
    db.session.remove()
    few = count_queries(lambda: client.get("/varsler"))
    member_again = db.session.merge(member)
    for n in range(40):
        other = thread_service.create_thread(
            member_again, db.session.merge(theme), f"Tråd {n}", "Tekst"
        )
        thread_service.reply(db.session.merge(repliers[n % 5]), other, "Svar")
    db.session.commit()
    db.session.remove()
    many = count_queries(lambda: client.get("/varsler"))
    assert few == many


def test_reading_the_thread_clears_the_bell_for_what_was_read(
    client, login_as, member, other_member, theme
):
    thread = thread_service.create_thread(member, theme, "Tråd", "Tekst")
    thread_service.reply(other_member, thread, "Svar")
    db.session.commit()
    login_as(member)
    assert bell(client.get("/").get_data(as_text=True)) == 1
    assert bell(client.get(f"/traad/{thread.id}").get_data(as_text=True)) == 0  # at once
    assert bell(client.get("/").get_data(as_text=True)) == 0


def test_marking_a_theme_or_everything_read_clears_the_bell_too(
    client, login_as, member, other_member, theme
):
    thread = thread_service.create_thread(member, theme, "Tråd", "Tekst")
    thread_service.reply(other_member, thread, "Svar")
    other_theme = factories.theme()
    elsewhere = thread_service.create_thread(member, other_theme, "Anden tråd", "Tekst")
    thread_service.reply(other_member, elsewhere, "Svar")
    db.session.commit()
    login_as(member)
    assert bell(client.get("/").get_data(as_text=True)) == 2
    client.submit(f"/tema/{theme.id}/marker-laest")
    assert bell(client.get("/").get_data(as_text=True)) == 1
    client.submit("/marker-alt-laest")
    assert bell(client.get("/").get_data(as_text=True)) == 0


def test_the_bell_on_a_thread_page_still_counts_what_is_not_about_the_thread(
    client, login_as, member, other_member, facilitator, theme
):
    thread = thread_service.create_thread(member, theme, "Tråd", "Tekst")
    thread_service.reply(other_member, thread, "Svar")
    meeting_service.create_meeting(
        facilitator, MeetingDetails(title="Forårsmøde", date=date.today() + timedelta(days=40))
    )
    db.session.commit()
    login_as(member)
    assert bell(client.get("/").get_data(as_text=True)) == 2
    assert bell(client.get(f"/traad/{thread.id}").get_data(as_text=True)) == 1  # the meeting
