"""Confidentiality: a member outside a thread's audience sees nothing of it, on any page.

Not its title, text, author, replies, count or existence. Each scenario builds a small network
with one secret thread (a circle thread, a facilitators-only thread, or a thread a facilitator
hid) among ordinary network threads, and checks three things:

* every page an outsider can open that is not tied to a thread (found from the URL map, so new
  pages are covered as they arrive) is free of the secret's distinctive words, and is the
  very same page the outsider would get if the secret thread did not exist at all;
* every URL of the thread or of its posts (also from the URL map: view, reply, edit,
  withdraw, revisions, report, hide, ...) answers 404 with the same body as a missing thread,
  never 403, and changes nothing;
* the insiders (author, circle members, facilitators, admins) do see it on the same pages,
  so the checks above can fail.

The rule must also hold after the thread is moved, renamed, narrowed from the network to a
circle, and after a member is taken out of its circle.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import product

import pytest
from sqlalchemy import delete, func, select

from forum import permissions
from forum.extensions import db
from forum.models import (
    Announcement,
    CircleMember,
    Commitment,
    Meeting,
    ModerationLogEntry,
    Post,
    Report,
    Theme,
    Thread,
    User,
)
from forum.services import actions as action_service
from forum.services import circles as circle_service
from forum.services import moderation as moderation_service
from forum.services import threads as thread_service
from tests import factories
from tests.text import da_n, text

# Words that exist only in the secret thread, so finding one on a page is a leak.
SECRET_TITLE = "Budgetkrise hos Kommune X"
SECRET_BODY = "fortroligt-ord-123"
SECRET_REPLY = "hemmeligt-svar-456"
NEW_TITLE = "Omstrukturering af Filial Zeta-42"
HIDE_REASON = "Skjulegrund-Kappa-9"
AUTHOR_NAME = "Ingeborg Fortielle"
CIRCLE_MEMBER_NAME = "Kasper Kredsmand"
OUTSIDER_NAME = "Otto Udenfor"
NETWORK_AUTHOR_NAME = "Nina Netværk"
# Network threads everyone sees, one older and one newer than the secret thread.
OLDER_TITLE = "Cykelparkering ved filialen"
NEWER_TITLE = "Genbrugsmarked i foråret"
ELSEWHERE_TITLE = "Solceller på taget"

CSRF_RE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+')
# The header's language switch returns to the address asked for: it echoes that address.
NEXT_RE = re.compile(r'(name="next" value=")[^"]*')
MISSING_ID = 987_654_321
# Every field a form of a thread or post might take, so a view that acts before it checks
# access would act on this (and be caught by the "nothing changed" check).
FULL_FORM = {
    "body": "indtrængen-ord",
    "title": "Overtaget titel",
    "reason": "Indtrængen",
    "visibility": "network",
    "pinned": "1",
    "locked": "1",
    "confirm": "y",
}


# --- the network -------------------------------------------------------------------------


@dataclass
class Network:
    """The people, themes and threads of one scenario."""

    author: User
    circle_member: User
    outsider: User
    network_author: User
    facilitator: User
    admin: User
    theme: Theme
    other_theme: Theme
    older: Thread
    newer: Thread
    elsewhere: Thread
    secret: Thread | None = None
    # Who may see the secret thread, and members who may not.
    insiders: list[User] = field(default_factory=list)
    outsiders: list[User] = field(default_factory=list)

    @property
    def people(self) -> list[User]:
        return [
            self.author,
            self.circle_member,
            self.outsider,
            self.network_author,
            self.facilitator,
            self.admin,
        ]

    def posts(self) -> list[Post]:
        """Return the secret thread's posts."""
        return list(
            db.session.scalars(
                select(Post).where(Post.thread_id == self.secret.id).order_by(Post.position)
            )
        )


@pytest.fixture
def network(client, facilitator, admin) -> Network:
    """People, two themes and three network threads; no secret thread yet."""
    author = factories.user(name=AUTHOR_NAME)
    circle_member = factories.user(name=CIRCLE_MEMBER_NAME)
    outsider = factories.user(name=OUTSIDER_NAME)
    network_author = factories.user(name=NETWORK_AUTHOR_NAME)
    theme = factories.theme(name="Målsætning")
    other_theme = factories.theme(name="Partnerskaber")
    older = factories.thread(network_author, theme, title=OLDER_TITLE, body="Hvor mange stativer?")
    elsewhere = factories.thread(network_author, other_theme, title=ELSEWHERE_TITLE)
    world = Network(
        author=author,
        circle_member=circle_member,
        outsider=outsider,
        network_author=network_author,
        facilitator=facilitator,
        admin=admin,
        theme=theme,
        other_theme=other_theme,
        older=older,
        newer=older,  # replaced once the secret thread exists
        elsewhere=elsewhere,
    )
    return world


