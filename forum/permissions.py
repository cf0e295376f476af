"""Who may see and do what: the one place that decides.

Every view, list, count, feed, email and export asks here. Loading something a person may
not see answers 404, exactly like something that does not exist, so existence never leaks.
Conditions are written one per line so that tests can cover every branch.
"""

from __future__ import annotations

from typing import NoReturn, TypeGuard

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from forum.extensions import db
from forum.models import (
    Announcement,
    CircleMember,
    Commitment,
    Invitation,
    Meeting,
    Notification,
    Post,
    Report,
    Resource,
    SearchDocument,
    SearchKind,
    Survey,
    Theme,
    Thread,
    User,
    utcnow,
)

# The vocabularies live with the models; imported here under the names the gates use.
from forum.models.vocabulary import CommitmentStatus, ResourceVisibility
from forum.models.vocabulary import CommitmentVisibility as CommitmentVisibility
from forum.models.vocabulary import Role as Role
from forum.models.vocabulary import Visibility as Visibility

ROLES = tuple(role.value for role in Role)
VISIBILITIES = tuple(visibility.value for visibility in Visibility)


def deny() -> NoReturn:
    """Refuse an action the person may not take. Raises Forbidden (403)."""
    abort(403)


def not_found() -> NoReturn:
    """Answer as if the object did not exist. Raises NotFound (404)."""
    abort(404)


def require(allowed: bool) -> None:
    """Continue when allowed. Raises Forbidden (403) otherwise."""
    if not allowed:
        deny()


# --- roles -------------------------------------------------------------------------------


def me() -> User:
    """Return the logged-in person as a User (not flask-login's proxy). Raises NotFound (404)
    for an anonymous visitor, whom login_required has normally sent to the login page."""
    user = current_user._get_current_object()
    if not isinstance(user, User):
        not_found()
    return user


def is_member(user: User | None) -> TypeGuard[User]:
    """Return whether the user is a logged-in, active person of the network."""
    if user is None:
        return False
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_active)


def is_facilitator(user: User | None) -> TypeGuard[User]:
    """Return whether the user facilitates (admins count as facilitators)."""
    if not is_member(user):
        return False
    return user.role in (Role.FACILITATOR, Role.ADMIN)


def is_admin(user: User | None) -> TypeGuard[User]:
    """Return whether the user is an administrator."""
    if not is_member(user):
        return False
    return user.role == Role.ADMIN


# --- accounts ----------------------------------------------------------------------------


def can_invite(user: User | None) -> bool:
    """Return whether the user may invite new people (facilitators and admins)."""
    return is_facilitator(user)


def can_invite_role(user: User | None, role: str) -> bool:
    """Return whether the user may invite someone with this role (only admins make admins)."""
    if not can_invite(user):
        return False
    if role == Role.ADMIN:
        return is_admin(user)
    return role in ROLES


def can_manage_invitation(user: User | None, invitation: Invitation) -> bool:
    """Return whether the user may resend or revoke the invitation: whoever may invite with
    its role (so only admins touch an administrator's invitation)."""
    return can_invite_role(user, invitation.role)


def access_invitation(user: User | None, invitation_id: int) -> Invitation:
    """Load an invitation the user may resend or revoke.

    Raises Forbidden (403) for people who may not invite, whatever the id, NotFound (404) when
    missing, and Forbidden (403) for an invitation with a role they may not invite.
    """
    require(can_invite(user))
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        not_found()
    require(can_manage_invitation(user, invitation))
    return invitation


def can_manage_accounts(user: User | None) -> TypeGuard[User]:
    """Return whether the user may deactivate, reactivate and change roles (admins)."""
    return is_admin(user)


def can_change_account(user: User | None, target: User) -> bool:
    """Return whether the user may change this account's role or status (not their own)."""
    if not can_manage_accounts(user):
        return False
    return user.id != target.id


def can_manage_themes(user: User | None) -> bool:
    """Return whether the user may add, edit, reorder and archive themes (admins)."""
    return is_admin(user)


def access_account(user: User | None, account_id: int) -> User:
    """Load any account for an administrator, deactivated ones included.

    Raises Forbidden (403) for everyone else, whatever the id, and NotFound (404) when missing.
    """
    require(can_manage_accounts(user))
    account = db.session.get(User, account_id)
    if account is None:
        not_found()
    return account


