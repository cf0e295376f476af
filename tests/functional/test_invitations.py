"""Invitations as a facilitator follows them up: sent when and by whom, used or not, sent
again with a new link, revoked after confirming."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from forum.extensions import db
from forum.models import Invitation, OutboxEmail, utcnow
from forum.services import accounts
from tests import factories
from tests.text import da, text

KAREN = {"name": "Karen Kvist", "email": "karen@example.org", "role": "member"}


def fresh(invitation: Invitation) -> Invitation:
    db.session.expire_all()
    return db.session.get(Invitation, invitation.id)


def row(page: str, invitation: Invitation) -> str:
    """Return the HTML of the invitation's row in the list."""
    match = re.search(rf'<tr id="invitation-{invitation.id}">(.*?)</tr>', page, re.S)
    assert match, f"no row for invitation {invitation.id}"
    return match.group(1)


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


def invitation_link(mailbox, count: int = 1) -> str:
    """Deliver the queued emails and return the invitation link of the last one."""
    messages = mailbox.wait_for(count)
    assert len(messages) == count, [m["To"] for m in messages]
    (link,) = [link for link in mailbox.links(messages[-1]) if "/invitation/" in link]
    return link


def invite(actor, email: str = "karen@example.org", role: str = "member") -> Invitation:
    invitation = accounts.invite(actor, email, "Karen Kvist", role)
    db.session.commit()
    return invitation


# --- the list ----------------------------------------------------------------------------


def test_the_list_tells_who_sent_each_invitation_and_where_it_stands(
    client, login_as, facilitator, admin
):
    open_one = invite(facilitator, "aaben@example.org")
    expired = invite(admin, "udloebet@example.org")
    expired.expires_at = utcnow() - timedelta(days=1)
    accepted = invite(facilitator, "brugt@example.org")
    accepted.accepted_at = utcnow()
    revoked = invite(facilitator, "trukket@example.org")
    revoked.revoked_at = utcnow()
    revoked.revoked_by_id = admin.id
    db.session.commit()

    login_as(facilitator)
    page = text(client.get("/invitationer"))
    assert "Frida Facilitator" in row(page, open_one)
    assert da("Not used yet") in row(page, open_one)
    assert "Anders Admin" in row(page, expired)
    assert da("Expired") in row(page, expired)
    assert da("Accepted") in row(page, accepted)
    assert da("Revoked") in row(page, revoked)
    assert "Anders Admin" in row(page, revoked)  # who revoked it
    # Waiting invitations come first with their buttons; used ones below, without.
    waiting, closed = page.split('<h2 id="closed-heading">')
    assert "aaben@example.org" in waiting and "udloebet@example.org" in waiting
    assert "brugt@example.org" in closed and "trukket@example.org" in closed
    assert f"/invitationer/{expired.id}/send-igen" in waiting
    assert f"/invitationer/{accepted.id}/" not in page
    assert f"/invitationer/{revoked.id}/" not in page


def test_the_list_runs_the_same_queries_however_many_invitations(
    client, login_as, facilitator, admin, count_queries
):
    login_as(facilitator)
    # One of each kind from the start, each by someone else (a list with none resent runs no
    # query for resenders, and people loaded once are not loaded again).
    invite(admin, "foerste@example.org")
    resent = invite(admin, "igen@example.org")
    resent.resent_at, resent.resent_by_id = utcnow(), factories.user(role="admin").id
    revoked = invite(admin, "trukket@example.org")
    revoked.revoked_at, revoked.revoked_by_id = utcnow(), factories.user(role="admin").id
    db.session.commit()

    def listing() -> None:
        db.session.commit()
        assert client.get("/invitationer").status_code == 200

    few = count_queries(listing)
    for n in range(6):
        sender = factories.user(role="facilitator")
        invitation = invite(sender, f"person-{n}@example.org")
        if n % 2:
            invitation.revoked_at = utcnow()
            invitation.revoked_by_id = factories.user(role="admin").id
        else:
            invitation.resent_at = utcnow()
            invitation.resent_by_id = factories.user(role="admin").id
        db.session.commit()
    assert count_queries(listing) == few


