"""Login, logout, invitations, password resets, one's own profile and language."""

from __future__ import annotations

import statistics
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from forum.extensions import db
from forum.models import Invitation, LoginFailure, PasswordResetToken, User, utcnow
from forum.services import ServiceError, accounts
from tests import factories
from tests.text import da, plain, text

NEW_PASSWORD = "a-brand-new-passphrase"


def logged_in(client) -> bool:
    """Return whether the client's cookies still open a members-only page."""
    response = client.get("/profil")
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def login_form(client, email: str, password: str, **kwargs):
    return client.submit("/login", {"email": email, "password": password}, **kwargs)


WRONG = "Wrong email or password."
THROTTLED = (
    "Too many failed attempts. Wait %(minutes)d minutes and try again, or reset your password."
)


# --- login -------------------------------------------------------------------------------


def test_login_page_is_danish_by_default(client, db_session):
    page = client.get("/login")
    assert page.status_code == 200
    body = text(page)
    assert '<html lang="da">' in body
    assert 'name="csrf_token"' in body
    assert 'autocomplete="current-password"' in body
    assert 'href="/glemt-adgangskode"' in body
    assert body.count("<h1") == 1


def test_login_page_in_english_for_english_browsers(client, db_session):
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in text(page)
    assert "Forgot your password?" in text(page)
    assert "Remember me" in text(page)


def test_login_with_the_right_password_lands_on_the_front_page(client, member, login_as):
    response = login_as(member)
    assert response.headers["Location"] == "/"
    assert logged_in(client)
    assert member.email in text(client.get("/profil"))