def access_changeable_account(user: User | None, account_id: int) -> User:
    """Load an account the administrator may change (not their own).

    Raises Forbidden (403) for non-admins and for one's own account, NotFound (404) when missing.
    """
    account = access_account(user, account_id)
    require(can_change_account(user, account))
    return account


def visible_members(user: User | None) -> ColumnElement[bool]:
    """Return a SQL filter for the profiles the user may see: active people, or all for admins."""
    if is_admin(user):
        return true()
    return User.is_enabled.is_(True)


def access_member(user: User | None, member_id: int) -> User:
    """Load a profile the user may see. Raises NotFound (404) otherwise."""
    if not is_member(user):
        not_found()
    member = db.session.scalar(
        select(User).where(User.id == member_id).where(visible_members(user))
    )
    if member is None:
        not_found()
    return member


def access_member_by_handle(user: User | None, handle: str) -> User:
    """Load a profile the user may see by its @handle, in any case. Raises NotFound (404)."""
    if not is_member(user):
        not_found()
    member = db.session.scalar(
        select(User).where(User.handle == handle.lower()).where(visible_members(user))
    )
    if member is None:
        not_found()
    return member


# --- themes, threads and posts -----------------------------------------------------------


def visible_themes(user: User | None) -> ColumnElement[bool]:
    """Return a SQL filter for themes listed to the user (archived ones only for admins)."""
    if is_admin(user):
        return true()
    return Theme.archived_at.is_(None)


def visible_threads(user: User | None) -> ColumnElement[bool]:
    """Return the SQL filter every thread list, count, search, feed and export must use.

    Facilitators see everything. A member sees network threads, circle threads they wrote or
    were named in, and facilitator-only threads they wrote; never a thread a facilitator hid,
    unless they wrote it (so they can read why).
    """
    if not is_member(user):
        return false()
    if is_facilitator(user):
        return true()
    own = Thread.author_id == user.id
    named_in_circle = exists().where(
        CircleMember.thread_id == Thread.id, CircleMember.user_id == user.id
    )
    may_see = or_(
        Thread.visibility == Visibility.NETWORK,
        and_(Thread.visibility == Visibility.CIRCLE, or_(own, named_in_circle)),
        and_(Thread.visibility == Visibility.FACILITATORS, own),
    )
    return and_(may_see, or_(Thread.hidden_at.is_(None), own))


def visible_posts(user: User | None) -> ColumnElement[bool]:
    """Return the SQL filter for posts within visible threads: hidden ones only for
    facilitators and their authors."""
    if not is_member(user):
        return false()
    if is_facilitator(user):
        return true()
    return or_(Post.hidden_at.is_(None), Post.author_id == user.id)


def access_theme(user: User | None, theme_id: int) -> Theme:
    """Load a theme the user may see (archived themes stay readable). Raises NotFound (404)."""
    if not is_member(user):
        not_found()
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        not_found()
    return theme


def access_thread(user: User | None, thread_id: int) -> Thread:
    """Load a thread the user may see. Raises NotFound (404) for missing and hidden alike."""
    thread = db.session.scalar(
        select(Thread).where(Thread.id == thread_id).where(visible_threads(user))
    )
    if thread is None:
        not_found()
    return thread


def access_post(user: User | None, post_id: int) -> Post:
    """Load a post in a thread the user may see. Raises NotFound (404) otherwise."""
    post = db.session.scalar(
        select(Post)
        .join(Post.thread)
        .where(Post.id == post_id)
        .where(visible_threads(user))
        .where(visible_posts(user))
    )
    if post is None:
        not_found()
    return post


def can_start_thread(user: User | None, theme: Theme) -> bool:
    """Return whether the user may start a thread in the theme (not in an archived one)."""
    if not is_member(user):
        return False
    return not theme.is_archived


def can_reply(user: User | None, thread: Thread) -> bool:
    """Return whether the user may reply (not in a locked, hidden or archived thread)."""
    if not is_member(user):
        return False
    if thread.is_locked:
        return False
    if thread.is_hidden:
        return False
    return not thread.theme.is_archived