def add_secret(world: Network, kind: str) -> Network:
    """Add the secret thread between the older and the newer network thread.

    circle: the author named the circle member, who replied.
    facilitators: for facilitators only; a facilitator replied.
    hidden: a network thread the circle member replied to, then a facilitator hid it.
    """
    visibility = {"circle": "circle", "facilitators": "facilitators", "hidden": "network"}[kind]
    secret = thread_service.create_thread(
        world.author,
        world.theme,
        SECRET_TITLE,
        SECRET_BODY,
        visibility=visibility,
        circle_ids=[world.circle_member.id],
    )
    replier = world.facilitator if kind == "facilitators" else world.circle_member
    thread_service.reply(replier, secret, SECRET_REPLY)
    if kind == "hidden":
        moderation_service.hide_thread(world.facilitator, secret, HIDE_REASON)
    world.newer = factories.thread(world.network_author, world.theme, title=NEWER_TITLE)
    world.secret = secret
    staff = [world.facilitator, world.admin]
    if kind == "circle":
        world.insiders = [world.author, world.circle_member, *staff]
        world.outsiders = [world.outsider, world.network_author]
    else:
        world.insiders = [world.author, *staff]
        world.outsiders = [world.outsider, world.circle_member, world.network_author]
    return world


@pytest.fixture
def browse(app, client):
    """Return a client logged in as the person (one session per person and test).

    The session is started as the login form starts it (the form is tested in test_auth), to
    keep the deliberately slow password hash out of these many logins.
    """
    clients: dict[int, object] = {}

    def _browse(user: User):
        if user.id not in clients:
            browser = app.test_client()
            with browser.session_transaction() as session:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
            assert browser.get("/").status_code == 200
            browser.token = browser.csrf_token()  # one token serves the whole session
            clients[user.id] = browser
        return clients[user.id]

    return _browse


def normalised(page: str) -> str:
    """Return the page without what differs between two requests anyway (CSRF tokens, the
    address asked for, which the language switch returns to)."""
    return NEXT_RE.sub(r"\1…", CSRF_RE.sub(r"\1…", page))


def erase_secret(world: Network) -> None:
    """Delete the secret thread with everything about it, as if it had never been written."""
    thread_id = world.secret.id
    post_ids = select(Post.id).where(Post.thread_id == thread_id).scalar_subquery()
    db.session.execute(
        delete(ModerationLogEntry).where(
            (ModerationLogEntry.thread_id == thread_id) | ModerationLogEntry.post_id.in_(post_ids)
        )
    )
    db.session.execute(delete(Report).where(Report.post_id.in_(post_ids)))
    db.session.execute(delete(Post).where(Post.thread_id == thread_id))
    db.session.execute(delete(CircleMember).where(CircleMember.thread_id == thread_id))
    db.session.execute(delete(Thread).where(Thread.id == thread_id))
    db.session.commit()
    db.session.expire_all()


# --- the pages ---------------------------------------------------------------------------

# Arguments of pages not tied to a thread that no member could fill in from a secret thread.
SKIPPED_ARGUMENTS = {"filename", "token"}
# Other arguments are tried with every row of their table (reports of the secret thread's
# posts, commitments whose help thread it is, ...).
ROWS = {
    "report_id": Report,
    "announcement_id": Announcement,
    "commitment_id": Commitment,
    "meeting_id": Meeting,
}


def _choices(world: Network, name: str) -> list[int] | list[str]:
    if name == "theme_id":
        return [world.theme.id, world.other_theme.id]
    if name in ("member_id", "user_id"):
        return [person.id for person in world.people]
    if name == "handle":
        return [person.handle for person in world.people]
    if name in ROWS:
        model = ROWS[name]
        return list(db.session.scalars(select(model.id).order_by(model.id))) or [MISSING_ID]
    if name.endswith("_id"):
        return [MISSING_ID]  # things none of these tests make: their "not found" page
    raise AssertionError(f"say which values of <{name}> an outsider could try")


