"""Search never shows a member anything they may not see: not a result, a snippet, a count,
a colleague or a similar title; and every change of visibility takes effect at once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from forum.extensions import db
from forum.models import CommitmentStatus
from forum.services import actions as action_service
from forum.services import circles, library, moderation
from forum.services import meetings as meeting_service
from forum.services import search as search_service
from forum.services import threads as thread_service
from forum.services.search_text import parse
from tests import factories

SECRET = "hemmeligord"


def make_commitment(owner, theme, title, why="", visibility="network", status="in_progress"):
    commitment = action_service.create_commitment(
        owner,
        title=title,
        why=why,
        theme=theme,
        sdgs=[12],
        meeting=None,
        due_date=None,
        status=status,
        visibility=visibility,
    )
    db.session.commit()
    return commitment


def make_meeting(title, agenda=""):
    facilitator = factories.user(role="facilitator")
    meeting = meeting_service.create_meeting(
        facilitator,
        meeting_service.MeetingDetails(
            title=title, date=date.today() + timedelta(days=30), town="Vejle", agenda=agenda
        ),
    )
    db.session.commit()
    return meeting


def everything(viewer, text=SECRET):
    """Return what a search shows the viewer: hits, counts, colleagues, similar titles."""
    query = parse(text)
    results = search_service.search(viewer, query, search_service.Filters())
    return {
        "hits": [(hit.kind.value, hit.key) for hit in results.hits],
        "counts": results.counts,
        "colleagues": [c.user.id for c in results.colleagues],
        "similar": [s.thread_id for s in search_service.similar_threads(viewer, text)],
    }


NOTHING = {"hits": [], "counts": {}, "colleagues": [], "similar": []}


@pytest.fixture
def cast(db_session):
    author = factories.user("Anne Forfatter")
    named = factories.user("Cai Kreds")
    outsider = factories.user("Dan Udenfor")
    facilitator = factories.user("Fie Facilitator", role="facilitator")
    theme = factories.theme("Energi")
    return author, named, outsider, facilitator, theme


def test_a_circle_thread_is_found_only_by_its_circle(cast):
    author, named, outsider, facilitator, theme = cast
    thread = thread_service.create_thread(
        author, theme, f"Om {SECRET}", f"Brødtekst {SECRET}", "circle", [named.id]
    )
    reply = thread_service.reply(named, thread, f"Svar med {SECRET}")
    db.session.commit()
    assert everything(outsider) == NOTHING
    for insider in (author, named, facilitator):
        seen = everything(insider)
        assert set(seen["hits"]) == {("thread", thread.id), ("post", reply.id)}
        assert seen["counts"] == {"traade": 2}
        assert seen["similar"] == [thread.id]


def test_facilitators_only_threads_are_found_by_facilitators_and_the_author(cast):
    author, named, outsider, facilitator, theme = cast
    thread = thread_service.create_thread(author, theme, SECRET, SECRET, "facilitators")
    db.session.commit()
    assert everything(outsider) == NOTHING
    assert everything(named) == NOTHING
    assert everything(facilitator)["hits"] == [("thread", thread.id)]
    assert everything(author)["hits"] == [("thread", thread.id)]


def test_leaving_a_circle_drops_its_threads_from_results_at_once(cast):
    author, named, outsider, facilitator, theme = cast
    thread = thread_service.create_thread(author, theme, SECRET, SECRET, "circle", [named.id])
    db.session.commit()
    assert everything(named)["hits"] == [("thread", thread.id)]
    circles.remove_circle_member(author, thread, named)
    db.session.commit()
    assert everything(named) == NOTHING


def test_changing_visibility_either_way_takes_effect_at_once(cast):
    author, named, outsider, facilitator, theme = cast
    thread = factories.thread(author, theme, SECRET, SECRET)
    assert everything(outsider)["hits"] == [("thread", thread.id)]
    circles.change_visibility(author, thread, "circle", [named.id])
    db.session.commit()
    assert everything(outsider) == NOTHING
    assert everything(named)["hits"] == [("thread", thread.id)]
    circles.change_visibility(author, thread, "network")
    db.session.commit()
    assert everything(outsider)["hits"] == [("thread", thread.id)]


def test_hidden_threads_and_posts_are_found_only_by_facilitators_and_authors(cast):
    author, named, outsider, facilitator, theme = cast
    thread = factories.thread(author, theme, "Åben tråd", "Start")
    post = factories.reply(named, thread, f"Et {SECRET} svar")
    moderation.hide_post(facilitator, post, "Personfølsomt")
    db.session.commit()
    assert everything(outsider) == NOTHING
    assert everything(named)["hits"] == [("post", post.id)]
    assert everything(facilitator)["hits"] == [("post", post.id)]
    moderation.restore_post(facilitator, post)
    moderation.hide_thread(facilitator, thread, "Ude af emnet")
    db.session.commit()
    assert everything(outsider) == NOTHING
    assert everything(facilitator)["hits"] == [("post", post.id)]


def test_withdrawn_posts_are_not_found_by_anyone(cast):
    author, named, outsider, facilitator, theme = cast
    thread = factories.thread(author, theme, "Åben tråd", "Start")
    post = factories.reply(named, thread, f"Et {SECRET} svar")
    thread_service.withdraw_post(named, post)
    db.session.commit()
    for person in (author, named, outsider, facilitator):
        assert everything(person) == NOTHING


def test_private_commitments_their_log_and_comments_stay_private(cast):
    author, named, outsider, facilitator, theme = cast
    commitment = make_commitment(author, theme, f"Mål om {SECRET}", why=SECRET)
    entry = action_service.log_progress(author, commitment, tried=f"Prøvede {SECRET}")
    comment = action_service.add_comment(named, commitment, f"Godt med {SECRET}")
    db.session.commit()
    shared = {("commitment", commitment.id), ("log_entry", entry.id), ("comment", comment.id)}
    assert set(everything(outsider)["hits"]) == shared
    assert everything(outsider)["colleagues"] == [author.id]
    action_service.update_commitment(
        author,
        commitment,
        title=commitment.title,
        why=SECRET,
        theme=theme,
        sdgs=[12],
        meeting=None,
        due_date=None,
        status="in_progress",
        visibility="facilitators",
    )
    db.session.commit()
    assert everything(outsider) == NOTHING
    assert set(everything(facilitator)["hits"]) == shared
    assert everything(facilitator)["colleagues"] == []  # the panel is the network's
    assert set(everything(author)["hits"]) == shared


def test_colleagues_are_members_with_matching_shared_commitments_under_way_or_done(cast):
    author, named, outsider, facilitator, theme = cast
    make_commitment(author, theme, f"{SECRET} i udlånet", status=CommitmentStatus.DONE)
    make_commitment(named, theme, f"{SECRET} i kælderen", status=CommitmentStatus.PLANNED)
    colleagues = search_service.search(outsider, parse(SECRET), search_service.Filters()).colleagues
    assert [(c.user.id, c.commitment_done) for c in colleagues] == [(author.id, True)]
    # Never the searcher themself.
    assert everything(author)["colleagues"] == []


def test_profiles_name_colleagues_but_deactivated_people_are_not_offered(cast):
    author, named, outsider, facilitator, theme = cast
    named.bio = f"Jeg arbejder med {SECRET}"
    db.session.commit()
    assert everything(outsider)["colleagues"] == [named.id]
    assert everything(outsider)["hits"] == []  # profiles are not results
    make_commitment(named, theme, f"Mere {SECRET}", status=CommitmentStatus.DONE)
    admin = factories.user("Ada Admin", role="admin")
    assert everything(admin)["colleagues"] == [named.id]
    named.is_enabled = False
    db.session.commit()
    assert everything(outsider)["colleagues"] == []
    assert everything(admin)["colleagues"] == []  # admins see the account, not a colleague


def test_facilitators_only_and_removed_resources(cast):
    author, named, outsider, facilitator, theme = cast
    prepared = factories.file_resource(facilitator, title=SECRET, visibility="facilitators")
    assert everything(outsider) == NOTHING
    assert everything(facilitator)["hits"] == [("resource", prepared.id)]
    shared = factories.file_resource(author, title=f"Delt {SECRET}")
    assert everything(outsider)["hits"] == [("resource", shared.id)]
    library.remove_resource(author, shared)
    db.session.commit()
    assert everything(outsider) == NOTHING
    assert everything(facilitator)["hits"] == [("resource", prepared.id)]
    library.restore_resource(facilitator, shared)
    db.session.commit()
    assert everything(outsider)["hits"] == [("resource", shared.id)]


def test_meetings_are_found_by_every_member(cast):
    author, named, outsider, facilitator, theme = cast
    meeting = make_meeting("Forårsmøde", agenda=f"Oplæg om {SECRET}")
    assert everything(outsider)["hits"] == [("meeting", meeting.id)]


def test_counts_and_filters_only_count_what_the_viewer_may_see(cast):
    author, named, outsider, facilitator, theme = cast
    factories.thread(author, theme, SECRET, SECRET)
    thread_service.create_thread(author, theme, SECRET, SECRET, "circle", [named.id])
    db.session.commit()
    query = parse(SECRET)
    for filters in (
        search_service.Filters(),
        search_service.Filters(theme_id=theme.id),
        search_service.Filters(author_id=author.id),
        search_service.Filters(group="traade"),
    ):
        assert search_service.search(outsider, query, filters).counts == {"traade": 1}
        assert search_service.search(named, query, filters).counts == {"traade": 2}
