"""Administration: invitations, accounts (roles, deactivation) and themes."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Invitation, Theme, User, utcnow
from forum.services import accounts
from tests import factories
from tests.text import da, text


def second_client(app, user):
    """Log the user in on a client of their own (another browser); return it."""
    other = app.test_client()
    response = other.submit("/login", {"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302, text(response)
    return other


def still_logged_in(some_client) -> bool:
    """Return whether the client's session still opens a members-only page."""
    response = some_client.get("/profil")
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def refresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def invitations_count() -> int:
    return db.session.scalar(select(func.count(Invitation.id)))


def theme_order() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Theme.name).order_by(Theme.position, Theme.id)))


# --- invitations -------------------------------------------------------------------------


def test_facilitator_invites_a_member_who_gets_a_working_link(
    client, login_as, facilitator, mailbox
):
    login_as(facilitator)
    page = client.get("/invitationer")
    assert page.status_code == 200
    assert text(page).count("<h1") == 1

    response = client.submit(
        "/invitationer",
        {"name": "Karen Kvist", "email": "Karen.Kvist@Bibliotek.dk ", "role": "member"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/invitationer")

    (message,) = mailbox.wait_for(1)
    assert message["To"] == "karen.kvist@bibliotek.dk"
    (link,) = [link for link in mailbox.links(message) if "/invitation/" in link]
    invitation = accounts.pending_invitation(link.rsplit("/", 1)[1])
    assert invitation is not None
    assert (invitation.name, invitation.role) == ("Karen Kvist", "member")
    assert invitation.invited_by_id == facilitator.id

    listing = text(client.get("/invitationer"))
    assert da("Invitation sent to %(email)s.", email="karen.kvist@bibliotek.dk") in listing
    assert "karen.kvist@bibliotek.dk" in listing
    assert "Frida Facilitator" in listing  # invited by


def test_facilitator_is_not_offered_the_admin_role_and_a_forged_post_is_refused(
    client, login_as, facilitator, mailbox
):
    login_as(facilitator)
    page = text(client.get("/invitationer"))
    assert 'value="member"' in page
    assert 'value="facilitator"' in page
    assert 'value="admin"' not in page

    response = client.submit(
        "/invitationer", {"name": "Ulla Ulovlig", "email": "ulla@example.org", "role": "admin"}
    )
    assert response.status_code in (403, 422)
    assert invitations_count() == 0
    assert mailbox.wait_for(1, timeout=0.3) == []


def test_admin_may_invite_an_admin(client, login_as, admin, mailbox):
    login_as(admin)
    assert 'value="admin"' in text(client.get("/invitationer"))
    response = client.submit(
        "/invitationer", {"name": "Ada Admin", "email": "ada@example.org", "role": "admin"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Invitation.role)) == "admin"
    assert mailbox.wait_for(1)[0]["To"] == "ada@example.org"


def test_member_may_not_invite(client, login_as, member, mailbox):
    login_as(member)
    assert client.get("/invitationer").status_code == 403
    response = client.submit(
        "/invitationer", {"name": "Ny Person", "email": "ny@example.org", "role": "member"}
    )
    assert response.status_code == 403
    assert invitations_count() == 0


def test_inviting_a_taken_email_shows_the_error_and_keeps_the_text(
    client, login_as, facilitator, member, mailbox
):
    login_as(facilitator)
    response = client.submit(
        "/invitationer", {"name": "Mette Igen", "email": "METTE@example.org", "role": "member"}
    )
    assert response.status_code == 422
    body = text(response)
    assert da("Someone with that email address already exists.") in body
    assert 'value="Mette Igen"' in body
    assert 'value="METTE@example.org"' in body
    assert 'aria-invalid="true"' in body
    assert invitations_count() == 0
    assert mailbox.wait_for(1, timeout=0.3) == []


@pytest.mark.parametrize("email", ["ikke-en-adresse", "karen@", "karen@bibliotek"])
def test_inviting_an_invalid_email_shows_the_error(client, login_as, facilitator, email):
    login_as(facilitator)
    response = client.submit(
        "/invitationer", {"name": "Karen Kvist", "email": email, "role": "member"}
    )
    assert response.status_code == 422
    body = text(response)
    assert da("Write a valid email address, like name@library.dk.") in body
    assert f'value="{email}"' in body
    assert 'value="Karen Kvist"' in body
    assert invitations_count() == 0


def test_inviting_without_a_name_shows_the_error(client, login_as, facilitator):
    login_as(facilitator)
    response = client.submit(
        "/invitationer", {"name": "  ", "email": "karen@example.org", "role": "member"}
    )
    assert response.status_code == 422
    assert da("Write the name of the person.") in text(response)
    assert invitations_count() == 0


# --- accounts ----------------------------------------------------------------------------


def test_admin_sees_every_account_in_one_table(client, login_as, admin, member):
    factories.user(name="Dorte Deaktiveret", is_enabled=False, library="Odense Bibliotekerne")
    login_as(admin)
    response = client.get("/admin/brugere")
    assert response.status_code == 200
    body = text(response)
    assert "<caption>" in body
    assert 'scope="col"' in body
    for person in db.session.scalars(select(User)):
        assert person.name in body
        assert person.email in body
        assert f'href="/medlemmer/{person.id}"' in body
        assert f'href="/admin/brugere/{person.id}"' in body
    assert "Odense Bibliotekerne" in body
    assert da("Administrator") in body
    assert da("Deactivated") in body
    assert da("Never") in body  # Mette has never logged in


def test_account_list_runs_the_same_queries_however_many_accounts(
    client, login_as, admin, count_queries
):
    login_as(admin)

    def listing() -> None:
        db.session.commit()  # start from the same state each time: no transaction, all expired
        assert client.get("/admin/brugere").status_code == 200

    few = count_queries(listing)
    for _ in range(8):
        factories.user(last_login_at=utcnow())
    many = count_queries(listing)
    assert many == few


def test_admin_deactivates_after_confirming_which_ends_the_session(
    app, client, login_as, admin, member
):
    member_client = second_client(app, member)
    login_as(admin)

    account_page = text(client.get(f"/admin/brugere/{member.id}"))
    assert f'href="/admin/brugere/{member.id}/deaktiver"' in account_page

    confirm = client.get(f"/admin/brugere/{member.id}/deaktiver")
    assert confirm.status_code == 200
    assert da("Deactivate %(name)s?", name=member.name) in text(confirm)
    assert refresh(member).is_enabled  # showing the question changes nothing
    assert still_logged_in(member_client)

    response = client.submit(f"/admin/brugere/{member.id}/deaktiver")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/brugere/{member.id}")
    assert not refresh(member).is_enabled

    assert not still_logged_in(member_client)
    again = app.test_client().submit(
        "/login", {"email": member.email, "password": factories.PASSWORD}
    )
    assert again.status_code != 302

    page = text(client.get(f"/admin/brugere/{member.id}"))
    assert da("%(name)s is deactivated.", name=member.name) in page
    assert f'action="/admin/brugere/{member.id}/genaktiver"' in page

    response = client.submit(f"/admin/brugere/{member.id}/genaktiver")
    assert response.status_code == 302
    assert refresh(member).is_enabled
    second_client(app, member)  # can log in again


def test_changing_the_role_gives_facilitator_powers(app, client, login_as, admin, member):
    member_client = second_client(app, member)
    assert member_client.get("/invitationer").status_code == 403
    login_as(admin)

    response = client.submit(f"/admin/brugere/{member.id}/rolle", {"role": "facilitator"})
    assert response.status_code == 302
    assert refresh(member).role == "facilitator"
    page = text(client.get(f"/admin/brugere/{member.id}"))
    assert da("%(name)s is now %(role)s.", name=member.name, role=da("Facilitator")) in page

    assert member_client.get("/invitationer").status_code == 200


def test_an_unknown_role_is_refused(client, login_as, admin, member):
    login_as(admin)
    response = client.submit(f"/admin/brugere/{member.id}/rolle", {"role": "superuser"})
    assert response.status_code == 302
    assert refresh(member).role == "member"
    page = text(client.get(response.headers["Location"]))
    assert da("Choose one of the roles.") in page


def test_admin_cannot_change_their_own_role_or_deactivate_themselves(client, login_as, admin):
    login_as(admin)
    own_page = client.get(f"/admin/brugere/{admin.id}")
    assert own_page.status_code == 200
    body = text(own_page)
    assert f'action="/admin/brugere/{admin.id}/rolle"' not in body
    assert f'href="/admin/brugere/{admin.id}/deaktiver"' not in body

    response = client.submit(f"/admin/brugere/{admin.id}/rolle", {"role": "member"})
    assert response.status_code == 403
    assert client.get(f"/admin/brugere/{admin.id}/deaktiver").status_code == 403
    response = client.submit(f"/admin/brugere/{admin.id}/deaktiver")
    assert response.status_code == 403

    admin = refresh(admin)
    assert admin.role == "admin"
    assert admin.is_enabled
    assert still_logged_in(client)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/brugere/999999",
        "/admin/brugere/999999/deaktiver",
        "/admin/brugere/99999999999999999999999",
        "/admin/temaer/999999",
        "/admin/temaer/999999/arkiver",
        "/admin/temaer/99999999999999999999999",
    ],
)
def test_missing_objects_answer_404(client, login_as, admin, path):
    login_as(admin)
    assert client.get(path).status_code == 404