def listing_urls(app, world: Network) -> list[str]:
    """Return every page a member can ask for (GET) that is not tied to one thread or post.

    Built from the URL map, with every theme and person filled in, so pages added later (My
    reports, the moderation queue and log, ...) are covered too; plus the theme pages that
    start after each thread (the "older threads" paging).
    """
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        arguments = sorted(rule.arguments)
        if "GET" not in rule.methods or {"thread_id", "post_id"} & set(arguments):
            continue
        if SKIPPED_ARGUMENTS & set(arguments):
            continue
        for values in product(*(_choices(world, name) for name in arguments)):
            urls.append(adapter.build(rule.endpoint, dict(zip(arguments, values, strict=True))))
    for thread in db.session.scalars(select(Thread).order_by(Thread.id)):
        cursor = thread_service.ThreadCursor(thread.last_post_at, thread.id).encode()
        urls.append(f"/tema/{thread.theme_id}?efter={cursor}")
    return urls


def thread_bound_requests(app, world: Network, thread_id: int, post_id: int) -> Iterator[tuple]:
    """Yield (method, url) for every route of a thread or post, with these ids filled in."""
    adapter = app.url_map.bind("localhost")
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not {"thread_id", "post_id"} & set(rule.arguments):
            continue
        values = {}
        for name in rule.arguments:
            if name == "thread_id":
                values[name] = thread_id
            elif name == "post_id":
                values[name] = post_id
            elif name in ("member_id", "user_id"):
                values[name] = world.circle_member.id
            elif name == "theme_id":
                values[name] = world.other_theme.id
            else:
                raise AssertionError(f"{rule.endpoint}: say what to put in <{name}>")
        url = adapter.build(rule.endpoint, values)
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield method, url


def secret_words(world: Network) -> list[str]:
    """Return strings that only the secret thread could have put on a page."""
    words = [SECRET_TITLE, SECRET_BODY, SECRET_REPLY, NEW_TITLE, HIDE_REASON]
    # Links to the thread and its posts, and the posts' anchors, ids delimited.
    words += [f"/traad/{world.secret.id}{end}" for end in ('"', "?", "/", "#")]
    for post in world.posts():
        words += [f"/indlaeg/{post.id}{end}" for end in ('"', "?", "/")]
        words += [f'"post-{post.id}"', f'#post-{post.id}"']
    return words


def outsider_sweep(app, browser, world: Network) -> dict[str, str]:
    """Return every listing page as the browser sees it, checked free of the secret's words."""
    pages = {}
    words = secret_words(world)
    for url in listing_urls(app, world):
        response = browser.get(url)
        page = text(response)
        found = [word for word in words if word in page]
        assert not found, (url, response.status_code, found)
        pages[url] = f"{response.status_code}\n{normalised(page)}"
    return pages


def assert_no_trace(app, browse, world: Network, outsiders: list[User]) -> None:
    """Check every listing page for each outsider, then erase the secret thread and check
    that their pages are exactly the same as without it: not a count, date or link moved."""
    before = {person.id: outsider_sweep(app, browse(person), world) for person in outsiders}
    erase_secret(world)
    for person in outsiders:
        after = {}
        for url in before[person.id]:
            response = browse(person).get(url)
            after[url] = f"{response.status_code}\n{normalised(text(response))}"
        for url, page in before[person.id].items():
            assert page == after[url], (person.name, url)


def assert_not_found_everywhere(app, browser, world: Network, *, posts: list[Post]) -> None:
    """Check every thread and post URL of the secret thread answers 404 like a missing one,
    and that even a full form posted to it changes nothing."""
    state = secret_state(world)
    missing_page: dict[tuple[str, str], str] = {}
    for method, url in thread_bound_requests(app, world, MISSING_ID, MISSING_ID):
        missing_page[method, url] = normalised(text(request(browser, method, url)))

    checked = 0
    for post in posts:
        secret_requests = thread_bound_requests(app, world, world.secret.id, post.id)
        missing_requests = thread_bound_requests(app, world, MISSING_ID, MISSING_ID)
        for (method, url), missing in zip(secret_requests, missing_requests, strict=True):
            response = request(browser, method, url)
            assert response.status_code == 404, (method, url, response.status_code)
            assert normalised(text(response)) == missing_page[missing], (method, url)
            checked += 1
    assert checked >= 2 * 7  # thread, reply, post, edit (GET and POST), withdraw, revisions
    for query in ("?side=1", "?side=2"):
        response = browser.get(f"/traad/{world.secret.id}{query}")
        assert response.status_code == 404
    assert secret_state(world) == state, "a refused request changed the thread"


