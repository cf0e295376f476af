"""Settings read from the environment when the app is created, with safe defaults."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

TRUE_VALUES = {"1", "true", "yes", "on"}


def _env_bool(name: str, default: bool) -> bool:
    """Read a boolean setting from the environment."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in TRUE_VALUES


def _port() -> int:
    """Return the port `make run` serves on (FORUM_PORT, default 5000).

    Raises RuntimeError when it is not a port number.
    """
    value = os.environ.get("FORUM_PORT", "").strip() or "5000"
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) < 65536:
        raise RuntimeError(f"FORUM_PORT must be a port number, not {value!r}")
    return int(value)


def _development_secret_key(instance_path: Path) -> str:
    """Return the development secret key, creating it once in the instance folder."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_config(instance_path: Path) -> dict[str, Any]:
    """Build the configuration from FORUM_* / DATABASE_URL environment variables.

    Raises RuntimeError when SECRET_KEY is missing outside development.
    """
    env = os.environ.get("FORUM_ENV", "development")
    secret_key = os.environ.get("SECRET_KEY")
    if not secret_key:
        if env == "production":
            raise RuntimeError("SECRET_KEY must be set when FORUM_ENV=production")
        secret_key = _development_secret_key(instance_path)

    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'forum.db'}"
    base_url = os.environ.get("FORUM_BASE_URL") or f"http://127.0.0.1:{_port()}"
    https = base_url.startswith("https://")

    return {
        "FORUM_ENV": env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "FORUM_BASE_URL": base_url,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 30,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        # Requests are capped at 2 MB; upload views raise their own cap (forum/library).
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # The resource library's files: where they live (outside static/, under generated
        # names) and how large one may be.
        "UPLOAD_FOLDER": os.environ.get("FORUM_UPLOAD_FOLDER") or str(instance_path / "uploads"),
        "UPLOAD_MAX_BYTES": int(os.environ.get("FORUM_UPLOAD_MAX_MB", "25")) * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "da",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Copenhagen",
        "MAIL_SERVER": os.environ.get("FORUM_MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("FORUM_MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("FORUM_MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("FORUM_MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _env_bool("FORUM_MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _env_bool("FORUM_MAIL_USE_SSL", False),
        "MAIL_SENDER": os.environ.get("FORUM_MAIL_SENDER", "Netværksforum <forum@localhost>"),
        # Seconds the worker waits for the SMTP server before counting an attempt as failed.
        "MAIL_TIMEOUT": int(os.environ.get("FORUM_MAIL_TIMEOUT", "20")),
        # The worker (`flask --app wsgi worker`, forum/worker.py): seconds between passes when
        # idle; attempts per email before it is dropped; first retry delay in seconds (doubled
        # after each failure, at most a day); how long a claimed email stays claimed, so that
        # one whose worker died is taken up again by another.
        "WORKER_POLL_SECONDS": float(os.environ.get("FORUM_WORKER_POLL_SECONDS", "5")),
        "OUTBOX_MAX_ATTEMPTS": int(os.environ.get("FORUM_OUTBOX_MAX_ATTEMPTS", "8")),
        "OUTBOX_RETRY_SECONDS": int(os.environ.get("FORUM_OUTBOX_RETRY_SECONDS", "60")),
        "OUTBOX_LEASE_SECONDS": int(os.environ.get("FORUM_OUTBOX_LEASE_SECONDS", "300")),
        # The login throttle (forum/services/accounts.py explains the rule).
        "LOGIN_MAX_FAILURES_PER_PAIR": int(os.environ.get("FORUM_LOGIN_MAX_PER_PAIR", "5")),
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": int(os.environ.get("FORUM_LOGIN_MAX_PER_ACCOUNT", "10")),
        "LOGIN_MAX_ACCOUNTS_PER_ADDRESS": int(os.environ.get("FORUM_LOGIN_MAX_PER_ADDRESS", "10")),
        "LOGIN_THROTTLE_MINUTES": int(os.environ.get("FORUM_LOGIN_THROTTLE_MINUTES", "15")),
        # Reset emails: per account per hour (a link's lifetime), per client address per window.
        "RESET_MAX_PER_ACCOUNT": int(os.environ.get("FORUM_RESET_MAX_PER_ACCOUNT", "3")),
        "RESET_MAX_PER_ADDRESS": int(os.environ.get("FORUM_RESET_MAX_PER_ADDRESS", "10")),
        "RESET_ADDRESS_MINUTES": int(os.environ.get("FORUM_RESET_ADDRESS_MINUTES", "15")),
        "TRUSTED_PROXIES": int(os.environ.get("FORUM_TRUSTED_PROXIES", "0")),
    }