def test_missing_objects_answer_404_to_posts(client, login_as, admin):
    login_as(admin)
    assert client.submit("/admin/brugere/999999/rolle", {"role": "member"}).status_code == 404
    assert client.submit("/admin/brugere/999999/genaktiver").status_code == 404
    assert client.submit("/admin/temaer/999999/flyt", {"direction": "up"}).status_code == 404
    assert client.submit("/admin/temaer/999999/genopret").status_code == 404


# --- themes ------------------------------------------------------------------------------


def test_admin_adds_a_theme_at_the_end(client, login_as, admin, theme):
    login_as(admin)
    response = client.submit(
        "/admin/temaer", {"name": "Engagement", "description": "At få kolleger med."}
    )
    assert response.status_code == 302
    assert theme_order() == ["Målsætning", "Engagement"]
    added = db.session.scalar(select(Theme).where(Theme.name == "Engagement"))
    assert added.description == "At få kolleger med."
    page = text(client.get("/admin/temaer"))
    assert da("The theme “%(name)s” is added.", name="Engagement") in page


def test_a_taken_theme_name_is_refused_with_the_text_kept(client, login_as, admin, theme):
    login_as(admin)
    response = client.submit(
        "/admin/temaer", {"name": "målsætning", "description": "Min lange beskrivelse"}
    )
    assert response.status_code == 422
    body = text(response)
    assert da("A theme with that name already exists.") in body
    assert 'value="målsætning"' in body
    assert "Min lange beskrivelse" in body
    assert theme_order() == ["Målsætning"]