def request(browser, method: str, url: str):
    """Send the request; a POST carries a full form that would name everyone into the circle
    and move the thread, were the view to act on it."""
    if method == "POST":
        everyone = [str(person_id) for person_id in db.session.scalars(select(User.id))]
        theme_ids = [str(theme_id) for theme_id in db.session.scalars(select(Theme.id))]
        data = dict(FULL_FORM, circle=everyone, theme_id=theme_ids[-1], csrf_token=browser.token)
        return browser.post(url, data=data)
    return browser.get(url)


def secret_state(world: Network) -> tuple:
    """Return what a request could have changed about the secret thread."""
    db.session.expire_all()
    thread = db.session.get(Thread, world.secret.id)
    posts = tuple(
        (post.body_md, post.withdrawn_at, post.hidden_at, post.edited_at) for post in world.posts()
    )
    circle = tuple(sorted(member.user_id for member in thread.circle))
    reports = db.session.scalar(
        select(func.count(Report.id)).join(Report.post).where(Post.thread_id == thread.id)
    )
    return (
        thread.title,
        thread.theme_id,
        thread.visibility,
        thread.post_count,
        thread.pinned,
        thread.locked_at,
        thread.hidden_at,
        posts,
        circle,
        reports,
    )


def theme_card(home: str, name: str) -> str:
    """Return the home page's card of the theme."""
    cards = [card for card in home.split('<li class="card">')[1:] if f">{name}</a>" in card]
    assert len(cards) == 1, name
    return cards[0].split("</li>")[0]


def count_text(count: int) -> str:
    return da_n("%(num)d thread", "%(num)d threads", count)


def assert_sees_secret(browse, world: Network, person: User, title: str = SECRET_TITLE) -> None:
    """Check the person sees the secret thread where members look for threads."""
    browser = browse(person)
    thread_id = world.secret.id
    home = text(browser.get("/"))
    assert title in home, person.name
    assert f'href="/traad/{thread_id}"' in home, person.name
    theme_page = text(browser.get(f"/tema/{world.secret.theme_id}"))
    assert title in theme_page, person.name
    assert AUTHOR_NAME in theme_page, person.name  # "Started by"
    profile = text(browser.get(f"/medlemmer/{world.author.id}"))
    assert title in profile, person.name
    response = browser.get(f"/traad/{thread_id}")
    assert response.status_code == 200, person.name
    page = text(response)
    assert title in page
    assert SECRET_BODY in page
    for post in world.posts():
        assert browser.get(f"/indlaeg/{post.id}").status_code == 302, person.name


# --- who sees a secret thread -------------------------------------------------------------

KINDS = ["circle", "facilitators", "hidden"]


@pytest.mark.parametrize("kind", KINDS)
def test_insiders_see_the_thread_everywhere(kind, network, browse):
    world = add_secret(network, kind)
    for person in world.insiders:
        assert_sees_secret(browse, world, person)
        page = text(browse(person).get(f"/traad/{world.secret.id}"))
        assert SECRET_REPLY in page
        home = text(browse(person).get("/"))
        assert count_text(3) in theme_card(home, "Målsætning"), person.name


@pytest.mark.parametrize("kind", KINDS)
def test_outsiders_see_no_title_text_author_or_link_on_the_lists(kind, network, browse):
    world = add_secret(network, kind)
    for person in world.outsiders:
        browser = browse(person)
        for url in ("/", f"/tema/{world.theme.id}", f"/medlemmer/{world.author.id}"):
            page = text(browser.get(url))
            for word in secret_words(world):
                assert word not in page, (person.name, url, word)
        for url in ("/", f"/tema/{world.theme.id}"):
            page = text(browser.get(url))
            assert OLDER_TITLE in page  # the lists are there, just without the secret
            assert NEWER_TITLE in page
            assert AUTHOR_NAME not in page, (person.name, url)  # no "Started by"
            if kind == "circle":
                # nor "Latest post by" the circle member who replied
                assert CIRCLE_MEMBER_NAME not in page, (person.name, url)
        profile = text(browser.get(f"/medlemmer/{world.author.id}"))
        assert SECRET_TITLE not in profile
        assert f'href="/tema/{world.theme.id}"' not in profile  # not even the theme