def test_login_ignores_case_and_spaces_in_the_email(client, member):
    response = login_form(client, "  METTE@Example.org ", factories.PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_wrong_password_and_unknown_email_get_the_same_message(client, member):
    wrong_password = login_form(client, member.email, "not-the-password")
    unknown_email = login_form(client, "nobody@example.org", factories.PASSWORD)
    for response in (wrong_password, unknown_email):
        assert response.status_code == 422
        assert da(WRONG) in text(response)
    assert 'value="mette@example.org"' in text(wrong_password)
    assert 'value="nobody@example.org"' in text(unknown_email)
    assert not logged_in(client)


def test_empty_login_form_is_refused_without_error(client, db_session):
    response = client.submit("/login", {})
    assert response.status_code == 422
    assert not logged_in(client)


def test_logged_in_people_asking_for_the_login_page_go_home(client, member, login_as):
    login_as(member)
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_failures_for_one_account_pause_even_the_right_password(app, client, member):
    limit = app.config["LOGIN_MAX_FAILURES_PER_PAIR"]
    for _ in range(limit - 1):
        assert da(WRONG) in text(login_form(client, member.email, "guess"))
    refused = login_form(client, member.email, "last-guess")
    assert da(WRONG) in text(refused)

    response = login_form(client, member.email, factories.PASSWORD)
    assert response.status_code == 422
    assert da(THROTTLED, minutes=app.config["LOGIN_THROTTLE_MINUTES"]) in text(response)
    assert not logged_in(client)


def test_failures_below_the_limit_do_not_pause_the_account(app, client, member):
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_PAIR"] - 1):
        login_form(client, member.email, "guess")
    assert login_form(client, member.email, factories.PASSWORD).status_code == 302


def from_address(address: str) -> dict[str, dict[str, str]]:
    return {"environ_overrides": {"REMOTE_ADDR": address}}


def test_an_address_trying_many_accounts_is_paused_for_other_accounts(app, client, member):
    limit = app.config["LOGIN_MAX_ACCOUNTS_PER_ADDRESS"]
    for n in range(limit + 5):
        login_form(client, f"guess{n}@example.org", "guess")

    throttled = da(THROTTLED, minutes=app.config["LOGIN_THROTTLE_MINUTES"])
    response = login_form(client, member.email, factories.PASSWORD)
    assert response.status_code == 422
    assert throttled in text(response)

    elsewhere = login_form(client, member.email, factories.PASSWORD, **from_address("10.0.0.7"))
    assert elsewhere.status_code == 302


def test_failures_from_a_shared_network_do_not_lock_out_colleagues(app, client, member):
    """20 failures from a town hall's one address (five each at four accounts) pause those
    accounts there, but a colleague behind the same address still logs in, and so does the
    guessed-at member from home."""
    colleague = factories.user(name="Karen Kollega", email="karen@example.org")
    town_hall = from_address("192.0.2.10")
    pair_limit = app.config["LOGIN_MAX_FAILURES_PER_PAIR"]
    targets = [member.email, "a@example.org", "b@example.org", "c@example.org"]
    for email in targets:
        for _ in range(20 // len(targets)):
            assert login_form(client, email, "guess", **town_hall).status_code == 422
    assert 20 // len(targets) >= pair_limit

    assert login_form(client, member.email, factories.PASSWORD, **town_hall).status_code == 422
    assert login_form(client, colleague.email, factories.PASSWORD, **town_hall).status_code == 302
    home = app.test_client()
    response = login_form(home, member.email, factories.PASSWORD, **from_address("198.51.100.4"))
    assert response.status_code == 302


def test_failures_for_one_account_from_many_addresses_pause_it_everywhere(app, client, member):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    assert limit > app.config["LOGIN_MAX_FAILURES_PER_PAIR"]
    for n in range(limit):
        login_form(client, member.email, "guess", **from_address(f"203.0.113.{n + 1}"))

    response = login_form(client, member.email, factories.PASSWORD, **from_address("10.9.9.9"))
    assert response.status_code == 422
    assert da(THROTTLED, minutes=app.config["LOGIN_THROTTLE_MINUTES"]) in text(response)


def test_a_failed_attempt_stays_counted_when_the_request_rolls_back(app, member):
    """The request's own transaction rolls back on a 4xx; the attempt must survive that."""
    with app.test_request_context("/login", method="POST"):
        with pytest.raises(ServiceError):
            accounts.authenticate(member.email, "guess", address="192.0.2.1")
        db.session.rollback()
    assert db.session.scalar(select(func.count(LoginFailure.id))) == 1


def test_unknown_email_takes_as_long_as_a_wrong_password(client, member):
    """Timing must not tell whether an address has an account (it was 13 ms against 175 ms)."""
    token = client.csrf_token()
    known: list[float] = []
    unknown: list[float] = []
    for n in range(5):  # interleaved, so a busy machine slows both alike
        for email, times, network in ((member.email, known, 1), ("nobody@example.org", unknown, 2)):
            started = time.perf_counter()
            response = client.post(
                "/login",
                data={"email": email, "password": "guess", "csrf_token": token},
                **from_address(f"10.{network}.0.{n + 1}"),
            )
            times.append(time.perf_counter() - started)
            assert response.status_code == 422
            assert da(WRONG) in text(response)
    assert statistics.median(unknown) >= 0.5 * statistics.median(known), (known, unknown)


@pytest.fixture
def live_server(app, db_session, monkeypatch):
    """The app served by a threaded server, so requests really run at the same time."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    db.session.commit()  # the test's own transaction must not hold SQLite's write lock
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def post_form(url: str, data: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=urlencode(data).encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_parallel_wrong_passwords_get_no_more_checks_than_the_limit(
    app, member, live_server, monkeypatch
):
    """16 guesses at once must not slip past the limit between counting and checking."""
    email = member.email
    db.session.commit()
    checks: list[str] = []
    real_check = accounts.check_password_hash

    def counted_check(password_hash: str, password: str) -> bool:
        checks.append(password)
        return real_check(password_hash, password)

    monkeypatch.setattr(accounts, "check_password_hash", counted_check)
    start = threading.Barrier(16)

    def guess(n: int) -> int:
        start.wait()
        return post_form(f"{live_server}/login", {"email": email, "password": f"guess-{n}"})

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(guess, range(16)))

    assert statuses == [422] * 16
    assert len(checks) <= app.config["LOGIN_MAX_FAILURES_PER_PAIR"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(LoginFailure.id))) == len(checks)


def test_a_deactivated_account_cannot_log_in(client, member, admin):
    accounts.deactivate(admin, member)
    response = login_form(client, member.email, factories.PASSWORD)
    assert response.status_code == 422
    assert da(WRONG) in text(response)
    assert not logged_in(client)


def test_deactivation_ends_a_live_session(client, member, admin, login_as):
    login_as(member, remember=True)
    assert logged_in(client)
    accounts.deactivate(admin, member)
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example/login",
        "/\\evil.example",
        "https:/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_login_never_redirects_off_the_site(client, member, target):
    response = client.submit(
        "/login",
        {"email": member.email, "password": factories.PASSWORD},
        query_string={"next": target},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_returns_to_the_page_asked_for(client, member):
    asked = client.get("/medlemmer")
    assert asked.status_code == 302
    login_page = asked.headers["Location"]
    assert "next=" in login_page
    assert "next=" in text(client.get(login_page))  # the form keeps it

    response = client.submit(
        "/login",
        {"email": member.email, "password": factories.PASSWORD},
        query_string={"next": "/medlemmer"},
    )
    assert response.headers["Location"] == "/medlemmer"


def test_login_starts_a_new_session(client, member):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    assert login_form(client, member.email, factories.PASSWORD).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session


# --- logout ------------------------------------------------------------------------------


def test_logout_ends_the_session_on_the_server(app, client, member, login_as):
    login_as(member)
    cookie = client.get_cookie("session").value

    copy = app.test_client()
    copy.set_cookie("session", cookie)
    assert logged_in(copy)  # the copied cookie works until the logout

    response = client.submit("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert da("You are logged out.") in text(client.get("/login"))

    replayed = app.test_client()
    replayed.set_cookie("session", cookie)
    response = replayed.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert not logged_in(client)


def test_logout_ends_the_remember_me_cookie_on_the_server(app, client, member, login_as):
    login_as(member, remember=True)
    token = client.get_cookie("remember_token").value

    copy = app.test_client()
    copy.set_cookie("remember_token", token)
    assert logged_in(copy)  # the remember-me cookie alone logs in

    client.submit("/logout")

    replayed = app.test_client()
    replayed.set_cookie("remember_token", token)
    response = replayed.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_logout_is_post_only(client, member, login_as):
    login_as(member)
    assert client.get("/logout").status_code == 405
    assert logged_in(client)


# --- invitations -------------------------------------------------------------------------


def invite(app, facilitator, email: str = "ny@example.org", name: str = "Nina Ny") -> Invitation:
    with app.test_request_context():
        invitation = accounts.invite(facilitator, email, name, "member")
        db.session.commit()  # as the request would: the email is queued with the invitation
        return invitation


def invitation_link(mailbox) -> str:
    (message,) = mailbox.wait_for(1)
    (link,) = mailbox.links(message)
    return link


def profile_data(**overrides) -> dict[str, str]:
    data = {
        "name": "Nina Nygaard",
        "password": NEW_PASSWORD,
        "password_repeat": NEW_PASSWORD,
        "job_title": "Bibliotekschef",
        "library": "Roskilde Bibliotekerne",
        "municipality": "Roskilde",
        "region": "sjaelland",
        "bio": "Jeg arbejder med cirkulær økonomi.",
        "language": "da",
    }
    data.update(overrides)
    return data


def test_invitation_email_has_the_link_on_its_own_line(app, facilitator, mailbox):
    invite(app, facilitator)
    (message,) = mailbox.wait_for(1)
    assert message["To"] == "ny@example.org"
    assert message["Subject"] == plain("Invitation to the network forum")
    body = mailbox.body(message)
    (link,) = mailbox.links(message)
    assert "/invitation/" in link
    assert link in body.splitlines()
    assert "Nina Ny" in body
    assert "Frida Facilitator" in body
    assert "14" in body


def test_accepting_an_invitation_creates_the_account_and_logs_in(app, client, facilitator, mailbox):
    invite(app, facilitator)
    link = invitation_link(mailbox)

    page = client.get(link)
    assert page.status_code == 200
    assert 'value="Nina Ny"' in text(page)  # the name from the invitation
    assert "ny@example.org" in text(page)
    assert 'autocomplete="new-password"' in text(page)
    assert "Region Sjælland" in text(page)

    response = client.submit(link, profile_data())
    assert response.status_code == 302
    assert response.headers["Location"] == "/"

    profile = client.get("/profil")
    assert profile.status_code == 200
    assert "ny@example.org" in text(profile)
    assert 'value="Bibliotekschef"' in text(profile)
    assert 'value="Nina Nygaard"' in text(profile)
    user = accounts.user_by_email("ny@example.org")
    assert user.region == "sjaelland"
    assert user.role == "member"


def test_an_invitation_link_works_only_once(app, client, facilitator, mailbox):
    invite(app, facilitator)
    link = invitation_link(mailbox)
    assert client.submit(link, profile_data()).status_code == 302

    stranger = app.test_client()
    again = stranger.get(link)
    assert again.status_code == 404
    assert da("The invitation link does not work") in text(again)
    resubmitted = stranger.submit(link, profile_data(password=NEW_PASSWORD + "x"))
    assert resubmitted.status_code == 404


def test_an_expired_invitation_link_is_refused(app, client, facilitator, mailbox):
    invitation = invite(app, facilitator)
    link = invitation_link(mailbox)
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    response = client.get(link)
    assert response.status_code == 404
    assert da("The invitation link does not work") in text(response)
    assert client.submit(link, profile_data()).status_code == 404
    assert accounts.user_by_email("ny@example.org") is None


def test_a_forged_invitation_link_is_refused(client, db_session):
    response = client.get("/invitation/made-up-token")
    assert response.status_code == 404
    assert da("The invitation link does not work") in text(response)


def test_a_short_password_keeps_what_was_typed(app, client, facilitator, mailbox):
    invite(app, facilitator)
    link = invitation_link(mailbox)

    response = client.submit(link, profile_data(password="kort", password_repeat="kort"))
    assert response.status_code == 422
    body = text(response)
    assert da("The password must be at least %(n)d characters.", n=10) in body
    assert 'value="Bibliotekschef"' in body
    assert 'value="Nina Nygaard"' in body
    assert "Jeg arbejder med cirkulær økonomi." in body
    assert 'aria-invalid="true"' in body
    assert accounts.user_by_email("ny@example.org") is None
    assert not logged_in(client)


def test_mismatched_passwords_are_refused(app, client, facilitator, mailbox):
    invite(app, facilitator)
    link = invitation_link(mailbox)
    response = client.submit(link, profile_data(password_repeat=NEW_PASSWORD + "!"))
    assert response.status_code == 422
    assert da("The two passwords are not the same.") in text(response)
    assert accounts.user_by_email("ny@example.org") is None


# --- password reset ----------------------------------------------------------------------


def ask_for_reset(client, email: str, **kwargs):
    return client.submit("/glemt-adgangskode", {"email": email}, **kwargs)


def reset_link(mailbox) -> str:
    (message,) = mailbox.wait_for(1)
    (link,) = mailbox.links(message)
    return link


def test_reset_link_uses_the_configured_address_not_the_request_host(app, member, mailbox):
    """A forged Host header must not put an attacker's address in the reset email."""
    with app.test_request_context("/glemt-adgangskode", base_url="http://evil.example"):
        accounts.request_password_reset(member.email, address="127.0.0.1")
        db.session.commit()  # as the request would
    link = reset_link(mailbox)
    assert link.startswith("http://localhost/nulstil-adgangskode/")
    assert "evil.example" not in mailbox.body(mailbox.messages[0])


def test_forgot_password_answers_the_same_when_the_mail_server_is_down(app, client, member):
    """A failing mail server must neither crash the page nor reveal that the account exists."""
    known = ask_for_reset(client, member.email)
    unknown = ask_for_reset(client, "nobody@example.org")
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 1  # nothing listens there
    try:
        failing = ask_for_reset(client, member.email)
    finally:
        app.config["MAIL_PORT"] = port
    assert known.status_code == unknown.status_code == failing.status_code == 302
    assert known.headers["Location"] == failing.headers["Location"]


def test_password_reset_end_to_end(client, member, mailbox):
    response = ask_for_reset(client, member.email)
    assert response.status_code == 302

    (message,) = mailbox.wait_for(1)
    assert message["To"] == member.email
    body = mailbox.body(message)
    link = reset_link(mailbox)
    assert "/nulstil-adgangskode/" in link
    assert link in body.splitlines()
    assert "Mette Medlem" in body

    assert client.get(link).status_code == 200
    done = client.submit(link, {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.headers["Location"] == "/login"

    assert login_form(client, member.email, factories.PASSWORD).status_code == 422
    assert login_form(client, member.email, NEW_PASSWORD).status_code == 302


def test_a_reset_link_works_only_once(client, member, mailbox):
    ask_for_reset(client, member.email)
    link = reset_link(mailbox)
    client.submit(link, {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})

    again = client.get(link)
    assert again.status_code == 404
    assert da("The reset link does not work") in text(again)
    resubmitted = client.submit(
        link, {"password": "another-passphrase", "password_repeat": "another-passphrase"}
    )
    assert resubmitted.status_code == 404
    assert login_form(client, member.email, NEW_PASSWORD).status_code == 302


def test_a_reset_link_expires_after_one_hour(client, member, mailbox, monkeypatch):
    ask_for_reset(client, member.email)
    link = reset_link(mailbox)
    now = utcnow()

    monkeypatch.setattr(accounts, "utcnow", lambda: now + timedelta(minutes=59))
    assert client.get(link).status_code == 200

    monkeypatch.setattr(accounts, "utcnow", lambda: now + timedelta(minutes=61))
    response = client.get(link)
    assert response.status_code == 404
    assert da("The reset link does not work") in text(response)
    refused = client.submit(link, {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})
    assert refused.status_code == 404
    assert login_form(client, member.email, factories.PASSWORD).status_code == 302


def test_a_forged_reset_link_is_refused(client, db_session):
    assert client.get("/nulstil-adgangskode/made-up").status_code == 404


def test_a_short_new_password_is_refused(client, member, mailbox):
    ask_for_reset(client, member.email)
    link = reset_link(mailbox)
    response = client.submit(link, {"password": "kort", "password_repeat": "kort"})
    assert response.status_code == 422
    assert da("The password must be at least %(n)d characters.", n=10) in text(response)
    assert client.get(link).status_code == 200  # still usable


def test_forgot_password_answers_the_same_for_unknown_addresses(client, member, mailbox):
    unknown = ask_for_reset(client, "nobody@example.org")
    unknown_page = text(client.get(unknown.headers["Location"]))
    assert mailbox.wait_for(1, timeout=0.5) == []

    known = ask_for_reset(client, member.email)
    known_page = text(client.get(known.headers["Location"]))
    assert len(mailbox.wait_for(1)) == 1

    assert unknown.status_code == known.status_code == 302
    assert unknown.headers["Location"] == known.headers["Location"]
    answer = da(
        "If the address belongs to an account, we have sent a link to set a new password. "
        "The link works for one hour."
    )
    assert answer in unknown_page
    assert answer in known_page


def test_forgot_password_sends_nothing_for_deactivated_accounts(client, member, admin, mailbox):
    accounts.deactivate(admin, member)
    response = ask_for_reset(client, member.email)
    assert response.status_code == 302
    assert mailbox.wait_for(1, timeout=0.5) == []


NEUTRAL_RESET_ANSWER = (
    "If the address belongs to an account, we have sent a link to set a new password. "
    "The link works for one hour."
)


def neutral_answer(client, response) -> tuple[int, str, bool]:
    """Return what a person sees after asking for a link: status, next page, the answer."""
    page = text(client.get(response.headers["Location"]))
    return response.status_code, response.headers["Location"], da(NEUTRAL_RESET_ANSWER) in page


def test_reset_mails_to_one_account_are_limited(app, client, member, mailbox, monkeypatch):
    """Ten requests in a second sent ten mails; now three per account per hour, same answer."""
    monkeypatch.setitem(app.config, "RESET_MAX_PER_ACCOUNT", 3)
    answers = [
        neutral_answer(client, ask_for_reset(client, member.email, **from_address(f"10.3.0.{n}")))
        for n in range(1, 11)
    ]
    assert answers == [(302, "/login", True)] * 10
    assert len(mailbox.wait_for(4, timeout=1)) == 3


def test_reset_requests_from_one_address_are_limited(app, client, member, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "RESET_MAX_PER_ADDRESS", 4)
    others = [factories.user(email=f"kollega{n}@example.org") for n in range(3)]
    library = from_address("192.0.2.20")
    answers = [
        neutral_answer(client, ask_for_reset(client, f"ukendt{n}@example.org", **library))
        for n in range(3)
    ]
    answers += [neutral_answer(client, ask_for_reset(client, o.email, **library)) for o in others]
    assert answers == [(302, "/login", True)] * 6
    # the first four requests (three unknown addresses, one colleague) were served
    assert [m["To"] for m in mailbox.wait_for(2, timeout=1)] == [others[0].email]

    elsewhere = ask_for_reset(client, member.email, **from_address("198.51.100.9"))
    assert neutral_answer(client, elsewhere) == (302, "/login", True)
    assert [m["To"] for m in mailbox.wait_for(2)] == [others[0].email, member.email]


def test_a_password_reset_clears_the_login_throttle(app, client, member, mailbox):
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_PAIR"]):
        login_form(client, member.email, "guess")
    assert login_form(client, member.email, factories.PASSWORD).status_code == 422

    ask_for_reset(client, member.email)
    link = reset_link(mailbox)
    client.submit(link, {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})
    assert login_form(client, member.email, NEW_PASSWORD).status_code == 302


def two_reset_links(client, member, mailbox) -> list[str]:
    ask_for_reset(client, member.email)
    ask_for_reset(client, member.email, **from_address("10.4.0.1"))
    return [mailbox.links(message)[0] for message in mailbox.wait_for(2)]


def test_a_password_reset_ends_every_other_reset_link(client, member, mailbox):
    used, other = two_reset_links(client, member, mailbox)
    assert client.get(other).status_code == 200
    client.submit(used, {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})
    assert client.get(other).status_code == 404
    again = client.submit(
        other, {"password": "stolen-passphrase", "password_repeat": "stolen-passphrase"}
    )
    assert again.status_code == 404
    assert login_form(client, member.email, NEW_PASSWORD).status_code == 302


def test_changing_the_password_ends_every_reset_link(app, client, member, mailbox, login_as):
    links = two_reset_links(client, member, mailbox)
    login_as(member)
    changed = client.submit(
        "/profil/adgangskode",
        {
            "current_password": factories.PASSWORD,
            "password": NEW_PASSWORD,
            "password_repeat": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302
    stranger = app.test_client()
    assert [stranger.get(link).status_code for link in links] == [404, 404]


def test_setting_the_password_from_the_command_line_ends_every_reset_link(
    app, client, member, mailbox
):
    links = two_reset_links(client, member, mailbox)
    result = app.test_cli_runner().invoke(
        args=["set-password", member.email, "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert [client.get(link).status_code for link in links] == [404, 404]
    assert login_form(client, member.email, NEW_PASSWORD).status_code == 302


def test_deactivation_ends_every_reset_link_for_good(client, member, admin, mailbox):
    links = two_reset_links(client, member, mailbox)
    accounts.deactivate(admin, member)
    db.session.commit()  # as the admin's request would
    assert [client.get(link).status_code for link in links] == [404, 404]
    accounts.reactivate(admin, member)
    db.session.commit()
    assert [client.get(link).status_code for link in links] == [404, 404]


# --- own profile and password ------------------------------------------------------------


def test_profile_shows_email_and_role_read_only_and_saves_changes(client, member, login_as):
    login_as(member)
    page = text(client.get("/profil"))
    assert member.email in page
    assert da("Member") in page
    assert 'name="email"' not in page
    assert 'href="/profil/adgangskode"' in page

    response = client.submit(
        "/profil",
        {
            "name": "Mette Mikkelsen",
            "job_title": "Udviklingschef",
            "library": "Aarhus Bibliotekerne",
            "municipality": "Aarhus",
            "region": "midtjylland",
            "bio": "Første linje\nAnden linje",
            "language": "da",
            "email": "hijack@example.org",
            "role": "admin",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/profil"
    page = text(client.get("/profil"))
    assert 'value="Mette Mikkelsen"' in page
    assert "Aarhus Bibliotekerne" in page
    assert da("Your profile is saved.") in page
    stored = db.session.get(User, member.id)
    assert stored.email == "mette@example.org"
    assert stored.role == "member"
    assert stored.region == "midtjylland"


def test_profile_refuses_an_empty_name_and_an_unknown_region(client, member, login_as):
    login_as(member)
    response = client.submit(
        "/profil", {"name": "", "job_title": "Chef", "region": "atlantis", "language": "da"}
    )
    assert response.status_code == 422
    assert da("Enter your name.") in text(response)
    assert 'value="Chef"' in text(response)
    assert db.session.get(User, member.id).name == "Mette Medlem"


def test_changing_the_password_ends_other_sessions_but_keeps_this_one(
    app, client, member, login_as
):
    login_as(member)
    other_device = app.test_client()
    assert login_form(other_device, member.email, factories.PASSWORD).status_code == 302
    assert logged_in(other_device)

    response = client.submit(
        "/profil/adgangskode",
        {
            "current_password": factories.PASSWORD,
            "password": NEW_PASSWORD,
            "password_repeat": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/profil"

    assert logged_in(client)
    assert not logged_in(other_device)
    assert login_form(other_device, member.email, NEW_PASSWORD).status_code == 302


def test_changing_the_password_needs_the_current_one(app, client, member, login_as):
    login_as(member)
    response = client.submit(
        "/profil/adgangskode",
        {
            "current_password": "wrong-password",
            "password": NEW_PASSWORD,
            "password_repeat": NEW_PASSWORD,
        },
    )
    assert response.status_code == 422
    assert da("Your current password is not right.") in text(response)
    assert logged_in(client)
    elsewhere = app.test_client()
    assert login_form(elsewhere, member.email, factories.PASSWORD).status_code == 302


def test_guessing_the_current_password_is_throttled(app, client, member, login_as):
    login_as(member)
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_PAIR"]):
        response = client.submit(
            "/profil/adgangskode",
            {
                "current_password": f"guess-{n}",
                "password": NEW_PASSWORD,
                "password_repeat": NEW_PASSWORD,
            },
        )
        assert da("Your current password is not right.") in text(response)

    right = client.submit(
        "/profil/adgangskode",
        {
            "current_password": factories.PASSWORD,
            "password": NEW_PASSWORD,
            "password_repeat": NEW_PASSWORD,
        },
    )
    assert right.status_code == 422
    assert da(THROTTLED, minutes=app.config["LOGIN_THROTTLE_MINUTES"]) in text(right)
    assert 'aria-invalid="true"' in text(right)
    elsewhere = app.test_client()
    assert login_form(elsewhere, member.email, factories.PASSWORD).status_code == 422


# --- language ----------------------------------------------------------------------------


def test_language_switch_on_the_profile(client, member, login_as):
    login_as(member)
    assert '<html lang="da">' in text(client.get("/profil"))

    response = client.submit("/sprog", {"language": "en"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/profil"
    page = text(client.get("/profil"))
    assert '<html lang="en">' in page
    assert "My profile" in page

    client.submit("/sprog", {"language": "da"})
    assert '<html lang="da">' in text(client.get("/profil"))


def test_the_profile_language_wins_over_the_browser(client, member, login_as):
    login_as(member)
    page = client.get("/profil", headers={"Accept-Language": "en"})
    assert '<html lang="da">' in text(page)


def test_language_switch_returns_only_to_pages_on_the_site(client, member, login_as):
    login_as(member)
    back = client.submit("/sprog", {"language": "en", "next": "/medlemmer"})
    assert back.headers["Location"] == "/medlemmer"
    away = client.submit("/sprog", {"language": "da", "next": "https://evil.example"})
    assert away.headers["Location"] == "/profil"


def test_an_unknown_language_is_refused(client, member, login_as):
    login_as(member)
    response = client.submit("/sprog", {"language": "xx"})
    assert response.status_code == 302
    assert db.session.get(User, member.id).language == "da"


def test_reset_tokens_are_stored_hashed(client, member, mailbox):
    ask_for_reset(client, member.email)
    link = reset_link(mailbox)
    token = link.rsplit("/", 1)[1]
    stored = db.session.scalars(db.select(PasswordResetToken)).one()
    assert stored.token_hash != token
    assert token not in stored.token_hash