def can_edit_post(user: User | None, post: Post) -> bool:
    """Return whether the user may edit the post: its author while it stands, or a facilitator."""
    if not is_member(user):
        return False
    if is_facilitator(user):
        return True
    if post.is_withdrawn:
        return False
    if post.is_hidden:
        return False
    if post.thread.is_locked:
        return False
    if post.thread.theme.is_archived:
        return False
    return post.author_id == user.id


def can_withdraw_post(user: User | None, post: Post) -> bool:
    """Return whether the user may withdraw the post (its author, once)."""
    if not is_member(user):
        return False
    if post.is_withdrawn:
        return False
    return post.author_id == user.id


def can_read_withdrawn(user: User | None, post: Post) -> bool:
    """Return whether the user may still read a withdrawn post's text (facilitators)."""
    return is_facilitator(user)


def can_view_revisions(user: User | None, post: Post) -> bool:
    """Return whether the user may see a post's earlier versions (author and facilitators)."""
    if not is_member(user):
        return False
    if is_facilitator(user):
        return True
    return post.author_id == user.id


def can_report(user: User | None, post: Post) -> bool:
    """Return whether the user may report the post (someone else's, still standing)."""
    if not is_member(user):
        return False
    if post.author_id == user.id:
        return False
    if post.is_hidden:
        return False
    return not post.is_withdrawn


def can_quote(user: User | None, post: Post) -> bool:
    """Return whether the user may quote the post into a reply: one they may reply under,
    still standing (a hidden or withdrawn post's words are never carried on)."""
    if not can_reply(user, post.thread):
        return False
    if post.is_hidden:
        return False
    return not post.is_withdrawn


# --- confidentiality and moderation ------------------------------------------------------


def can_change_visibility(user: User | None, thread: Thread) -> bool:
    """Return whether the user may change who sees the thread (its author or a facilitator)."""
    if not is_member(user):
        return False
    if is_facilitator(user):
        return True
    return thread.author_id == user.id


def can_manage_circle(user: User | None, thread: Thread) -> bool:
    """Return whether the user may add or remove circle members (author or facilitator)."""
    if thread.visibility != Visibility.CIRCLE:
        return False
    return can_change_visibility(user, thread)


def can_moderate(user: User | None) -> bool:
    """Return whether the user may pin, lock, move, rename, hide and edit (facilitators)."""
    return is_facilitator(user)


def visible_reports(user: User | None) -> ColumnElement[bool]:
    """Return the SQL filter for reports: all for facilitators, one's own for members."""
    if not is_member(user):
        return false()
    if is_facilitator(user):
        return true()
    return Report.reporter_id == user.id


def access_report(user: User | None, report_id: int) -> Report:
    """Load a report for a facilitator, in a thread they may see.

    Raises Forbidden (403) for members, whatever the id, and NotFound (404) when missing.
    """
    require(can_moderate(user))
    report = find_report(user, report_id)
    if report is None:
        not_found()
    return report


def find_report(user: User | None, report_id: int) -> Report | None:
    """Return a report the user may see (in a thread they may see), or None."""
    return db.session.scalar(
        select(Report)
        .join(Report.post)
        .join(Post.thread)
        .where(Report.id == report_id)
        .where(visible_reports(user), visible_threads(user))
    )


def access_announcement(user: User | None, announcement_id: int) -> Announcement:
    """Load an announcement still on the home page, for those who may remove it.

    Raises Forbidden (403) for members and NotFound (404) for a missing or removed one.
    """
    require(can_announce(user))
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None:
        not_found()
    if announcement.removed_at is not None:
        not_found()
    return announcement


def can_announce(user: User | None) -> bool:
    """Return whether the user may post and remove home-page announcements (facilitators)."""
    return is_facilitator(user)


def network_audience() -> ColumnElement[bool]:
    """Return the SQL filter for the people who see a thread open to the network: every active
    account."""
    return User.is_enabled.is_(True)


def circle_candidates(user: User | None) -> ColumnElement[bool]:
    """Return the SQL filter for people who can be named into a circle: active accounts."""
    if not is_member(user):
        return false()
    return User.is_enabled.is_(True)


# --- meetings, surveys and action commitments --------------------------------------------