@pytest.mark.parametrize("kind", KINDS)
def test_outsiders_count_one_thread_fewer_than_insiders(kind, network, browse):
    world = add_secret(network, kind)
    for person in world.outsiders:
        home = text(browse(person).get("/"))
        assert count_text(2) in theme_card(home, "Målsætning"), person.name
        assert count_text(1) in theme_card(home, "Partnerskaber"), person.name
    home = text(browse(world.insiders[0]).get("/"))
    assert count_text(3) in theme_card(home, "Målsætning")


@pytest.mark.parametrize("kind", KINDS)
def test_every_page_for_outsiders_is_as_if_the_thread_did_not_exist(kind, app, network, browse):
    world = add_secret(network, kind)
    assert_no_trace(app, browse, world, world.outsiders)


@pytest.mark.parametrize("kind", KINDS)
def test_every_thread_and_post_url_is_not_found_for_outsiders(kind, app, network, browse):
    world = add_secret(network, kind)
    for person in world.outsiders:
        assert_not_found_everywhere(app, browse(person), world, posts=world.posts())


def test_the_not_found_page_is_the_missing_threads_page(app, network, browse):
    world = add_secret(network, "circle")
    browser = browse(world.outsider)
    secret = browser.get(f"/traad/{world.secret.id}")
    missing = browser.get(f"/traad/{MISSING_ID}")
    assert secret.status_code == missing.status_code == 404
    assert normalised(text(secret)) == normalised(text(missing))
    assert secret.headers.get("Content-Type") == missing.headers.get("Content-Type")


def test_theme_paging_never_counts_the_secret_thread(app, network, browse, monkeypatch):
    monkeypatch.setattr(thread_service, "THREADS_PER_PAGE", 2)
    world = add_secret(network, "circle")
    theme_url = f"/tema/{world.theme.id}"

    insider_first = text(browse(world.circle_member).get(theme_url))
    assert NEWER_TITLE in insider_first
    assert SECRET_TITLE in insider_first
    assert OLDER_TITLE not in insider_first
    cursor = re.search(r'href="[^"]*\?efter=([^"]+)" rel="next"', insider_first).group(1)
    assert OLDER_TITLE in text(browse(world.circle_member).get(f"{theme_url}?efter={cursor}"))

    outsider = browse(world.outsider)
    first = text(outsider.get(theme_url))
    assert NEWER_TITLE in first
    assert OLDER_TITLE in first
    assert SECRET_TITLE not in first
    assert "efter=" not in first  # two threads fit on a page: no "older threads" link
    second = text(outsider.get(f"{theme_url}?efter={cursor}"))  # the insider's cursor
    assert OLDER_TITLE in second
    assert SECRET_TITLE not in second
    assert_no_trace(app, browse, world, [world.outsider])


def test_a_facilitators_only_thread_is_for_facilitators_and_its_author(network, browse):
    world = add_secret(network, "facilitators")
    assert world.circle_member in world.outsiders  # being named by the author means nothing
    for person in world.outsiders:
        assert browse(person).get(f"/traad/{world.secret.id}").status_code == 404
    for person in (world.author, world.facilitator, world.admin):
        assert browse(person).get(f"/traad/{world.secret.id}").status_code == 200


def test_a_hidden_thread_is_gone_even_for_members_who_wrote_in_it(app, network, browse):
    world = add_secret(network, "hidden")
    reply = world.posts()[1]
    assert reply.author_id == world.circle_member.id
    browser = browse(world.circle_member)
    assert browser.get(f"/indlaeg/{reply.id}").status_code == 404
    assert browser.get(f"/indlaeg/{reply.id}/rediger").status_code == 404
    assert browser.get(f"/indlaeg/{reply.id}/traek-tilbage").status_code == 404
    # The author can still open it (to read why); facilitators too.
    assert browse(world.author).get(f"/traad/{world.secret.id}").status_code == 200
    page = text(browse(world.facilitator).get(f"/traad/{world.secret.id}"))
    assert SECRET_REPLY in page


