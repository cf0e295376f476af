"""A newcomer's first run: `make run PORT=5001` serves on that port with links that follow
it, and emails written to the log can be read as they are."""

from __future__ import annotations

import logging
import re
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from forum.config import load_config
from forum.services.mail import build_message, render_email, send_message, site_url

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("FORUM_BASE_URL", "FORUM_PORT", "FORUM_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "x")
    return monkeypatch


def test_links_follow_the_port_the_app_is_served_on(clean_env, tmp_path):
    clean_env.setenv("FORUM_PORT", "5001")
    assert load_config(tmp_path)["FORUM_BASE_URL"] == "http://127.0.0.1:5001"


def test_links_default_to_port_5000(clean_env, tmp_path):
    assert load_config(tmp_path)["FORUM_BASE_URL"] == "http://127.0.0.1:5000"


def test_a_configured_base_url_wins_over_the_port(clean_env, tmp_path):
    clean_env.setenv("FORUM_PORT", "5001")
    clean_env.setenv("FORUM_BASE_URL", "https://forum.example.dk")
    assert load_config(tmp_path)["FORUM_BASE_URL"] == "https://forum.example.dk"


def test_a_port_that_is_not_a_number_is_refused_with_its_name(clean_env, tmp_path):
    clean_env.setenv("FORUM_PORT", "fem")
    with pytest.raises(RuntimeError, match="FORUM_PORT"):
        load_config(tmp_path)


def test_email_links_point_at_the_port(app, clean_env, tmp_path):
    clean_env.setenv("FORUM_PORT", "5001")
    clean_env.setitem(app.config, "FORUM_BASE_URL", load_config(tmp_path)["FORUM_BASE_URL"])
    with app.app_context():
        link = site_url("auth.reset_password", token="abc")
    assert link == "http://127.0.0.1:5001/nulstil-adgangskode/abc"


def test_make_run_serves_on_the_port_it_is_given_and_tells_the_app():
    """`make -n` prints the commands without running them."""
    commands = subprocess.run(
        ["make", "-n", "run", "PORT=5001"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    serve = next(line for line in commands.splitlines() if " run " in line and "flask" in line)
    assert re.search(r"--port\s+5001\b", serve), serve
    assert "FORUM_PORT=5001" in serve, serve


def test_an_email_written_to_the_log_reads_as_plain_danish(app, caplog, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    # The migrations' logging setup (fileConfig) disables loggers that existed before it ran.
    monkeypatch.setattr(app.logger, "disabled", False)
    with app.app_context(), caplog.at_level(logging.INFO, logger=app.logger.name):
        rendered = render_email(
            "password_reset",
            "da",
            user=SimpleNamespace(name="Søren Ærø"),
            link="http://127.0.0.1:5000/nulstil-adgangskode/abc",
        )
        send_message(build_message("mette@example.org", rendered, message_id="<1@test>"))
    logged = caplog.text
    assert "Kære Søren Ærø" in logged
    assert "=C3=" not in logged
    assert "http://127.0.0.1:5000/nulstil-adgangskode/abc" in logged
    assert "mette@example.org" in logged