# --- sending again -----------------------------------------------------------------------


def test_sending_again_gives_a_new_link_and_the_old_one_stops_working(
    client, login_as, facilitator, mailbox
):
    login_as(facilitator)
    client.submit("/invitationer", KAREN)
    old_link = invitation_link(mailbox)
    invitation = db.session.scalar(select(Invitation))
    invitation.expires_at = utcnow() - timedelta(days=2)  # it expired unused
    db.session.commit()
    page = text(client.get("/invitationer"))
    assert da("Expired") in row(page, invitation)

    response = client.submit(f"/invitationer/{invitation.id}/send-igen")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/invitationer")
    page = text(client.get("/invitationer"))
    assert (
        da(
            "A new invitation is sent to %(email)s. The link in the earlier one no longer works.",
            email="karen@example.org",
        )
        in page
    )
    assert da("Not used yet") in row(page, invitation)
    sent_again = da("Sent again %(date)s by %(person)s", date="|", person="").split("|")[0]
    assert sent_again and sent_again in row(page, invitation)

    new_link = invitation_link(mailbox, count=2)
    assert new_link != old_link
    assert mailbox.messages[-1]["To"] == "karen@example.org"
    assert accounts.pending_invitation(token_of(old_link)) is None
    assert client.get(old_link).status_code == 404
    renewed = fresh(invitation)
    assert renewed.expires_at > utcnow() + timedelta(days=13)
    assert renewed.resent_by_id == facilitator.id
    assert renewed.invited_by_id == facilitator.id  # who first invited is kept
    client.submit("/logout")
    assert client.get(new_link).status_code == 200


def test_an_email_not_gone_out_yet_is_not_sent_with_its_stale_link(
    client, login_as, facilitator, mailbox
):
    invitation = invite(facilitator)  # queued, the worker has not sent it yet
    login_as(facilitator)
    client.submit(f"/invitationer/{invitation.id}/send-igen")
    messages = mailbox.wait_for(2, timeout=0.5)
    assert len(messages) == 1  # the new one only
    (link,) = [link for link in mailbox.links(messages[0]) if "/invitation/" in link]
    assert accounts.pending_invitation(token_of(link)) is not None
    dropped = db.session.scalars(select(OutboxEmail).where(OutboxEmail.dropped_at.is_not(None)))
    assert [email.context for email in dropped] == [{}]  # the stale link is forgotten


def test_an_accepted_invitation_is_not_sent_again(client, login_as, facilitator, mailbox):
    invitation = invite(facilitator)
    mailbox.wait_for(1)
    invitation.accepted_at = utcnow()
    db.session.commit()
    login_as(facilitator)
    response = client.submit(f"/invitationer/{invitation.id}/send-igen", follow_redirects=True)
    assert da("The invitation has been accepted already.") in text(response)
    assert len(mailbox.wait_for(2, timeout=0.3)) == 1
    assert fresh(invitation).resent_at is None


# --- revoking ----------------------------------------------------------------------------


def test_revoking_asks_first_then_the_link_stops_working(client, login_as, facilitator, mailbox):
    login_as(facilitator)
    client.submit("/invitationer", KAREN)
    link = invitation_link(mailbox)
    invitation = db.session.scalar(select(Invitation))
    page = text(client.get("/invitationer"))
    revoke_url = f"/invitationer/{invitation.id}/tilbagekald"
    assert f'href="{revoke_url}"' in row(page, invitation)

    confirm = client.get(revoke_url)
    assert confirm.status_code == 200
    body = text(confirm)
    assert da("Revoke the invitation to %(name)s?", name="Karen Kvist") in body
    assert "karen@example.org" in body
    assert fresh(invitation).revoked_at is None  # asking changes nothing
    assert client.get(link).status_code == 200

    response = client.submit(revoke_url)
    assert response.status_code == 302
    page = text(client.get("/invitationer"))
    assert (
        da(
            "The invitation to %(email)s is revoked. Its link no longer works.",
            email="karen@example.org",
        )
        in page
    )
    assert da("Revoked") in row(page, invitation)
    assert fresh(invitation).revoked_by_id == facilitator.id
    client.submit("/logout")
    assert client.get(link).status_code == 404
    response = client.submit(link, {"password": "et-langt-kodeord", "name": "Karen Kvist"})
    assert response.status_code == 404
    assert accounts.user_by_email("karen@example.org") is None