def test_admin_edits_a_theme(client, login_as, admin, theme):
    other = factories.theme(name="Engagement")
    login_as(admin)
    form = text(client.get(f"/admin/temaer/{theme.id}"))
    assert 'value="Målsætning"' in form

    response = client.submit(
        f"/admin/temaer/{theme.id}", {"name": "Mål og opfølgning", "description": "Ny tekst"}
    )
    assert response.status_code == 302
    theme = refresh(theme)
    assert (theme.name, theme.description) == ("Mål og opfølgning", "Ny tekst")

    response = client.submit(f"/admin/temaer/{theme.id}", {"name": other.name, "description": ""})
    assert response.status_code == 422
    assert da("A theme with that name already exists.") in text(response)
    assert refresh(theme).name == "Mål og opfølgning"

    response = client.submit(f"/admin/temaer/{theme.id}", {"name": "", "description": "x"})
    assert response.status_code == 422
    assert refresh(theme).name == "Mål og opfølgning"


def test_admin_reorders_themes(client, login_as, admin):
    first = factories.theme(name="Målsætning")
    factories.theme(name="Engagement")
    third = factories.theme(name="Partnerskaber")
    login_as(admin)

    page = text(client.get("/admin/temaer"))
    assert page.index("Målsætning") < page.index("Engagement") < page.index("Partnerskaber")

    response = client.submit(f"/admin/temaer/{third.id}/flyt", {"direction": "up"})
    assert response.status_code == 302
    assert theme_order() == ["Målsætning", "Partnerskaber", "Engagement"]

    client.submit(f"/admin/temaer/{first.id}/flyt", {"direction": "down"})
    assert theme_order() == ["Partnerskaber", "Målsætning", "Engagement"]

    client.submit(f"/admin/temaer/{third.id}/flyt", {"direction": "up"})  # already first
    assert theme_order() == ["Partnerskaber", "Målsætning", "Engagement"]

    response = client.submit(f"/admin/temaer/{first.id}/flyt", {"direction": "sideways"})
    assert response.status_code == 302
    assert theme_order() == ["Partnerskaber", "Målsætning", "Engagement"]

    page = text(client.get("/admin/temaer"))
    assert page.index("Partnerskaber") < page.index("Målsætning") < page.index("Engagement")