# --- hidden posts ------------------------------------------------------------------------


def test_a_hidden_posts_text_is_for_its_author_and_facilitators_only(app, network, browse):
    world = network
    hidden_author = factories.user(name="Hanne Skjultsen")
    thread = world.older
    reply = factories.reply(hidden_author, thread, body="skjult-tekst-777 første udgave")
    thread_service.edit_post(hidden_author, reply, "skjult-tekst-777")  # leaves a revision
    moderation_service.report_post(world.outsider, reply, "Personoplysninger")
    moderation_service.hide_post(world.facilitator, reply, HIDE_REASON)
    thread_url = f"/traad/{thread.id}"

    for person in (world.outsider, world.circle_member, world.network_author):
        browser = browse(person)
        page = text(browser.get(thread_url))
        assert "Hvor mange stativer?" in page  # the thread itself is there
        assert "skjult-tekst-777" not in page
        assert HIDE_REASON not in page
        assert f'id="post-{reply.id}"' not in page
        for url in ("/", f"/tema/{world.theme.id}"):
            page = text(browser.get(url))
            assert OLDER_TITLE in page
            assert "Hanne Skjultsen" not in page  # not "Latest post by" the hidden post
            assert da_n("%(num)d reply", "%(num)d replies", 0) in page
        for url in (
            f"/indlaeg/{reply.id}",
            f"/indlaeg/{reply.id}/rediger",
            f"/indlaeg/{reply.id}/traek-tilbage",
            f"/indlaeg/{reply.id}/versioner",
        ):
            response = browser.get(url)
            assert response.status_code == 404, (person.name, url)
            assert "skjult-tekst-777" not in text(response)
        missing = normalised(text(browser.get(f"/indlaeg/{MISSING_ID}/versioner")))
        assert normalised(text(browser.get(f"/indlaeg/{reply.id}/versioner"))) == missing
        # Every other route of the hidden post (report, hide, ...) answers 404 too.
        for method, url in thread_bound_requests(app, world, thread.id, reply.id):
            if "/indlaeg/" in url:
                response = request(browser, method, url)
                assert response.status_code == 404, (person.name, method, url)

    # The reporter learns the post was hidden, not what it said.
    my_reports = text(browse(world.outsider).get("/mine-rapporter"))
    assert OLDER_TITLE in my_reports
    assert "skjult-tekst-777" not in my_reports
    assert HIDE_REASON not in my_reports

    for person in (hidden_author, world.facilitator, world.admin):
        page = text(browse(person).get(thread_url))
        assert "skjult-tekst-777" in page, person.name
    hidden = db.session.get(Post, reply.id)
    assert hidden.is_hidden
    assert hidden.body_md == "skjult-tekst-777"  # the refused requests changed nothing


# --- the rule holds after changes ----------------------------------------------------------


def test_a_moved_secret_thread_is_in_neither_themes_list_for_outsiders(app, network, browse):
    world = add_secret(network, "circle")
    moderation_service.move_thread(world.facilitator, world.secret, world.other_theme)
    assert world.secret.theme_id == world.other_theme.id

    for person in world.outsiders:
        browser = browse(person)
        for url in (f"/tema/{world.theme.id}", f"/tema/{world.other_theme.id}", "/"):
            assert SECRET_TITLE not in text(browser.get(url)), (person.name, url)
        home = text(browser.get("/"))
        assert count_text(2) in theme_card(home, "Målsætning")
        assert count_text(1) in theme_card(home, "Partnerskaber")

    for person in world.insiders:
        browser = browse(person)
        assert SECRET_TITLE not in text(browser.get(f"/tema/{world.theme.id}")), person.name
        assert SECRET_TITLE in text(browser.get(f"/tema/{world.other_theme.id}")), person.name
        home = text(browser.get("/"))
        assert count_text(2) in theme_card(home, "Målsætning")
        assert count_text(2) in theme_card(home, "Partnerskaber")
        assert_sees_secret(browse, world, person)

    for person in world.outsiders:
        assert_not_found_everywhere(app, browse(person), world, posts=world.posts())
    assert_no_trace(app, browse, world, world.outsiders)