COMMITMENT_VISIBILITIES = tuple(item.value for item in CommitmentVisibility)


def can_manage_meetings(user: User | None) -> bool:
    """Return whether the user may create and edit meetings and surveys (facilitators)."""
    return is_facilitator(user)


def can_view_attendance(user: User | None) -> bool:
    """Return whether the user may see who comes, dietary needs and export them."""
    return is_facilitator(user)


def access_meeting(user: User | None, meeting_id: int) -> Meeting:
    """Load a meeting: every member sees every meeting. Raises NotFound (404) otherwise."""
    if not is_member(user):
        not_found()
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        not_found()
    return meeting


def access_meeting_preparation(user: User | None, meeting_id: int) -> Meeting:
    """Load a meeting for the facilitators' preparation pages.

    Raises Forbidden (403) for members, whatever the id, and NotFound (404) when missing.
    """
    require(can_view_overview(user))
    return access_meeting(user, meeting_id)


def can_remind_unanswered(user: User | None) -> bool:
    """Return whether the user may remind those who have not answered an invitation."""
    return is_facilitator(user)


def can_see_survey(user: User | None, survey: Survey) -> bool:
    """Return whether the user may see a survey: members once it is opened, facilitators
    also while they build it."""
    if not is_member(user):
        return False
    if can_manage_meetings(user):
        return True
    return survey.opened_at is not None


def can_see_survey_totals(user: User | None, survey: Survey) -> bool:
    """Return whether the user may see a survey's totals: facilitators always, members once
    it has been opened and no longer takes answers."""
    if not is_member(user):
        return False
    if can_view_survey_answers(user):
        return True
    if survey.opened_at is None:
        return False
    return not survey.takes_answers(utcnow())


def can_view_survey_answers(user: User | None) -> bool:
    """Return whether the user may see individual answers and free text (facilitators)."""
    return is_facilitator(user)


def visible_commitments(user: User | None) -> ColumnElement[bool]:
    """Return the SQL filter every commitment list, count, feed and export must use."""
    if not is_member(user):
        return false()
    if is_facilitator(user):
        return true()
    return or_(
        Commitment.visibility == CommitmentVisibility.NETWORK,
        Commitment.owner_id == user.id,
    )


def access_commitment(user: User | None, commitment_id: int) -> Commitment:
    """Load a commitment the user may see. Raises NotFound (404) for missing and hidden alike."""
    commitment = db.session.scalar(
        select(Commitment).where(Commitment.id == commitment_id).where(visible_commitments(user))
    )
    if commitment is None:
        not_found()
    return commitment


def can_edit_commitment(user: User | None, commitment: Commitment) -> bool:
    """Return whether the user may change the commitment and log on it (its owner)."""
    if not is_member(user):
        return False
    return commitment.owner_id == user.id


def can_comment_commitment(user: User | None, commitment: Commitment) -> bool:
    """Return whether the user may comment (shared commitments; facilitators on all)."""
    if not is_member(user):
        return False
    if is_facilitator(user):
        return True
    if commitment.owner_id == user.id:
        return True
    return commitment.visibility == CommitmentVisibility.NETWORK


def can_view_overview(user: User | None) -> bool:
    """Return whether the user may see the facilitator overview and meeting preparation."""
    return is_facilitator(user)


# --- the resource library ------------------------------------------------------------------


def visible_resources(user: User | None) -> ColumnElement[bool]:
    """Return the SQL filter every resource list, count, link and notification must use.

    Facilitators see every resource, removed ones included (the bin is theirs). A member sees
    the network's resources that are not removed, and those they added themselves.
    """
    if not is_member(user):
        return false()
    if is_facilitator(user):
        return true()
    return and_(
        Resource.removed_at.is_(None),
        or_(Resource.visibility == ResourceVisibility.NETWORK, Resource.added_by_id == user.id),
    )


def access_resource(user: User | None, resource_id: int) -> Resource:
    """Load a resource the user may see. Raises NotFound (404) for missing and hidden alike."""
    resource = db.session.scalar(
        select(Resource).where(Resource.id == resource_id).where(visible_resources(user))
    )
    if resource is None:
        not_found()
    return resource


