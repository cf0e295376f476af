"""Action commitments through the forms: record at a meeting, log, ask for help, comment,
change status; who sees what; the network list, the facilitator overview and meeting
preparation with its CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, time, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import event, func, select

from forum import dates
from forum.extensions import db
from forum.models import (
    Commitment,
    CommitmentGoal,
    LogEntry,
    Meeting,
    Post,
    Rsvp,
    Survey,
    SurveyAnswer,
    SurveyOption,
    SurveyQuestion,
    SurveyResponse,
    Thread,
    User,
    utcnow,
)
from forum.services import actions as action_service
from forum.services import overview as overview_service
from forum.services.meetings import today
from forum.services.threads import TITLE_MAX
from tests import factories
from tests.text import da, plain, text

COMMITMENT_URL = re.compile(r"/handlinger/(\d+)$")
QUERY_BUDGET = 20

SECRET_TITLE = "Hemmelig plan for Filial Omega-7"
SECRET_WHY = "fortroligt-begrundelse-314"
SECRET_TRIED = "fortroligt-forsøg-2718"
NEED_TEXT = "Har nogen erfaring med at forhandle med en leverandør af LED-lys?"


# --- helpers -----------------------------------------------------------------------------


def meeting(title: str, day: date) -> Meeting:
    item = Meeting(title=title, date=day, starts_at=time(10), ends_at=time(15), town="Vejle")
    db.session.add(item)
    db.session.commit()
    return item


@pytest.fixture
def meetings(db_session) -> dict[str, Meeting]:
    """An older meeting, the latest one held, and the next one."""
    now = today()
    return {
        "older": meeting("Forårsmødet", now - timedelta(days=130)),
        "last": meeting("Sommermødet", now - timedelta(days=10)),
        "next": meeting("Efterårsmødet", now + timedelta(days=40)),
    }


def commitment(
    owner: User,
    theme,
    title: str,
    *,
    visibility: str = "network",
    made_at: Meeting | None = None,
    status: str = "planned",
    sdgs: tuple[int, ...] = (13,),
    why: str = "",
) -> Commitment:
    return action_service.create_commitment(
        owner,
        title=title,
        why=why,
        theme=theme,
        sdgs=list(sdgs),
        meeting=made_at,
        due_date=None,
        status=status,
        visibility=visibility,
    )


def form_for(theme, made_at: Meeting | None, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Skift til LED i børnebiblioteket",
        "why": "Det sparer *strøm*.",
        "theme_id": str(theme.id),
        "sdgs": ["7", "13"],
        "meeting_id": str(made_at.id) if made_at else "",
        "due_date": "",
        "status": "planned",
        "visibility": "network",
    }
    data.update(changes)
    return data


def created_id(response) -> int:
    assert response.status_code == 302, text(response)
    match = COMMITMENT_URL.search(response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def item_for(page: str, title: str) -> str:
    """Return the list item of a page that holds the title."""
    return next(item for item in page.split("<li") if title in item)


def row_for(page: str, title: str) -> str:
    """Return the table row of a page that holds the title."""
    return next(row for row in page.split("<tr") if title in row)


# --- the cycle ---------------------------------------------------------------------------


def test_new_form_defaults_to_the_latest_meeting_and_the_next_meetings_date(
    client, login_as, member, theme, meetings
):
    login_as(member)
    page = text(client.get("/handlinger/ny"))
    assert f'<option selected value="{meetings["last"].id}">' in page
    assert f'value="{meetings["next"].date.isoformat()}"' in page
    assert "13. " + da("Climate action") in page
    assert page.count("<h1>") == 1
    assert "<legend>" in page


def test_the_cycle_from_meeting_to_help_thread(
    client, login_as, switch_to, member, other_member, theme, meetings
):
    login_as(member)
    response = client.submit("/handlinger/ny", form_for(theme, meetings["last"]))
    commitment_id = created_id(response)
    item = fresh(Commitment, commitment_id)
    assert item.owner_id == member.id
    assert item.meeting_id == meetings["last"].id
    assert item.due_date == meetings["next"].date  # due at the next meeting by default
    assert item.sdgs == [7, 13]
    assert "<em>strøm</em>" in item.why_html

    page = text(client.get(f"/handlinger/{commitment_id}"))
    assert "Skift til LED i børnebiblioteket" in page
    assert "<em>strøm</em>" in page
    assert da("Planned") in page

    # Two check-ins; the second asks the network for help.
    response = client.submit(
        f"/handlinger/{commitment_id}/log",
        {"tried": "Talte med *driften*", "learned": "De er positive"},
    )
    assert response.status_code == 302
    response = client.submit(
        f"/handlinger/{commitment_id}/log",
        {"blocking": "Budgettet", "needs": NEED_TEXT, "ask_for_help": "y"},
    )
    assert response.status_code == 302
    item = fresh(Commitment, commitment_id)
    assert item.entry_count == 2
    assert item.last_entry_at is not None
    entries = db.session.scalars(
        select(LogEntry).where(LogEntry.commitment_id == commitment_id).order_by(LogEntry.id)
    ).all()
    assert [entry.asks_for_help for entry in entries] == [False, True]
    thread = db.session.get(Thread, entries[1].help_thread_id)
    assert thread.theme_id == theme.id
    assert thread.visibility == "network"
    # The title comes from what the member asked, never from the commitment's own title.
    assert thread.title == plain("Help wanted: %(title)s", title=NEED_TEXT.splitlines()[0])
    assert "Skift til LED i børnebiblioteket" not in thread.title
    opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    assert NEED_TEXT in opening.body_md
    assert f"http://localhost/handlinger/{commitment_id}" in opening.body_md

    page = text(client.get(f"/handlinger/{commitment_id}"))
    assert "<em>driften</em>" in page
    assert f'href="/traad/{thread.id}"' in page

    # Another member reads the thread and comments on the commitment.
    switch_to(other_member)
    assert NEED_TEXT in text(client.get(f"/traad/{thread.id}"))
    response = client.submit(
        f"/handlinger/{commitment_id}/kommentar", {"body": "Prøv **Energistyrelsen**"}
    )
    assert response.status_code == 302
    page = text(client.get(f"/handlinger/{commitment_id}"))
    assert "<strong>Energistyrelsen</strong>" in page
    assert other_member.name in page
    assert fresh(Commitment, commitment_id).comment_count == 1
    # ... but may not change, log on or move it.
    assert client.get(f"/handlinger/{commitment_id}/rediger").status_code == 403
    assert client.get(f"/handlinger/{commitment_id}/log").status_code == 403
    assert (
        client.submit(f"/handlinger/{commitment_id}/status", {"status": "done"}).status_code == 403
    )
    assert fresh(Commitment, commitment_id).status == "planned"

    # The owner moves it on.
    switch_to(member)
    response = client.submit(f"/handlinger/{commitment_id}/status", {"status": "in_progress"})
    assert response.status_code == 302
    assert fresh(Commitment, commitment_id).status == "in_progress"
    assert da("In progress") in text(client.get(f"/handlinger/{commitment_id}"))


def test_owner_edits_the_commitment(client, login_as, member, theme, meetings):
    item = commitment(member, theme, "Gammel titel", made_at=meetings["last"], sdgs=(1, 2))
    login_as(member)
    page = text(client.get(f"/handlinger/{item.id}/rediger"))
    assert 'value="Gammel titel"' in page
    assert re.search(r'value="1" id="sdgs-1" checked', page)
    response = client.submit(
        f"/handlinger/{item.id}/rediger",
        form_for(
            theme,
            meetings["older"],
            title="Ny titel",
            sdgs=["2", "12"],
            due_date="2031-05-01",
            status="paused",
            visibility="facilitators",
        ),
    )
    assert response.status_code == 302
    item = fresh(Commitment, item.id)
    assert item.title == "Ny titel"
    assert item.sdgs == [2, 12]
    assert item.meeting_id == meetings["older"].id
    assert item.due_date == date(2031, 5, 1)
    assert item.status == "paused"
    assert item.visibility == "facilitators"


def test_due_date_defaults_to_the_meeting_after_the_chosen_one(member, theme, meetings):
    item = commitment(member, theme, "Fra foråret", made_at=meetings["older"])
    assert item.due_date == meetings["last"].date
    assert commitment(member, theme, "Uden møde").due_date is None
    assert commitment(member, theme, "Fra det næste", made_at=meetings["next"]).due_date is None


def test_my_commitments_are_grouped_by_status_and_sorted_by_due_date(
    client, login_as, member, other_member, theme
):
    later = commitment(member, theme, "Senere ting")
    later.due_date = today() + timedelta(days=60)
    sooner = commitment(member, theme, "Tidligere ting")
    sooner.due_date = today() + timedelta(days=5)
    commitment(member, theme, "Færdig ting", status="done")
    commitment(other_member, theme, "Andens ting")
    db.session.commit()
    login_as(member)
    page = text(client.get("/handlinger"))
    assert page.index("Tidligere ting") < page.index("Senere ting")
    assert page.index(da("Planned")) < page.index("Senere ting") < page.index(da("Done"))
    assert page.index(da("Done")) < page.index("Færdig ting")
    assert "Andens ting" not in page


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"title": "   "},
        {"title": "x" * 201},
        {"sdgs": ["13", "18"]},
        {"theme_id": "987654"},
        {"theme_id": "abc"},
        {"meeting_id": "987654"},
        {"due_date": "ikke-en-dato"},
        {"status": "forgotten"},
        {"visibility": "everyone"},
        {"why": "x" * 50_001},
        {"due_date": "9999-12-31"},  # once broke the owner's calendar feed with a 500
    ],
)
def test_a_refused_commitment_comes_back_with_the_text_kept(
    client, login_as, member, theme, meetings, changes
):
    login_as(member)
    data = form_for(theme, meetings["last"], why="Min begrundelse-42")
    data.update(changes)
    response = client.submit("/handlinger/ny", data)
    assert response.status_code == 422
    page = text(response)
    if "why" not in changes:
        assert "Min begrundelse-42" in page
    assert 'class="error-summary"' in page
    assert db.session.scalar(select(func.count(Commitment.id))) == 0


def test_archived_theme_is_refused(client, login_as, member, theme, meetings):
    archived = factories.theme(name="Gammelt tema", archived_at=utcnow())
    login_as(member)
    response = client.submit("/handlinger/ny", form_for(archived, meetings["last"]))
    assert response.status_code == 422
    assert 'value="Skift til LED i børnebiblioteket"' in text(response)


def test_a_check_in_needs_some_text(client, login_as, member, theme):
    item = commitment(member, theme, "Noget at gøre")
    login_as(member)
    response = client.submit(f"/handlinger/{item.id}/log", {"tried": "  ", "needs": ""})
    assert response.status_code == 422
    assert da("Write in at least one of the fields.") in text(response)
    assert fresh(Commitment, item.id).entry_count == 0


def test_asking_for_help_needs_a_need(client, login_as, member, theme):
    item = commitment(member, theme, "Noget at gøre")
    login_as(member)
    response = client.submit(
        f"/handlinger/{item.id}/log", {"tried": "Forsøg-77", "ask_for_help": "y"}
    )
    assert response.status_code == 422
    page = text(response)
    assert "Forsøg-77" in page
    assert da("Say what you need from the others to ask the network for help.") in page
    assert db.session.scalar(select(func.count(LogEntry.id))) == 0
    assert db.session.scalar(select(func.count(Thread.id))) == 0


def test_help_thread_title_fits_however_long_the_commitment_title(member, theme):
    item = commitment(member, theme, "Æ" * 200)
    entry = action_service.log_progress(member, item, needs="Hjælp", ask_for_help=True)
    assert len(entry.help_thread.title) <= TITLE_MAX


def test_empty_comment_and_unknown_status_are_refused(
    client, login_as, switch_to, member, other_member, theme
):
    item = commitment(member, theme, "Noget at gøre")
    login_as(member)
    response = client.submit(f"/handlinger/{item.id}/status", {"status": "forgotten"})
    assert response.status_code == 422
    assert fresh(Commitment, item.id).status == "planned"
    switch_to(other_member)
    response = client.submit(f"/handlinger/{item.id}/kommentar", {"body": "   "})
    assert response.status_code == 422
    assert fresh(Commitment, item.id).comment_count == 0


# --- confidentiality ---------------------------------------------------------------------


def test_commitment_kept_with_facilitators_is_invisible_to_other_members(
    client, login_as, switch_to, member, other_member, facilitator, theme, meetings
):
    secret = commitment(
        member,
        theme,
        SECRET_TITLE,
        visibility="facilitators",
        made_at=meetings["last"],
        why=SECRET_WHY,
    )
    shared = commitment(member, theme, "Delt plan", made_at=meetings["last"])
    db.session.add(Rsvp(meeting_id=meetings["next"].id, user_id=member.id, attending=True))
    db.session.commit()
    login_as(member)
    response = client.submit(
        f"/handlinger/{secret.id}/log",
        {"tried": SECRET_TRIED, "needs": NEED_TEXT, "ask_for_help": "y"},
    )
    assert response.status_code == 302
    entry = db.session.scalar(select(LogEntry).where(LogEntry.commitment_id == secret.id))
    thread_id = entry.help_thread_id
    opening = db.session.scalar(select(Post).where(Post.thread_id == thread_id))
    # The need the member typed, quoted, and only that it is about a commitment.
    about = plain("I am asking for help with one of my commitments.")
    assert opening.body_md == f"{about}\n\n> {NEED_TEXT}"
    # The owner sees it in their own list.
    assert SECRET_TITLE in text(client.get("/handlinger"))

    switch_to(other_member)
    for url in (
        f"/handlinger/{secret.id}",
        f"/handlinger/{secret.id}/log",
        f"/handlinger/{secret.id}/rediger",
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (f"/handlinger/{secret.id}/kommentar", {"body": "Indtrængen"}),
        (f"/handlinger/{secret.id}/status", {"status": "done"}),
    ):
        assert client.submit(url, data).status_code == 404, url
    assert fresh(Commitment, secret.id).comment_count == 0
    for url in (
        "/handlinger",
        "/handlinger/netvaerket",
        f"/handlinger/netvaerket?moede={meetings['last'].id}",
        f"/handlinger/{shared.id}",
        f"/traad/{thread_id}",
        f"/tema/{theme.id}",
        "/",
    ):
        page = text(client.get(url))
        for word in (SECRET_TITLE, SECRET_WHY, SECRET_TRIED, f'/handlinger/{secret.id}"'):
            assert word not in page, (url, word)
    # The help thread itself is the network's: it shows the need.
    assert NEED_TEXT in text(client.get(f"/traad/{thread_id}"))

    switch_to(facilitator)
    page = text(client.get(f"/handlinger/{secret.id}"))
    assert SECRET_TITLE in page
    assert SECRET_WHY in page
    assert SECRET_TRIED in page
    assert SECRET_TITLE in text(client.get("/facilitator/oversigt"))
    page = text(client.get(f"/moeder/{meetings['next'].id}/forberedelse"))
    assert SECRET_TITLE in page
    assert SECRET_TRIED in page
    # Shared lists stay shared-only, for facilitators too.
    assert SECRET_TITLE not in text(client.get("/handlinger/netvaerket"))
    assert (
        client.submit(f"/handlinger/{secret.id}/kommentar", {"body": "Godt gået"}).status_code
        == 302
    )


def test_facilitator_pages_are_refused_to_members(client, login_as, member, meetings):
    login_as(member)
    for url in (
        "/facilitator/oversigt",
        f"/moeder/{meetings['next'].id}/forberedelse",
        f"/moeder/{meetings['next'].id}/forberedelse.csv",
    ):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_log_in(client, member, theme, meetings):
    item = commitment(member, theme, "Noget")
    for url in (
        "/handlinger",
        "/handlinger/ny",
        "/handlinger/netvaerket",
        f"/handlinger/{item.id}",
        f"/handlinger/{item.id}/rediger",
        f"/handlinger/{item.id}/log",
        "/facilitator/oversigt",
        f"/moeder/{meetings['next'].id}/forberedelse",
        f"/moeder/{meetings['next'].id}/forberedelse.csv",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url
    for url in (f"/handlinger/{item.id}/status", f"/handlinger/{item.id}/kommentar"):
        response = client.post(url, data={"status": "done", "body": "x"})
        assert response.status_code in (302, 400), url
    assert fresh(Commitment, item.id).status == "planned"


def test_missing_meeting_answers_404_to_facilitators(client, login_as, facilitator):
    login_as(facilitator)
    assert client.get("/moeder/987654/forberedelse").status_code == 404
    assert client.get("/moeder/987654/forberedelse.csv").status_code == 404


# --- the network list --------------------------------------------------------------------


def test_network_list_filters_by_theme_goal_status_and_meeting(
    client, login_as, member, other_member, theme, meetings
):
    second_theme = factories.theme(name="Engagement")
    commitment(member, theme, "Alfa-plan", made_at=meetings["last"], sdgs=(13,))
    commitment(other_member, second_theme, "Beta-plan", made_at=meetings["last"], sdgs=(4, 12))
    commitment(member, theme, "Gamma-plan", made_at=meetings["older"], status="done", sdgs=(12,))
    commitment(member, theme, "Delta-plan", visibility="facilitators", sdgs=(12,))
    login_as(other_member)

    def titles(query: str = "") -> set[str]:
        response = client.get(f"/handlinger/netvaerket{query}")
        assert response.status_code == 200, query
        return set(re.findall(r">(\w+-plan)<", text(response)))

    assert titles() == {"Alfa-plan", "Beta-plan", "Gamma-plan"}
    assert titles(f"?tema={second_theme.id}") == {"Beta-plan"}
    assert titles("?maal=12") == {"Beta-plan", "Gamma-plan"}
    assert titles("?status=done") == {"Gamma-plan"}
    assert titles(f"?moede={meetings['last'].id}") == {"Alfa-plan", "Beta-plan"}
    assert titles(f"?tema={theme.id}&maal=12&status=done") == {"Gamma-plan"}
    assert titles("?tema=&maal=&status=&moede=") == {"Alfa-plan", "Beta-plan", "Gamma-plan"}
    page = text(client.get("/handlinger/netvaerket?maal=12"))
    assert '<option selected value="12">' in page
    assert "<label" in page and 'type="submit"' in page


@pytest.mark.parametrize("query", ["?tema=abc", "?maal=99", "?status=lost", "?moede=987654"])
def test_a_bad_filter_is_refused_without_an_error_page(client, login_as, member, query):
    login_as(member)
    response = client.get(f"/handlinger/netvaerket{query}")
    assert response.status_code == 422
    assert 'class="error-message"' in text(response)


def test_network_list_pages_by_key(client, login_as, member, theme):
    for n in range(action_service.NETWORK_PAGE_SIZE + 3):
        db.session.add(
            Commitment(owner_id=member.id, theme_id=theme.id, title=f"Plan nummer {n:03d}")
        )
    db.session.commit()
    login_as(member)
    page = text(client.get("/handlinger/netvaerket"))
    assert "Plan nummer 052" in page
    assert "Plan nummer 002" not in page
    link = re.search(r'href="(/handlinger/netvaerket\?efter=\d+)" rel="next"', page)
    assert link
    older = text(client.get(link.group(1).replace("&amp;", "&")))
    assert "Plan nummer 002" in older
    assert "Plan nummer 052" not in older
    assert client.get("/handlinger/netvaerket?efter=abc").status_code == 404


# --- the facilitator overview ------------------------------------------------------------


def test_overview_flags_commitments_without_an_entry_for_four_weeks(
    client, login_as, member, other_member, facilitator, theme, meetings
):
    long_ago = utcnow() - timedelta(days=40)
    quiet = commitment(member, theme, "Stille-plan", made_at=meetings["last"])
    quiet.created_at = long_ago
    logged = commitment(member, theme, "Aktiv-plan", made_at=meetings["last"])
    logged.created_at = long_ago
    logged.last_entry_at = utcnow() - timedelta(days=27)
    commitment(other_member, theme, "Ny-plan", made_at=meetings["last"])
    old_log = commitment(other_member, theme, "Glemt-plan", made_at=meetings["last"])
    old_log.created_at = long_ago
    old_log.last_entry_at = utcnow() - timedelta(days=29)
    done = commitment(member, theme, "Færdig-plan", status="done", made_at=meetings["older"])
    done.created_at = long_ago
    db.session.add(Rsvp(meeting_id=meetings["next"].id, user_id=member.id, attending=True))
    db.session.add(Rsvp(meeting_id=meetings["next"].id, user_id=other_member.id, attending=False))
    db.session.commit()
    with force_locale("da"):
        last_entry = dates.day_text(logged.last_entry_at)

    login_as(facilitator)
    page = text(client.get("/facilitator/oversigt"))
    flag = da("No log entry for %(days)d days", days=28)
    assert flag in item_for(page, "Stille-plan")
    assert flag in item_for(page, "Glemt-plan")
    assert flag not in item_for(page, "Aktiv-plan")
    assert flag not in item_for(page, "Ny-plan")
    assert "Færdig-plan" not in page  # only open commitments are listed
    assert da("Coming") in row_for(page, member.name)
    assert last_entry in row_for(page, member.name)
    assert da("Not coming") in row_for(page, other_member.name)
    assert da("Never") not in row_for(page, other_member.name)


def test_follow_through_chart_counts_each_meetings_commitments(
    client, login_as, member, facilitator, theme, meetings
):
    last = meetings["last"]
    commitment(member, theme, "Et", made_at=last, status="done")
    commitment(member, theme, "To", made_at=last, status="dropped")
    commitment(member, theme, "Tre", made_at=last, status="paused")
    commitment(member, theme, "Fire", made_at=last, status="in_progress")
    stuck = commitment(member, theme, "Fem", made_at=meetings["older"], status="in_progress")
    stuck.created_at = utcnow() - timedelta(days=60)
    db.session.commit()

    groups = {
        (item.meeting.id if item.meeting else None): item.counts
        for item in overview_service.follow_through(facilitator, utcnow())
    }
    assert groups[last.id] == {"done": 1, "dropped": 1, "stalled": 1, "in_progress": 1}
    assert groups[meetings["older"].id] == {"stalled": 1}

    login_as(facilitator)
    page = text(client.get("/facilitator/oversigt"))
    chart = page[page.index('class="data follow-through') :]
    assert "<caption>" in chart and 'scope="row"' in chart
    last_row = row_for(chart, last.title)
    assert last_row.count("bar-w-25") == 4
    assert 'aria-hidden="true"' in last_row
    assert " style=" not in page


# --- meeting preparation -----------------------------------------------------------------


@pytest.fixture
def prepared(member, other_member, facilitator, theme, meetings):
    """Mette comes to the next meeting, Ole does not; both made commitments at the last one."""
    last, upcoming = meetings["last"], meetings["next"]
    db.session.add(Rsvp(meeting_id=upcoming.id, user_id=member.id, attending=True))
    db.session.add(Rsvp(meeting_id=upcoming.id, user_id=other_member.id, attending=False))
    db.session.commit()
    mine = commitment(member, theme, "Mettes-plan", made_at=last)
    for number in range(1, 4):
        action_service.log_progress(member, mine, tried=f"Forsøg-nummer-{number}")
    earlier = commitment(member, theme, "Mettes-gamle-plan", made_at=meetings["older"])
    ole = commitment(other_member, theme, "Oles-plan", made_at=last)
    action_service.log_progress(other_member, ole, needs="Oles-behov", ask_for_help=True)
    finished = commitment(other_member, theme, "Oles-færdige-plan", made_at=last)
    action_service.log_progress(other_member, finished, needs="Løst-behov", ask_for_help=True)
    action_service.set_status(other_member, finished, "done")
    formula = commitment(member, theme, '=HYPERLINK("x")', made_at=last)
    return {"mine": mine, "earlier": earlier, "ole": ole, "formula": formula}


def test_preparation_shows_attendees_their_commitments_and_help_requests(
    client, login_as, member, other_member, facilitator, meetings, prepared
):
    login_as(facilitator)
    page = text(client.get(f"/moeder/{meetings['next'].id}/forberedelse"))
    assert member.name in page
    assert "Mettes-plan" in page
    assert "Forsøg-nummer-3" in page and "Forsøg-nummer-2" in page
    assert "Forsøg-nummer-1" not in page  # the latest two entries only
    assert "Mettes-gamle-plan" not in page  # made at another meeting
    assert "Oles-plan" in page  # ... as an open help request, though Ole does not come
    assert "Oles-behov" in page
    help_entry = db.session.scalar(
        select(LogEntry).where(LogEntry.commitment_id == prepared["ole"].id)
    )
    assert f'href="/traad/{help_entry.help_thread_id}"' in page
    assert "Løst-behov" not in page  # its commitment is done
    assert page.count("<h1>") == 1
    attendees = page[page.index('id="attendees-heading"') : page.index('id="previous-heading"')]
    assert member.name in attendees
    assert other_member.name not in attendees


def test_preparation_shows_the_survey_totals(client, login_as, facilitator, member, meetings):
    upcoming = meetings["next"]
    survey = Survey(meeting_id=upcoming.id, title="Behov før mødet", opened_at=utcnow())
    question = SurveyQuestion(kind="single", prompt="Hvad vil du tale om?", position=1)
    question.options = [
        SurveyOption(label="Affald-emne", position=1),
        SurveyOption(label="Energi-emne", position=2),
    ]
    survey.questions = [question]
    db.session.add(survey)
    db.session.commit()
    for person in (member, facilitator):
        response = SurveyResponse(survey_id=survey.id, user_id=person.id)
        response.answers = [SurveyAnswer(question_id=question.id, option_id=question.options[1].id)]
        db.session.add(response)
    db.session.commit()
    login_as(facilitator)
    page = text(client.get(f"/moeder/{upcoming.id}/forberedelse"))
    assert "Behov før mødet" in page
    table = page[page.index("Hvad vil du tale om?") :]
    assert re.search(r"Energi-emne</th><td class=\"num\">2<", table)
    assert re.search(r"Affald-emne</th><td class=\"num\">0<", table)


def test_preparation_csv_has_a_row_per_attendee_commitment(
    client, login_as, member, facilitator, meetings, prepared
):
    login_as(facilitator)
    response = client.get(f"/moeder/{meetings['next'].id}/forberedelse.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    header, data = rows[0], rows[1:]
    assert len(header) == 12
    by_title = {row[2]: row for row in data}
    assert set(by_title) == {"Mettes-plan", '\'=HYPERLINK("x")'}
    row = by_title["Mettes-plan"]
    assert row[0] == member.name
    assert row[8] == "3"
    assert "Forsøg-nummer-3" in row[11]
    assert all(len(r) == 12 for r in rows)


# --- constant queries --------------------------------------------------------------------


@pytest.fixture
def measure(client, count_queries):
    """Return a function that counts the statements of one GET on a fresh session."""

    def _measure(url: str) -> tuple[int, list[str]]:
        db.session.remove()
        responses = []
        statements: list[str] = []

        def _record(conn, cursor, statement, *args) -> None:
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", _record)
        try:
            count = count_queries(lambda: responses.append(client.get(url)))
        finally:
            event.remove(db.engine, "before_cursor_execute", _record)
        assert responses[0].status_code == 200, url
        assert count <= QUERY_BUDGET, "\n".join(statements)
        return count, statements

    return _measure


def same_count(small: tuple[int, list[str]], large: tuple[int, list[str]]) -> None:
    assert small[0] == large[0], "\n\n".join(["small:", *small[1], "large:", *large[1]])


def add_members(
    count: int, theme_id: int, made_at: int, start: int, answers_for: int | None = None
) -> None:
    """Add members, each with two open commitments (one quiet) made at a meeting, a log entry,
    and an answer for a meeting (the one they were made at, unless another is given)."""
    people = [
        User(
            name=f"Medlem {start + n}",
            email=f"m{start + n}@example.org",
            password_hash=factories._PASSWORD_HASH,
        )
        for n in range(count)
    ]
    db.session.add_all(people)
    db.session.flush()
    for n, person in enumerate(people):
        for k in range(2):
            item = Commitment(
                owner_id=person.id,
                theme_id=theme_id,
                title=f"Plan {start + n}-{k}",
                meeting_id=made_at,
                status=("planned", "in_progress")[k],
                visibility=("network", "facilitators")[n % 2],
                created_at=utcnow() - timedelta(days=40 * k),
                last_entry_at=utcnow() - timedelta(days=3) if k == 0 else None,
                entry_count=1 - k,
            )
            item.goals = [CommitmentGoal(sdg=13), CommitmentGoal(sdg=(n % 12) + 1)]
            db.session.add(item)
            if k == 0:
                db.session.flush()
                db.session.add(
                    LogEntry(
                        commitment_id=item.id,
                        author_id=person.id,
                        tried_md="Forsøg",
                        tried_html="<p>Forsøg</p>",
                        asks_for_help=n % 2 == 0,
                    )
                )
        db.session.add(
            Rsvp(meeting_id=answers_for or made_at, user_id=person.id, attending=n % 3 != 0)
        )
    db.session.commit()


def test_overview_queries_do_not_grow_with_members(login_as, facilitator, theme, meetings, measure):
    theme_id, last_id, next_id = theme.id, meetings["last"].id, meetings["next"].id
    add_members(3, theme_id, last_id, 0, answers_for=next_id)
    login_as(facilitator)
    small = measure("/facilitator/oversigt")
    add_members(27, theme_id, last_id, 100, answers_for=next_id)
    extra_id = meeting("Ekstramødet", today() - timedelta(days=300)).id
    add_members(5, theme_id, extra_id, 200)  # another meeting in the chart
    same_count(small, measure("/facilitator/oversigt"))


def test_network_list_queries_do_not_grow_with_commitments(
    login_as, member, theme, meetings, measure
):
    theme_id, last_id = theme.id, meetings["last"].id
    add_members(5, theme_id, last_id, 0)  # 5 shared commitments of 10
    login_as(member)
    small = measure("/handlinger/netvaerket")
    filtered = measure(f"/handlinger/netvaerket?maal=13&moede={last_id}")
    add_members(95, theme_id, last_id, 100)  # 50 more shared
    same_count(small, measure("/handlinger/netvaerket"))
    same_count(filtered, measure(f"/handlinger/netvaerket?maal=13&moede={last_id}"))


def test_my_list_queries_do_not_grow_with_commitments(login_as, member, theme, meetings, measure):
    theme_id, member_id, last_id = theme.id, member.id, meetings["last"].id

    def add(count: int) -> None:
        for n in range(count):
            item = Commitment(
                owner_id=member_id,
                theme_id=theme_id,
                meeting_id=last_id,
                title=f"Min plan {n}",
                status=action_service.STATUSES[n % 5],
            )
            item.goals = [CommitmentGoal(sdg=n % 17 + 1)]
            db.session.add(item)
        db.session.commit()

    add(3)
    login_as(member)
    small = measure("/handlinger")
    add(30)
    same_count(small, measure("/handlinger"))


def test_commitment_and_preparation_queries_do_not_grow(
    login_as, member, facilitator, theme, meetings, measure
):
    item = commitment(member, theme, "Plan", made_at=meetings["last"])
    action_service.log_progress(member, item, tried="Et", needs="Hjælp", ask_for_help=True)
    action_service.add_comment(facilitator, item, "Godt")
    ids = {
        "item": item.id,
        "member": member.id,
        "facilitator": facilitator.id,
        "theme": theme.id,
        "last": meetings["last"].id,
        "next": meetings["next"].id,
    }
    add_members(3, ids["theme"], ids["last"], 0, answers_for=ids["next"])
    login_as(facilitator)
    page = measure(f"/handlinger/{ids['item']}")
    prep = measure(f"/moeder/{ids['next']}/forberedelse")
    item = db.session.get(Commitment, ids["item"])
    owner = db.session.get(User, ids["member"])
    helper = db.session.get(User, ids["facilitator"])
    for n in range(5):
        action_service.log_progress(owner, item, tried=f"Mere {n}", needs="Igen", ask_for_help=True)
        action_service.add_comment(helper, item, f"Kommentar {n}")
    add_members(25, ids["theme"], ids["last"], 100, answers_for=ids["next"])
    same_count(page, measure(f"/handlinger/{ids['item']}"))
    same_count(prep, measure(f"/moeder/{ids['next']}/forberedelse"))


def test_the_network_page_shows_how_many_shared_commitments_serve_each_goal(
    client, login_as, db_session
):
    from tests.functional.test_search_confidentiality import make_commitment

    owner, reader = factories.user("Ejer"), factories.user("Læser")
    theme = factories.theme()
    make_commitment(owner, theme, "Delt om affald")  # goal 12
    make_commitment(owner, theme, "Privat om affald", visibility="facilitators")  # goal 12
    login_as(reader)
    page = client.get("/handlinger/netvaerket").get_data(as_text=True)
    overview = page[page.index('class="sdg-grid"') : page.index("</ul>", page.index("sdg-grid"))]
    assert overview.count('class="sdg-number') == 17
    twelve = overview[overview.index('href="/handlinger/netvaerket?maal=12"') :]
    assert "1 handling" in twelve[: twelve.index("</a>")]  # the private one is not counted
    assert "0 handlinger" in overview