def test_a_renamed_secret_thread_shows_neither_title_to_outsiders(app, network, browse):
    world = add_secret(network, "circle")
    moderation_service.rename_thread(world.facilitator, world.secret, NEW_TITLE)

    for person in world.insiders:
        assert_sees_secret(browse, world, person, title=NEW_TITLE)
        for url in ("/", f"/tema/{world.theme.id}", f"/medlemmer/{world.author.id}"):
            assert SECRET_TITLE not in text(browse(person).get(url)), (person.name, url)

    # secret_words() holds both titles, so the sweep looks for the old and the new one.
    for person in world.outsiders:
        assert_not_found_everywhere(app, browse(person), world, posts=world.posts())
    assert_no_trace(app, browse, world, world.outsiders)


def test_narrowing_a_network_thread_takes_it_from_those_left_out(app, network, browse):
    world = network
    secret = factories.thread(world.author, world.theme, title=SECRET_TITLE, body=SECRET_BODY)
    own_reply = factories.reply(world.outsider, secret, body="mit-eget-svar-321")
    circle_reply = factories.reply(world.circle_member, secret, body=SECRET_REPLY)
    moderation_service.report_post(world.outsider, circle_reply, "Det er ikke i orden")
    world.secret = secret
    world.newer = factories.thread(world.network_author, world.theme, title=NEWER_TITLE)
    # While the thread is for the whole network, the outsider sees it (so the test can fail).
    assert_sees_secret(browse, world, world.outsider)
    assert [report.post_id for report in moderation_service.reports_by(world.outsider)] == [
        circle_reply.id
    ]
    assert SECRET_TITLE in text(browse(world.outsider).get("/mine-rapporter"))
    assert SECRET_TITLE in text(browse(world.network_author).get("/"))

    circle_service.change_visibility(world.author, secret, "circle", [world.circle_member.id])
    db.session.commit()  # as the request would

    outsiders = [world.outsider, world.network_author]
    browser = browse(world.outsider)
    assert browser.get(f"/traad/{secret.id}").status_code == 404
    # Their own reply went with it: its permalink, edit and withdraw pages are not found.
    for url in (
        f"/indlaeg/{own_reply.id}",
        f"/indlaeg/{own_reply.id}/rediger",
        f"/indlaeg/{own_reply.id}/traek-tilbage",
        f"/indlaeg/{own_reply.id}/versioner",
    ):
        assert browser.get(url).status_code == 404, url
    # Their report of a post in it is no longer theirs to see either ("My reports").
    assert moderation_service.reports_by(world.outsider) == []
    report = db.session.scalar(select(Report))
    assert permissions.find_report(world.outsider, report.id) is None
    assert permissions.find_report(world.facilitator, report.id) is not None

    for person in (world.author, world.circle_member, world.facilitator, world.admin):
        assert_sees_secret(browse, world, person)
    for person in outsiders:
        assert_not_found_everywhere(app, browse(person), world, posts=world.posts())
    assert_no_trace(app, browse, world, outsiders)


def test_a_member_taken_out_of_the_circle_loses_it_everywhere_at_once(app, network, browse):
    world = add_secret(network, "circle")
    removed = world.circle_member
    own_reply = world.posts()[1]
    assert own_reply.author_id == removed.id
    assert_sees_secret(browse, world, removed)  # logged in, and seeing it, before the change

    circle_service.remove_circle_member(world.author, world.secret, removed)
    db.session.commit()  # as the request would

    # The same session, with no new login: the very next request no longer shows it.
    browser = browse(removed)
    assert browser.get(f"/traad/{world.secret.id}").status_code == 404
    assert browser.get(f"/indlaeg/{own_reply.id}").status_code == 404
    assert browser.get(f"/indlaeg/{own_reply.id}/rediger").status_code == 404
    home = text(browser.get("/"))
    assert SECRET_TITLE not in home
    assert count_text(2) in theme_card(home, "Målsætning")
    assert SECRET_TITLE in text(browse(world.author).get("/"))  # the author keeps it

    outsiders = [removed, world.outsider]
    for person in outsiders:
        assert_not_found_everywhere(app, browse(person), world, posts=world.posts())
    assert_no_trace(app, browse, world, outsiders)


def test_a_pinned_secret_thread_stays_out_of_the_pinned_list(app, network, browse):
    world = add_secret(network, "circle")
    moderation_service.set_pinned(world.facilitator, world.secret, True)
    for person in world.insiders:
        assert_sees_secret(browse, world, person)
    for person in world.outsiders:
        assert_not_found_everywhere(app, browse(person), world, posts=world.posts())
    assert_no_trace(app, browse, world, world.outsiders)