def test_admin_archives_after_confirming_and_restores(client, login_as, admin, member, theme):
    login_as(admin)
    confirm = client.get(f"/admin/temaer/{theme.id}/arkiver")
    assert confirm.status_code == 200
    assert da("Archive the theme “%(name)s”?", name=theme.name) in text(confirm)
    assert not refresh(theme).is_archived

    response = client.submit(f"/admin/temaer/{theme.id}/arkiver")
    assert response.status_code == 302
    assert refresh(theme).is_archived

    page = text(client.get("/admin/temaer"))
    assert "Målsætning" in page  # admins still see it, marked
    assert da("Archived") in page
    assert f'action="/admin/temaer/{theme.id}/genopret"' in page

    response = client.submit(f"/admin/temaer/{theme.id}/genopret")
    assert response.status_code == 302
    assert not refresh(theme).is_archived


# --- who may -----------------------------------------------------------------------------


def _admin_gets(user_id: int, theme_id: int) -> list[str]:
    return [
        "/admin/brugere",
        f"/admin/brugere/{user_id}",
        f"/admin/brugere/{user_id}/deaktiver",
        "/admin/temaer",
        f"/admin/temaer/{theme_id}",
        f"/admin/temaer/{theme_id}/arkiver",
    ]


def _admin_posts(user_id: int, theme_id: int) -> list[tuple[str, dict]]:
    return [
        (f"/admin/brugere/{user_id}/rolle", {"role": "admin"}),
        (f"/admin/brugere/{user_id}/deaktiver", {}),
        (f"/admin/brugere/{user_id}/genaktiver", {}),
        ("/admin/temaer", {"name": "Nyt tema", "description": ""}),
        (f"/admin/temaer/{theme_id}", {"name": "Omdøbt", "description": ""}),
        (f"/admin/temaer/{theme_id}/flyt", {"direction": "down"}),
        (f"/admin/temaer/{theme_id}/arkiver", {}),
        (f"/admin/temaer/{theme_id}/genopret", {}),
    ]


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_only_admins_reach_the_admin_pages(client, login_as, other_member, theme, role):
    person = factories.user(name="Ikke Admin", role=role)
    login_as(person)
    for path in _admin_gets(other_member.id, theme.id):
        assert client.get(path).status_code == 403, path
    for path, data in _admin_posts(other_member.id, theme.id):
        assert client.submit(path, data).status_code == 403, path
    other_member = refresh(other_member)
    assert (other_member.role, other_member.is_enabled) == ("member", True)
    assert theme_order() == ["Målsætning"]
    assert not refresh(theme).is_archived


def test_anonymous_visitors_are_sent_to_login(client, member, theme):
    paths = ["/invitationer", *_admin_gets(member.id, theme.id)]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"]


def test_the_admin_pages_have_one_heading_and_labelled_forms(
    client, login_as, admin, member, theme
):
    login_as(admin)
    paths = ["/invitationer", *_admin_gets(member.id, theme.id)]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        body = text(response)
        assert body.count("<h1") == 1, path
        assert "style=" not in body, path
        assert re.search(r"<script(?![^>]*\bsrc=)", body) is None, path  # no inline script
