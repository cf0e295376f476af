"""SQLite under several worker processes: reads never wait for a writer, writes never fail.

Runs on its own SQLite file whichever engine the suite uses, because the lock behaviour it
checks is SQLite's: gunicorn with two workers serves the app while readers and writers use
it at once, and while another process holds the write lock.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from forum import create_app
from forum.extensions import db
from forum.models import Post
from forum.services import accounts as account_service
from forum.services import themes as theme_service
from forum.services import threads as thread_service

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "reader-writer-password"
_spec = importlib.util.spec_from_file_location("loadtest", ROOT / "scripts" / "loadtest.py")
assert _spec is not None and _spec.loader is not None
loadtest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(loadtest)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, int]]:
    """Serve a small forum on its own SQLite file with gunicorn (2 workers)."""
    folder = tmp_path_factory.mktemp("workers")
    database = folder / "forum.db"
    url = f"sqlite:///{database}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "workers-test"})
    with app.app_context():
        upgrade()
        author = account_service.create_user("reader@example.org", "Rie Læser", "member", PASSWORD)
        theme = theme_service.create_theme("Målsætning", "")
        thread = thread_service.create_thread(author, theme, "Fælles tråd", "Første indlæg")
        db.session.commit()
        thread_id = thread.id
        db.engine.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "workers-test",
        "FORUM_MAIL_SERVER": "",
    }
    log = open(folder / "gunicorn.log", "w+")  # noqa: SIM115 - read after the server stops
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                log.seek(0)
                pytest.fail("gunicorn did not start:\n" + log.read())
            time.sleep(0.1)
    yield base, database, thread_id
    server.terminate()
    server.wait(timeout=10)
    log.seek(0)
    output = log.read()
    log.close()
    assert "database is locked" not in output, output


def _logged_in(base: str) -> loadtest.Client:
    client = loadtest.Client(base)
    client.login("reader@example.org", PASSWORD)
    return client


def _reply(client: loadtest.Client, thread_id: int, text: str) -> int:
    page = f"/traad/{thread_id}"
    return client.post(f"{page}/svar", page, {"body": text})


def _post_count(database: Path) -> int:
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "x"})
    with app.app_context():
        count = db.session.scalar(select(func.count(Post.id))) or 0
        db.engine.dispose()
    return count


def test_pages_answer_while_another_process_holds_the_write_lock(served):
    base, database, thread_id = served
    readers = [_logged_in(base) for _ in range(4)]
    writer = _logged_in(base)
    before = _post_count(database)
    holder = sqlite3.connect(database, isolation_level=None, timeout=10)
    holder.execute("BEGIN IMMEDIATE")  # another process writing, slowly
    holder.execute("UPDATE users SET name = name")
    lock_held = 2.5
    write_result: dict[str, float] = {}

    def write_during_lock() -> None:
        began = time.perf_counter()
        write_result["status"] = _reply(writer, thread_id, "Skrevet mens låsen var taget.")
        write_result["seconds"] = time.perf_counter() - began

    writing = threading.Thread(target=write_during_lock)
    released_at = time.perf_counter() + lock_held
    writing.start()
    read_times: list[float] = []
    while time.perf_counter() < released_at - 0.3:
        for reader in readers:
            began = time.perf_counter()
            for path in ("/", f"/traad/{thread_id}"):
                status, _ = reader.get(path)
                assert status == 200, path
            read_times.append(time.perf_counter() - began)
    holder.execute("COMMIT")
    holder.close()
    writing.join(timeout=15)

    # Reads went on while the lock was held: none waited for it.
    assert len(read_times) >= 4
    assert max(read_times) < lock_held - 1.0, read_times  # a waiting read would take longer
    # The write waited for the lock instead of failing, and landed.
    assert write_result["status"] == 200, write_result  # the redirect to the thread, followed
    assert write_result["seconds"] >= lock_held - 0.5
    assert _post_count(database) == before + 1


def test_readers_and_writers_together_across_workers(served):
    base, database, thread_id = served
    before = _post_count(database)
    statuses: list[tuple[str, int]] = []
    read_times: list[float] = []
    lock = threading.Lock()
    stop_at = float("inf")

    def read(client: loadtest.Client) -> None:
        while time.perf_counter() < stop_at:
            began = time.perf_counter()
            status, _ = client.get("/")
            with lock:
                statuses.append(("GET", status))
                read_times.append(time.perf_counter() - began)

    def write(client: loadtest.Client, writer: int) -> None:
        n = 0
        while time.perf_counter() < stop_at:
            n += 1
            status = _reply(client, thread_id, f"Skriver {writer}, svar {n}.")
            with lock:
                statuses.append(("POST", status))

    workers = [threading.Thread(target=read, args=(_logged_in(base),)) for _ in range(4)] + [
        threading.Thread(target=write, args=(_logged_in(base), n)) for n in range(3)
    ]
    stop_at = time.perf_counter() + 3.0
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)

    reads = [status for kind, status in statuses if kind == "GET"]
    writes = [status for kind, status in statuses if kind == "POST"]
    assert reads and writes
    assert set(reads) == {200}, statuses
    assert set(writes) == {200}, statuses  # redirects to the new post, followed
    assert _post_count(database) == before + len(writes)
    assert sorted(read_times)[int(0.95 * len(read_times))] < 1.0


# --- Markdown is rendered before the write lock --------------------------------------------


@pytest.fixture
def live_server(app, db_session) -> Iterator[str]:
    """Serve the suite's app (SQLite or PostgreSQL) from threads, each request its own
    connection, as workers would."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


SLOW_MARK = "langsom-tekst"


@pytest.mark.parametrize("action", ["reply", "new thread"])
def test_a_slow_post_does_not_hold_up_another_members_post(
    live_server, monkeypatch, member, other_member, theme, action
):
    from forum import markdown
    from tests import factories

    thread_id, theme_id = factories.thread(member, theme).id, theme.id
    render = markdown.render

    def slow_render(text: str) -> object:
        if SLOW_MARK in text:
            time.sleep(2.0)  # a pathological post that takes long to render
        return render(text)

    monkeypatch.setattr(markdown, "render", slow_render)
    slow_client, quick_client = loadtest.Client(live_server), loadtest.Client(live_server)
    slow_client.login(member.email, factories.PASSWORD)
    quick_client.login(other_member.email, factories.PASSWORD)

    def send(client: loadtest.Client, text: str) -> int:
        if action == "reply":
            return _reply(client, thread_id, text)
        page = f"/tema/{theme_id}/ny"
        return client.post(page, page, {"title": "Ny tråd", "body": text, "visibility": "network"})

    result: dict[str, int] = {}
    slow = threading.Thread(target=lambda: result.update(slow=send(slow_client, SLOW_MARK)))
    slow.start()
    time.sleep(0.3)  # the slow post is being rendered now
    began = time.perf_counter()
    result["quick"] = send(quick_client, "Et hurtigt svar.")
    quick_seconds = time.perf_counter() - began
    slow.join(timeout=20)

    assert result == {"slow": 200, "quick": 200}  # both saved (redirects followed)
    assert quick_seconds < 1.0, f"the quick post waited {quick_seconds:.2f} s"