def can_see_resource(user: User | None, resource_id: int) -> bool:
    """Return whether the user may see the resource now."""
    return bool(
        db.session.scalar(
            select(exists().where(Resource.id == resource_id).where(visible_resources(user)))
        )
    )


def can_add_resource(user: User | None) -> bool:
    """Return whether the user may add resources to the library (every member)."""
    return is_member(user)


def can_edit_resource(user: User | None, resource: Resource) -> bool:
    """Return whether the user may edit, replace or remove the resource (who added it, and
    facilitators)."""
    if not is_member(user):
        return False
    if is_facilitator(user):
        return True
    return resource.added_by_id == user.id and not resource.is_removed


def can_restrict_resource(user: User | None) -> bool:
    """Return whether the user may keep a resource for the facilitators only (facilitators)."""
    return is_facilitator(user)


def can_use_bin(user: User | None) -> bool:
    """Return whether the user may see removed resources and restore them (facilitators)."""
    return is_facilitator(user)


# --- notifications and email --------------------------------------------------------------


def visible_meetings(user: User | None) -> ColumnElement[bool]:
    """Return the SQL filter for meetings: every member sees every meeting."""
    return true() if is_member(user) else false()


def visible_search_documents(user: User | None) -> ColumnElement[bool]:
    """Return the SQL filter for search index rows: each row is shown only when the person may
    see what it stands for now, by that thing's own gate (so a circle just left, a post just
    hidden or a commitment just made private drop out of results, counts and snippets at
    once). Profiles are not results; `visible_colleague_documents` covers them."""
    if not is_member(user):
        return false()
    kind = SearchDocument.kind
    thread_seen = exists().where(Thread.id == SearchDocument.thread_id, visible_threads(user))
    post_seen = exists().where(
        Post.id == SearchDocument.post_id, Post.withdrawn_at.is_(None), visible_posts(user)
    )
    commitment_seen = exists().where(
        Commitment.id == SearchDocument.commitment_id, visible_commitments(user)
    )
    resource_seen = exists().where(
        Resource.id == SearchDocument.resource_id,
        Resource.removed_at.is_(None),
        visible_resources(user),
    )
    return or_(
        and_(kind == SearchKind.THREAD, thread_seen),
        and_(kind == SearchKind.POST, thread_seen, post_seen),
        and_(
            kind.in_((SearchKind.COMMITMENT, SearchKind.LOG_ENTRY, SearchKind.COMMENT)),
            commitment_seen,
        ),
        and_(kind == SearchKind.RESOURCE, resource_seen),
        and_(kind == SearchKind.MEETING, visible_meetings(user)),
    )


def visible_colleague_documents(user: User | None) -> ColumnElement[bool]:
    """Return the SQL filter for the rows that can name a colleague: profiles the person may
    see, and commitments shared with the network that are under way or done (never a
    private one, not even for facilitators: the panel is the network's, not theirs)."""
    if not is_member(user):
        return false()
    kind = SearchDocument.kind
    # Active people only, for admins too: a colleague to ask must be able to answer.
    profile_seen = exists().where(
        User.id == SearchDocument.author_id, User.is_enabled.is_(True), visible_members(user)
    )
    shared_commitment = exists().where(
        Commitment.id == SearchDocument.commitment_id,
        Commitment.visibility == CommitmentVisibility.NETWORK,
        Commitment.status.in_((CommitmentStatus.IN_PROGRESS, CommitmentStatus.DONE)),
        visible_commitments(user),
    )
    return or_(
        and_(kind == SearchKind.MEMBER, profile_seen),
        and_(
            kind.in_((SearchKind.COMMITMENT, SearchKind.LOG_ENTRY)), shared_commitment, profile_seen
        ),
    )


def can_see_thread(user: User | None, thread_id: int) -> bool:
    """Return whether the user may see the thread now (the same rule as every thread list)."""
    return bool(
        db.session.scalar(
            select(exists().where(Thread.id == thread_id).where(visible_threads(user)))
        )
    )


def can_see_post(user: User | None, post_id: int) -> bool:
    """Return whether the user may see the post and its thread now."""
    return bool(
        db.session.scalar(
            select(
                exists()
                .where(Post.id == post_id)
                .where(Post.thread_id == Thread.id)
                .where(visible_threads(user))
                .where(visible_posts(user))
            )
        )
    )