def test_a_help_thread_narrowed_to_a_circle_leaves_no_trace_on_the_commitment(app, network, browse):
    world = network
    commitment = action_service.create_commitment(
        world.author,
        title="Sorteringsstationer i filialerne",
        why="",
        theme=world.theme,
        sdgs=[],
        meeting=None,
        due_date=None,
    )
    entry = action_service.log_progress(
        world.author, commitment, needs="Erfaringer med leverandører", ask_for_help=True
    )
    world.secret = db.session.get(Thread, entry.help_thread_id)
    commitment_url = f"/handlinger/{commitment.id}"
    link = f'href="/traad/{world.secret.id}"'
    # While the help thread is the network's, the commitment links to it (so the test can fail).
    assert link in text(browse(world.outsider).get(commitment_url))

    circle_service.change_visibility(world.author, world.secret, "circle", [world.circle_member.id])
    moderation_service.rename_thread(world.facilitator, world.secret, NEW_TITLE)

    for person in (world.author, world.circle_member, world.facilitator):
        page = text(browse(person).get(commitment_url))
        assert link in page, person.name
        assert NEW_TITLE in page, person.name
    outsiders = [world.outsider, world.network_author]
    for person in outsiders:
        assert_not_found_everywhere(app, browse(person), world, posts=world.posts())
    assert_no_trace(app, browse, world, outsiders)  # the commitment page included


def test_a_hidden_circle_thread_is_gone_for_its_circle_too(app, network, browse):
    world = add_secret(network, "circle")
    moderation_service.hide_thread(world.facilitator, world.secret, HIDE_REASON)
    outsiders = [world.circle_member, world.outsider]
    for person in outsiders:
        assert_not_found_everywhere(app, browse(person), world, posts=world.posts())
    assert_sees_secret(browse, world, world.author)
    assert_sees_secret(browse, world, world.facilitator)
    assert_no_trace(app, browse, world, outsiders)


# --- moderation pages and reports ----------------------------------------------------------


def test_the_moderation_queue_and_log_are_for_facilitators_only(network, browse):
    world = add_secret(network, "circle")
    moderation_service.report_post(world.author, world.posts()[1], "Upassende")
    moderation_service.rename_thread(world.facilitator, world.secret, NEW_TITLE)
    for person in (world.outsider, world.network_author, world.circle_member, world.author):
        for url in ("/moderation", "/moderation/log"):
            response = browse(person).get(url)
            assert response.status_code == 403, (person.name, url)
            for word in secret_words(world):
                assert word not in text(response), (person.name, url, word)
    for person in (world.facilitator, world.admin):
        assert NEW_TITLE in text(browse(person).get("/moderation")), person.name
        log = text(browse(person).get("/moderation/log"))
        assert SECRET_TITLE in log, person.name  # renamed from ...
        assert NEW_TITLE in log, person.name  # ... to


def test_my_reports_and_the_queue_only_hold_threads_the_viewer_may_see(network):
    world = add_secret(network, "circle")
    opening, secret_reply = world.posts()
    by_author = moderation_service.report_post(world.author, secret_reply, "Upassende")
    by_member = moderation_service.report_post(world.circle_member, opening, "Forkert tema")
    assert [r.id for r in moderation_service.reports_by(world.circle_member)] == [by_member.id]
    assert permissions.find_report(world.circle_member, by_member.id) is not None
    assert {r.id for r in moderation_service.open_reports(world.facilitator)} == {
        by_author.id,
        by_member.id,
    }

    circle_service.remove_circle_member(world.author, world.secret, world.circle_member)

    # Their own report of the thread goes with the thread ("My reports" shows no trace).
    assert moderation_service.reports_by(world.circle_member) == []
    assert permissions.find_report(world.circle_member, by_member.id) is None
    assert moderation_service.open_reports(world.circle_member) == []
    assert moderation_service.open_report_count(world.circle_member) == 0
    assert moderation_service.open_reports(world.outsider) == []
    assert [r.id for r in moderation_service.reports_by(world.author)] == [by_author.id]
    assert moderation_service.open_report_count(world.facilitator) == 2
