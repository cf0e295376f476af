"""The resource library: adding links and files through the forms, who sees what, "brugt i",
notifications of new resources, the bin and its purge, the list's filters, pages and queries."""

from __future__ import annotations

import io
import logging
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum import worker
from forum.extensions import db
from forum.models import (
    Notification,
    NotificationKind,
    Resource,
    ResourceFile,
    ResourceUse,
    Theme,
    User,
    WatchLevel,
    utcnow,
)
from forum.services import actions as action_service
from forum.services import library as library_service
from forum.services import meetings as meeting_service
from forum.services import notifications as notification_service
from forum.services import threads as thread_service
from forum.services import uploads
from forum.services.meetings import MeetingDetails
from tests import factories
from tests.functional.test_queries import same_count

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _folder(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"])


def add_link(adder: User, theme: Theme, title: str = "Klimastrategi", **fields) -> Resource:
    """Add a link through the service, committed as a request would."""
    details = library_service.ResourceDetails(title=title, themes=[theme], **fields)
    resource = library_service.add_link(adder, details, "https://example.org/strategi")
    db.session.commit()
    return resource


def add_file(adder: User, theme: Theme, title: str = "Tjekliste", data: bytes = PDF) -> Resource:
    """Add a file through the service, committed as a request would."""
    details = library_service.ResourceDetails(title=title, themes=[theme])
    checked = uploads.check_upload("tjekliste.pdf", data)
    resource = library_service.add_file(adder, details, checked)
    db.session.commit()
    return resource


# --- adding through the forms ---------------------------------------------------------------


def test_a_member_adds_a_link_through_the_form(client, login_as, member, theme):
    member.library = "Aarhus Bibliotekerne"
    db.session.commit()
    login_as(member)
    form = client.get("/ressourcer/ny").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form
    assert 'value="Aarhus Bibliotekerne"' in form  # the adder's library, to start with
    response = client.submit(
        "/ressourcer/ny",
        {
            "kind": "link",
            "url": "https://example.org/partnerskab",
            "title": "Partnerskabsaftale",
            "description": "En **god** aftale",
            "themes": [str(theme.id)],
            "sdgs": ["17", "13"],
            "meeting_id": "",
            "library": "Aarhus Bibliotekerne",
        },
    )
    assert response.status_code == 302
    resource = db.session.scalar(select(Resource))
    assert response.location.endswith(f"/ressourcer/{resource.id}")
    assert resource.url == "https://example.org/partnerskab"
    assert [goal.sdg for goal in resource.goals] == [13, 17]
    page = client.get(response.location).get_data(as_text=True)
    assert "<strong>god</strong>" in page
    assert "Aarhus Bibliotekerne" in page
    assert "https://example.org/partnerskab" in page
    assert "Partnerskaber for handling" in page or "17." in page


def test_a_member_adds_a_file_and_downloads_the_same_bytes(client, login_as, member, app, theme):
    login_as(member)
    response = client.submit(
        "/ressourcer/ny",
        {
            "kind": "file",
            "file": (io.BytesIO(PDF), "strategi.pdf"),
            "title": "Strategi",
            "themes": [str(theme.id)],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    resource = db.session.scalar(select(Resource))
    version = resource.versions[0]
    assert (_folder(app) / version.stored_name).read_bytes() == PDF
    page = client.get(f"/ressourcer/{resource.id}").get_data(as_text=True)
    assert "strategi.pdf" in page
    assert "Brugt i" in page
    assert client.get(f"/ressourcer/{resource.id}/fil").data == PDF


def test_a_refused_form_keeps_the_text_and_asks_for_the_file_again(
    client, login_as, member, app, theme
):
    login_as(member)
    response = client.submit(
        "/ressourcer/ny",
        {
            "kind": "file",
            "file": (io.BytesIO(b""), "tom.pdf"),
            "title": "Min titel",
            "description": "Min lange beskrivelse",
            "themes": [str(theme.id)],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Min titel"' in page
    assert "Min lange beskrivelse" in page
    assert "vælg den igen" in page
    assert db.session.scalar(select(func.count(Resource.id))) == 0


def test_a_file_over_the_limit_is_answered_in_the_form(client, login_as, member, app, theme):
    """Requests may be twice the upload limit (above the global 2 MB), so a file a little
    too large gets a message in the form; far too large, the 413 page."""
    login_as(member)
    app.config["UPLOAD_MAX_BYTES"] = 3 * 1024 * 1024
    try:
        fields = {"kind": "file", "title": "Stor", "themes": [str(theme.id)]}
        fits = client.submit(
            "/ressourcer/ny",
            {**fields, "file": (io.BytesIO(b"x" * (2_500_000)), "stor.txt")},
            content_type="multipart/form-data",
        )
        assert fits.status_code == 302
        too_large = client.submit(
            "/ressourcer/ny",
            {**fields, "file": (io.BytesIO(b"x" * (4 * 1024 * 1024)), "stor.txt")},
            content_type="multipart/form-data",
        )
        assert too_large.status_code == 422
        page = too_large.get_data(as_text=True)
        assert "3 MB" in page
        assert 'value="Stor"' in page
        far_too_large = client.submit(
            "/ressourcer/ny",
            {**fields, "file": (io.BytesIO(b"x" * (7 * 1024 * 1024)), "stor.txt")},
            content_type="multipart/form-data",
        )
        assert far_too_large.status_code == 413
        page = far_too_large.get_data(as_text=True)
        assert "Filen er for stor" in page and "højst fylde 3 MB" in page
        assert "Tilbage til formularen" in page
    finally:
        app.config["UPLOAD_MAX_BYTES"] = 25 * 1024 * 1024
    assert db.session.scalar(select(func.count(Resource.id))) == 1


def test_a_theme_is_required_and_only_facilitators_keep_a_resource_to_themselves(
    client, login_as, member, theme
):
    login_as(member)
    fields = {"kind": "link", "url": "https://example.org", "title": "Link"}
    no_theme = client.submit("/ressourcer/ny", fields)
    assert no_theme.status_code == 422
    assert "Vælg mindst ét tema" in no_theme.get_data(as_text=True)
    restricted = client.submit(
        "/ressourcer/ny", {**fields, "themes": [str(theme.id)], "visibility": "facilitators"}
    )
    assert restricted.status_code == 422
    assert db.session.scalar(select(func.count(Resource.id))) == 0
    assert 'name="visibility"' not in client.get("/ressourcer/ny").get_data(as_text=True)


def test_the_meeting_page_offers_facilitators_an_upload_with_the_meeting_chosen(
    client, login_as, facilitator, member, theme
):
    meeting = meeting_service.create_meeting(
        facilitator, MeetingDetails(title="Forårsmøde", date=date.today() - timedelta(days=3))
    )
    db.session.commit()
    login_as(facilitator)
    page = client.get(f"/moeder/{meeting.id}").get_data(as_text=True)
    assert f"/ressourcer/ny?moede={meeting.id}" in page
    form = client.get(f"/ressourcer/ny?moede={meeting.id}").get_data(as_text=True)
    assert f'<option selected value="{meeting.id}">' in form
    response = client.submit(
        "/ressourcer/ny",
        {
            "kind": "file",
            "file": (io.BytesIO(PDF), "slides.pdf"),
            "title": "Oplæggerens slides",
            "themes": [str(theme.id)],
            "meeting_id": str(meeting.id),
            "visibility": "facilitators",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert "Oplæggerens slides" in client.get(f"/moeder/{meeting.id}").get_data(as_text=True)
    assert "Oplæggerens slides" in client.get(f"/moeder/{meeting.id}/forberedelse").get_data(
        as_text=True
    )
    # Kept for the facilitators: a member sees neither the slides nor the upload link.
    client.submit("/logout")
    login_as(member)
    page = client.get(f"/moeder/{meeting.id}").get_data(as_text=True)
    assert "Oplæggerens slides" not in page
    assert "/ressourcer/ny?moede=" not in page


# --- who sees what ----------------------------------------------------------------------------


def test_facilitators_only_and_removed_resources_are_hidden_from_members(
    client, login_as, member, facilitator, theme
):
    prepared = add_link(facilitator, theme, "Forberedt", visibility="facilitators")
    removed = add_link(facilitator, theme, "Fjernet")
    library_service.remove_resource(facilitator, removed)
    open_one = add_link(facilitator, theme, "Åben for alle")
    db.session.commit()
    login_as(member)
    for resource in (prepared, removed):
        assert client.get(f"/ressourcer/{resource.id}").status_code == 404
        assert client.get(f"/ressourcer/{resource.id}/rediger").status_code == 404
        assert client.get(f"/ressourcer/{resource.id}/fjern").status_code == 404
    listing = client.get("/ressourcer").get_data(as_text=True)
    assert "Åben for alle" in listing
    assert "Forberedt" not in listing
    assert "Fjernet" not in listing
    assert client.get(f"/ressourcer?efter={prepared.id}").status_code == 404
    assert [r.id for r in library_service.resource_choices(member)] == [open_one.id]
    assert client.get(f"/ressourcer/{open_one.id}").status_code == 200


def test_only_who_added_it_and_facilitators_may_change_a_resource(
    client, login_as, switch_to, member, other_member, facilitator, theme
):
    resource = add_link(member, theme)
    login_as(other_member)
    assert client.get(f"/ressourcer/{resource.id}/rediger").status_code == 403
    assert client.submit(f"/ressourcer/{resource.id}/fjern").status_code == 403
    assert "Rediger oplysningerne" not in client.get(f"/ressourcer/{resource.id}").get_data(
        as_text=True
    )
    switch_to(member)
    response = client.submit(
        f"/ressourcer/{resource.id}/rediger",
        {"title": "Ny titel", "url": "https://example.org/ny", "themes": [str(theme.id)]},
    )
    assert response.status_code == 302
    db.session.refresh(resource)
    assert (resource.title, resource.url) == ("Ny titel", "https://example.org/ny")


def test_replacing_a_file_keeps_the_earlier_versions(client, login_as, member, app, theme):
    resource = add_file(member, theme)
    first = resource.versions[0]
    login_as(member)
    response = client.submit(
        f"/ressourcer/{resource.id}/erstat",
        {"file": (io.BytesIO(b"%PDF-1.4 ny"), "tjekliste-v2.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(f"/ressourcer/{resource.id}").get_data(as_text=True)
    assert "tjekliste-v2.pdf" in page
    assert f"/ressourcer/{resource.id}/fil/{first.id}" in page
    assert client.get(f"/ressourcer/{resource.id}/fil").data == b"%PDF-1.4 ny"
    assert client.get(f"/ressourcer/{resource.id}/fil/{first.id}").data == PDF
    refused = client.submit(
        f"/ressourcer/{resource.id}/erstat",
        {"file": (io.BytesIO(b""), "tom.pdf")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert db.session.scalar(select(func.count(ResourceFile.id))) == 2


# --- "brugt i" ---------------------------------------------------------------------------------


def test_brugt_i_shows_a_network_post_and_hides_a_circle_post_from_an_outsider(
    client, login_as, switch_to, member, other_member, facilitator, theme
):
    resource = add_link(member, theme, "Genbrugsguide")
    link = f"Se [guiden](/ressourcer/{resource.id})"
    network = thread_service.create_thread(member, theme, "Åben tråd", link)
    circle = thread_service.create_thread(
        facilitator,
        theme,
        "Hemmelig kreds",
        f"Se http://localhost/ressourcer/{resource.id}/fil",
        visibility="circle",
        circle_ids=[member.id],
    )
    db.session.commit()
    assert db.session.scalar(select(func.count(ResourceUse.id))) == 2

    login_as(other_member)
    page = client.get(f"/ressourcer/{resource.id}").get_data(as_text=True)
    assert "Åben tråd" in page
    assert "Hemmelig kreds" not in page
    assert page.count('href="/indlaeg/') == 1
    switch_to(member)
    page = client.get(f"/ressourcer/{resource.id}").get_data(as_text=True)
    assert "Åben tråd" in page
    assert "Hemmelig kreds" in page
    assert network.id and circle.id


def test_an_edit_that_removes_the_link_removes_the_use(client, login_as, member, theme):
    resource = add_link(member, theme, "Guide")
    thread = thread_service.create_thread(member, theme, "Tråd", f"Se /ressourcer/{resource.id}")
    db.session.commit()
    # A bare path is not a link in Markdown: nothing is recorded for it.
    assert db.session.scalar(select(func.count(ResourceUse.id))) == 0
    post = thread_service.opening_post(thread)
    login_as(member)
    response = client.submit(
        f"/indlaeg/{post.id}/rediger",
        {"body": f"Se [guiden](http://localhost/ressourcer/{resource.id})"},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(ResourceUse.post_id)) == post.id
    assert "Tråd" in client.get(f"/ressourcer/{resource.id}").get_data(as_text=True)
    client.submit(f"/indlaeg/{post.id}/rediger", {"body": "Ingen link længere"})
    assert db.session.scalar(select(func.count(ResourceUse.id))) == 0
    assert "Tråd" not in client.get(f"/ressourcer/{resource.id}").get_data(as_text=True)


def test_a_link_elsewhere_counts_not_as_a_use(member, theme):
    resource = add_link(member, theme)
    thread_service.create_thread(
        member,
        theme,
        "Andetsteds",
        f"[a](https://evil.example/ressourcer/{resource.id}) [b](/ressourcer/{resource.id}x)",
    )
    db.session.commit()
    assert db.session.scalar(select(func.count(ResourceUse.id))) == 0


def test_a_resource_chosen_from_the_list_is_linked_and_recorded(client, login_as, member, theme):
    resource = add_link(member, theme, "Valgt ressource")
    hidden = add_link(
        factories.user(role="facilitator"), theme, "Skjult", visibility="facilitators"
    )
    thread = factories.thread(member, theme)
    login_as(member)
    page = client.get(f"/traad/{thread.id}").get_data(as_text=True)
    assert "Indsæt en ressource" in page
    assert f'<option value="{resource.id}">Valgt ressource</option>' in page
    assert "Skjult" not in page
    refused = client.submit(
        f"/traad/{thread.id}/svar", {"body": "Prøv", "resource_id": str(hidden.id)}
    )
    assert refused.status_code == 422
    response = client.submit(
        f"/traad/{thread.id}/svar", {"body": "Prøv denne", "resource_id": str(resource.id)}
    )
    assert response.status_code == 302
    use = db.session.scalar(select(ResourceUse))
    assert use.resource_id == resource.id
    assert "Valgt ressource</a>" in use.post.body_html


def test_log_entries_and_commitments_record_uses_seen_by_who_may_see_them(
    client, login_as, switch_to, member, other_member, theme
):
    resource = add_link(member, theme, "Energiguide")
    private = action_service.create_commitment(
        member,
        title="Privat plan",
        why=f"Bygger på [guiden](/ressourcer/{resource.id})",
        theme=theme,
        sdgs=[],
        meeting=None,
        due_date=None,
        visibility="facilitators",
    )
    shared = action_service.create_commitment(
        member, title="Delt plan", why="", theme=theme, sdgs=[], meeting=None, due_date=None
    )
    db.session.commit()
    login_as(member)
    response = client.submit(
        f"/handlinger/{shared.id}/log",
        {"learned": "Det gik godt", "resource_id": str(resource.id)},
    )
    assert response.status_code == 302
    page = client.get(f"/ressourcer/{resource.id}").get_data(as_text=True)
    assert "Privat plan" in page
    assert "Delt plan" in page
    switch_to(other_member)
    page = client.get(f"/ressourcer/{resource.id}").get_data(as_text=True)
    assert "Privat plan" not in page
    assert "Delt plan" in page
    assert private.id


# --- notifications ------------------------------------------------------------------------------


def test_theme_followers_hear_of_a_new_resource_unless_they_may_not_see_it(
    client, login_as, member, other_member, facilitator, theme, mailbox
):
    second = factories.theme(name="Partnerskaber")
    for person in (member, facilitator):
        notification_service.set_theme_watch(person, theme, WatchLevel.WATCHING)
        notification_service.set_theme_watch(person, second, WatchLevel.WATCHING)
    db.session.commit()
    adder = factories.user(role="facilitator", name="Tilføjer")
    details = library_service.ResourceDetails(title="Delt materiale", themes=[theme, second])
    library_service.add_link(adder, details, "https://example.org/delt")
    details = library_service.ResourceDetails(
        title="Hemmeligt udkast", themes=[theme], visibility="facilitators"
    )
    library_service.add_link(adder, details, "https://example.org/udkast")
    db.session.commit()

    def kinds(person: User) -> list[str]:
        return [
            note.resource.title
            for note in db.session.scalars(
                select(Notification).where(
                    Notification.user_id == person.id,
                    Notification.kind == NotificationKind.NEW_RESOURCE,
                )
            )
        ]

    assert kinds(member) == ["Delt materiale"]  # once, though it follows both themes
    assert sorted(kinds(facilitator)) == ["Delt materiale", "Hemmeligt udkast"]
    assert kinds(other_member) == []
    login_as(member)
    page = client.get("/varsler").get_data(as_text=True)
    assert "Tilføjer tilføjede “Delt materiale”" in page
    # Email: a network resource by title; a facilitators-only one never by title.
    for person in (member, facilitator):
        notification_service.set_email_delivery(person, "new_threads", "immediately")
    db.session.commit()
    mailbox.clear()
    library_service.add_link(
        adder,
        library_service.ResourceDetails(
            title="Nyt udkast", themes=[theme], visibility="facilitators"
        ),
        "https://example.org/x",
    )
    library_service.add_link(
        adder,
        library_service.ResourceDetails(title="Ny guide", themes=[theme]),
        "https://example.org/y",
    )
    db.session.commit()
    messages = mailbox.wait_for(3)
    subjects = sorted(str(m["Subject"]) for m in messages)
    text = "\n".join(mailbox.body(m) for m in messages)
    assert "Nyt udkast" not in text + "".join(subjects)
    assert any("Ny guide" in subject for subject in subjects)
    assert len(mailbox.to(member.email)) == 1


# --- the bin ------------------------------------------------------------------------------------


def test_remove_restore_and_purge_after_thirty_days(
    client, login_as, switch_to, member, facilitator, theme, app, caplog, monkeypatch
):
    monkeypatch.setattr(app.logger, "disabled", False)  # Alembic's logging setup disables it
    resource = add_file(member, theme, "Gammel tjekliste")
    stored = _folder(app) / resource.versions[0].stored_name
    assert stored.exists()
    login_as(member)
    assert "Fjern" in client.get(f"/ressourcer/{resource.id}/fjern").get_data(as_text=True)
    assert client.submit(f"/ressourcer/{resource.id}/fjern").status_code == 302
    assert client.get(f"/ressourcer/{resource.id}").status_code == 404
    assert client.get("/ressourcer/papirkurv").status_code == 403
    assert client.submit(f"/ressourcer/{resource.id}/gendan").status_code == 403

    switch_to(facilitator)
    bin_page = client.get("/ressourcer/papirkurv").get_data(as_text=True)
    assert "Gammel tjekliste" in bin_page
    assert "30 dage" in bin_page
    assert client.submit(f"/ressourcer/{resource.id}/gendan").status_code == 302
    db.session.refresh(resource)
    assert resource.removed_at is None
    assert f'/ressourcer/{resource.id}">Gammel' not in client.get("/ressourcer/papirkurv").get_data(
        as_text=True
    )

    library_service.remove_resource(facilitator, resource)
    db.session.commit()
    assert library_service.purge_removed(utcnow() + timedelta(days=29)) == []
    db.session.commit()
    assert stored.exists()
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        purged = worker.purge_removed_resources(utcnow() + timedelta(days=31))
    assert [item.title for item in purged] == ["Gammel tjekliste"]
    assert "Gammel tjekliste" in caplog.text
    assert not stored.exists()
    assert db.session.scalar(select(func.count(Resource.id))) == 0
    assert db.session.scalar(select(func.count(ResourceFile.id))) == 0


def test_purge_removed_command_and_the_worker(app, member, facilitator, theme):
    resource = add_file(member, theme, "Til sletning")
    stored = _folder(app) / resource.versions[0].stored_name
    library_service.remove_resource(facilitator, resource)
    resource.removed_at = utcnow() - timedelta(days=31)
    kept = add_link(member, theme, "Bliver")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-removed"])
    assert "Til sletning" in result.output, result.output
    assert not stored.exists()
    assert app.test_cli_runner().invoke(args=["purge-removed"]).output.strip() == "Nothing to purge"
    assert db.session.scalar(select(Resource.id)) == kept.id
    # The worker's timed jobs run it too (idempotent).
    report = worker.run_timed_jobs(utcnow())
    assert report.purged == 0


def test_a_failed_request_leaves_no_file_behind(app, member, theme):
    _folder(app).mkdir(parents=True, exist_ok=True)
    before = set(_folder(app).iterdir())
    checked = uploads.check_upload("a.pdf", PDF)
    library_service.add_file(member, library_service.ResourceDetails("A", themes=[theme]), checked)
    assert len(set(_folder(app).iterdir()) - before) == 1
    db.session.rollback()
    assert set(_folder(app).iterdir()) - before == set()
    assert db.session.scalar(select(func.count(ResourceFile.id))) == 0


# --- the list ------------------------------------------------------------------------------------


def test_the_list_filters_and_pages_by_key(client, login_as, member, other_member, theme):
    other_theme = factories.theme(name="Affald")
    meeting = meeting_service.create_meeting(
        member, MeetingDetails(title="Vintermøde", date=date.today())
    )
    add_link(member, theme, "Alfa", library="Tønder Bibliotek", sdgs=[13])
    add_link(other_member, other_theme, "Beta", meeting=meeting)
    add_file(member, other_theme, "Gamma")
    login_as(member)

    def titles(query: str) -> list[str]:
        page = client.get(f"/ressourcer?{query}").get_data(as_text=True)
        return re.findall(
            r'<h3 class="commitment-title"><a href="/ressourcer/\d+">([^<]+)</a>', page
        )

    assert titles("") == ["Gamma", "Beta", "Alfa"]
    assert titles("orden=titel") == ["Alfa", "Beta", "Gamma"]
    assert titles(f"tema={other_theme.id}") == ["Gamma", "Beta"]
    assert titles("maal=13") == ["Alfa"]
    assert titles("type=file") == ["Gamma"]
    assert titles(f"moede={meeting.id}") == ["Beta"]
    assert titles("bibliotek=Tønder Bibliotek") == ["Alfa"]
    assert titles(f"tilfoejet_af={other_member.id}") == ["Beta"]
    assert "Ingen ressourcer passer" in client.get("/ressourcer?maal=1").get_data(as_text=True)
    assert client.get("/ressourcer?tema=abc&orden=x").status_code == 422


def test_the_empty_library_says_so(client, login_as, member):
    login_as(member)
    page = client.get("/ressourcer").get_data(as_text=True)
    assert "Biblioteket er tomt" in page
    assert 'href="/ressourcer"' in page and "Ressourcer" in page  # in the header


def build_resources(adder_id: int, theme_id: int, count: int) -> None:
    """Add `count` link resources in one commit, with themes and goals."""
    start = utcnow() - timedelta(days=1)
    from forum.models import ResourceGoal, ResourceTheme

    for n in range(count):
        resource = Resource(
            kind="link",
            title=f"Ressource {n:04d}",
            description_md="",
            description_html="",
            url="https://example.org",
            library=f"Bibliotek {n % 7}",
            added_by_id=adder_id,
            created_at=start + timedelta(seconds=n),
            updated_at=start,
        )
        resource.themes = [ResourceTheme(theme_id=theme_id)]
        resource.goals = [ResourceGoal(sdg=1 + n % 17)]
        db.session.add(resource)
    db.session.commit()


def _measure(client, count_queries, url: str) -> tuple[int, list[str]]:
    statements: list[str] = []
    responses = []
    db.session.remove()

    def _get() -> None:
        responses.append(client.get(url))

    from sqlalchemy import event

    def _record(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", _record)
    try:
        count = count_queries(_get)
    finally:
        event.remove(engine, "before_cursor_execute", _record)
    assert responses[0].status_code == 200, url
    return count, statements


@pytest.mark.parametrize("sort", ["nyeste", "titel"])
def test_the_list_runs_the_same_queries_for_10_and_300_resources(
    client, login_as, member, count_queries, sort
):
    people = [factories.user(name=f"Tilføjer {n}") for n in range(5)]
    small_theme = factories.theme(name="Lille").id
    large_theme = factories.theme(name="Stor").id
    for person in people:
        build_resources(person.id, small_theme, 2)
        build_resources(person.id, large_theme, 60)
    login_as(member)
    small = _measure(client, count_queries, f"/ressourcer?tema={small_theme}&orden={sort}")
    large = _measure(client, count_queries, f"/ressourcer?tema={large_theme}&orden={sort}")
    same_count(small, large)
    page = client.get(f"/ressourcer?tema={large_theme}&orden={sort}").get_data(as_text=True)
    next_after = re.search(r"efter=(\d+)", page).group(1)
    deeper = _measure(
        client, count_queries, f"/ressourcer?tema={large_theme}&orden={sort}&efter={next_after}"
    )
    assert deeper[0] == large[0] + 1  # the resource the page continues after
    # Every resource is reached once by following the pages.
    seen, url = [], f"/ressourcer?tema={large_theme}&orden={sort}"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += re.findall(r'<h3 class="commitment-title"><a href="/ressourcer/(\d+)">', page)
        match = re.search(r'href="(/ressourcer\?[^"]*efter=\d+[^"]*)" rel="next"', page)
        url = match.group(1).replace("&amp;", "&") if match else None
    assert len(seen) == len(set(seen)) == 300