def can_see_commitment(user: User | None, commitment_id: int) -> bool:
    """Return whether the user may see the commitment now."""
    return bool(
        db.session.scalar(
            select(exists().where(Commitment.id == commitment_id).where(visible_commitments(user)))
        )
    )


def visible_notifications(user: User | None) -> ColumnElement[bool]:
    """Return the SQL filter for the user's own notifications about what they may see now.

    A notification about a thread they left, a post hidden since, or a commitment made
    private disappears from their list and their count at once.
    """
    if not is_member(user):
        return false()
    thread_visible = (
        exists().where(Thread.id == Notification.thread_id).where(visible_threads(user))
    )
    post_visible = exists().where(Post.id == Notification.post_id).where(visible_posts(user))
    commitment_visible = (
        exists().where(Commitment.id == Notification.commitment_id).where(visible_commitments(user))
    )
    resource_visible = (
        exists().where(Resource.id == Notification.resource_id).where(visible_resources(user))
    )
    return and_(
        Notification.user_id == user.id,
        or_(Notification.thread_id.is_(None), thread_visible),
        or_(Notification.post_id.is_(None), post_visible),
        or_(Notification.commitment_id.is_(None), commitment_visible),
        or_(Notification.resource_id.is_(None), resource_visible),
    )


def is_quotable_in_email(thread: Thread | None, post: Post | None = None) -> bool:
    """Return whether an email may carry the thread's title, names and words.

    Only a visible thread open to the whole network, and only a post nobody hid and its
    author did not withdraw: a circle, a facilitators-only thread, a hidden or a withdrawn post
    is announced as "something new" and a link.
    """
    if thread is None:
        return False
    if thread.visibility != Visibility.NETWORK:
        return False
    if thread.is_hidden:
        return False
    if post is None:
        return True
    return not post.is_hidden and not post.is_withdrawn


# --- what templates may ask ----------------------------------------------------------------


class ReaderAbilities:
    """The named questions a template may ask about the person reading the page.

    Templates get this object as `can`, not the module, so they can neither load objects nor
    reach a gate that a view should have asked.
    """

    def __init__(self, user: User | None) -> None:
        self._user = user

    def administer(self) -> bool:
        """Return whether the reader is an administrator."""
        return is_admin(self._user)

    def invite(self) -> bool:
        """Return whether the reader may invite people."""
        return can_invite(self._user)

    def moderate(self) -> bool:
        """Return whether the reader moderates (facilitators and admins)."""
        return can_moderate(self._user)

    def announce(self) -> bool:
        """Return whether the reader may post and remove announcements."""
        return can_announce(self._user)

    def view_overview(self) -> bool:
        """Return whether the reader may see the facilitator overview and preparation pages."""
        return can_view_overview(self._user)

    def use_bin(self) -> bool:
        """Return whether the reader may open the library's bin and restore from it."""
        return can_use_bin(self._user)

    def see_hidden_posts(self) -> bool:
        """Return whether hidden posts are shown to the reader (and counted for them)."""
        return can_moderate(self._user)

    def change_visibility(self, thread: Thread) -> bool:
        """Return whether the reader may change who can see the thread."""
        return can_change_visibility(self._user, thread)

    def edit_post(self, post: Post) -> bool:
        """Return whether the reader may edit the post."""
        return can_edit_post(self._user, post)

    def withdraw_post(self, post: Post) -> bool:
        """Return whether the reader may withdraw the post."""
        return can_withdraw_post(self._user, post)

    def read_withdrawn(self, post: Post) -> bool:
        """Return whether the reader may read the post although it was withdrawn."""
        return can_read_withdrawn(self._user, post)

    def view_revisions(self, post: Post) -> bool:
        """Return whether the reader may see the post's earlier versions."""
        return can_view_revisions(self._user, post)

    def report(self, post: Post) -> bool:
        """Return whether the reader may report the post to the facilitators."""
        return can_report(self._user, post)

    def quote(self, post: Post) -> bool:
        """Return whether the reader may quote the post into a reply."""
        return can_quote(self._user, post)
