"""The member directory and member profiles."""

from __future__ import annotations

from forum.extensions import db
from forum.services import accounts
from tests import factories
from tests.text import da, text


def test_directory_lists_members_by_name_with_their_details(client, member, other_member, login_as):
    factories.user(
        name="Birgit Bæk",
        job_title="Bibliotekschef",
        library="Odense Bibliotekerne",
        municipality="Odense",
        region="syddanmark",
    )
    login_as(member)
    response = client.get("/medlemmer")
    assert response.status_code == 200
    page = text(response)
    assert page.count("<h1") == 1
    assert page.index("Birgit Bæk") < page.index("Mette Medlem") < page.index("Ole Andersen")
    assert "Bibliotekschef" in page
    assert "Odense Bibliotekerne" in page
    assert "Odense" in page
    assert "Region Syddanmark" in page
    assert f'href="/medlemmer/{other_member.id}"' in page


def test_directory_leaves_out_deactivated_members(client, member, other_member, admin, login_as):
    accounts.deactivate(admin, other_member)
    login_as(member)
    page = text(client.get("/medlemmer"))
    assert "Mette Medlem" in page
    assert "Ole Andersen" not in page


def test_admins_see_deactivated_members_marked(client, other_member, admin, login_as):
    accounts.deactivate(admin, other_member)
    login_as(admin)
    page = text(client.get("/medlemmer"))
    assert "Ole Andersen" in page
    assert da("Deactivated") in page


def test_directory_needs_login(client, member):
    response = client.get("/medlemmer")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_directory_runs_the_same_queries_however_many_members(
    client, member, login_as, count_queries
):
    login_as(member)

    def directory() -> None:
        db.session.commit()  # the test shares the app's session: start each page cold
        db.session.expire_all()
        assert client.get("/medlemmer").status_code == 200

    few = count_queries(directory)
    for _ in range(15):
        factories.user()
    many = count_queries(directory)
    assert few == many
    assert many <= 3  # BEGIN, the logged-in person, and the directory


def test_profile_shows_details_and_bio_as_plain_text(client, member, other_member, login_as):
    other_member.job_title = "Udviklingskonsulent"
    other_member.library = "Aalborg Bibliotekerne"
    other_member.region = "nordjylland"
    other_member.bio = "Første linje\nAnden linje med **fed** <script>alert(1)</script>"
    db.session.commit()
    login_as(member)

    response = client.get(f"/medlemmer/{other_member.id}")
    assert response.status_code == 200
    page = text(response)
    assert "<h1>Ole Andersen</h1>" in page
    assert "Udviklingskonsulent" in page
    assert "Aalborg Bibliotekerne" in page
    assert "Region Nordjylland" in page
    assert 'class="bio"' in page
    assert "Første linje\nAnden linje med **fed**" in page  # kept as typed, no Markdown
    assert "<strong>" not in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_profile_lists_the_threads_the_member_started(
    client, member, other_member, theme, login_as
):
    started = factories.thread(other_member, theme, title="Affaldssortering i filialerne")
    factories.thread(member, theme, title="Mettes egen tråd")
    login_as(member)
    page = text(client.get(f"/medlemmer/{other_member.id}"))
    assert "Affaldssortering i filialerne" in page
    assert f'href="/traad/{started.id}"' in page
    assert "Mettes egen tråd" not in page


def test_profile_of_a_deactivated_member_is_not_found_for_members(
    client, member, other_member, admin, login_as
):
    accounts.deactivate(admin, other_member)
    login_as(member)
    assert client.get(f"/medlemmer/{other_member.id}").status_code == 404


def test_admins_can_still_open_a_deactivated_profile(client, other_member, admin, login_as):
    accounts.deactivate(admin, other_member)
    login_as(admin)
    response = client.get(f"/medlemmer/{other_member.id}")
    assert response.status_code == 200
    assert da("This account is deactivated.") in text(response)


def test_a_missing_profile_is_not_found(client, member, login_as):
    login_as(member)
    assert client.get("/medlemmer/999999").status_code == 404


def test_profiles_need_login(client, member):
    response = client.get(f"/medlemmer/{member.id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