def test_a_revoked_invitations_waiting_email_is_not_sent(client, login_as, facilitator, mailbox):
    invitation = invite(facilitator)
    login_as(facilitator)
    client.submit(f"/invitationer/{invitation.id}/tilbagekald")
    assert mailbox.wait_for(1, timeout=0.3) == []
    assert fresh(invitation).revoked_at is not None


def test_revoking_twice_or_an_accepted_one_says_so(client, login_as, facilitator):
    used = invite(facilitator, "brugt@example.org")
    used.accepted_at = utcnow()
    db.session.commit()
    login_as(facilitator)
    page = text(client.get(f"/invitationer/{used.id}/tilbagekald"))
    assert da("The invitation has been accepted already.") in page
    assert 'class="button button-danger"' not in page
    response = client.submit(f"/invitationer/{used.id}/tilbagekald", follow_redirects=True)
    assert da("The invitation has been accepted already.") in text(response)
    assert fresh(used).revoked_at is None

    other = invite(facilitator, "anden@example.org")
    client.submit(f"/invitationer/{other.id}/tilbagekald")
    response = client.submit(f"/invitationer/{other.id}/tilbagekald", follow_redirects=True)
    assert da("The invitation has been revoked already.") in text(response)


# --- who may -----------------------------------------------------------------------------


def test_a_facilitator_may_not_touch_an_administrators_invitation(
    client, login_as, facilitator, admin, mailbox
):
    invitation = invite(admin, "ada2@example.org", role="admin")
    mailbox.wait_for(1)
    login_as(facilitator)
    page = row(text(client.get("/invitationer")), invitation)
    assert "send-igen" not in page and "tilbagekald" not in page
    assert da("Only administrators can change the invitation of an administrator.") in page
    base = f"/invitationer/{invitation.id}"
    assert client.submit(f"{base}/send-igen").status_code == 403
    assert client.get(f"{base}/tilbagekald").status_code == 403
    assert client.submit(f"{base}/tilbagekald").status_code == 403
    unchanged = fresh(invitation)
    assert (unchanged.resent_at, unchanged.revoked_at) == (None, None)
    assert len(mailbox.wait_for(2, timeout=0.3)) == 1

    client.submit("/logout")
    login_as(admin)
    assert client.submit(f"{base}/send-igen").status_code == 302
    assert fresh(invitation).resent_by_id == admin.id


def test_members_may_not_resend_or_revoke(client, login_as, facilitator, member):
    invitation = invite(facilitator)
    login_as(member)
    base = f"/invitationer/{invitation.id}"
    assert client.submit(f"{base}/send-igen").status_code == 403
    assert client.get(f"{base}/tilbagekald").status_code == 403
    assert client.submit(f"{base}/tilbagekald").status_code == 403
    assert client.get("/invitationer/999999/tilbagekald").status_code == 403  # no existence told
    assert fresh(invitation).revoked_at is None


def test_a_missing_invitation_answers_404(client, login_as, facilitator):
    login_as(facilitator)
    assert client.get("/invitationer/999999/tilbagekald").status_code == 404
    assert client.submit("/invitationer/999999/send-igen").status_code == 404


def test_a_post_without_its_token_changes_nothing(client, login_as, facilitator, mailbox):
    invitation = invite(facilitator)
    login_as(facilitator)
    client.post(f"/invitationer/{invitation.id}/send-igen")
    client.post(f"/invitationer/{invitation.id}/tilbagekald")
    unchanged = fresh(invitation)
    assert (unchanged.resent_at, unchanged.revoked_at) == (None, None)
