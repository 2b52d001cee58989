"""Configuration: built-in defaults, then instance/config.py, then the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask


class Defaults:
    """Built-in defaults; every key can be overridden by instance/config.py or IPR_<KEY>."""

    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # also set per request when served over HTTPS
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session
    RATELIMIT_STORAGE_URI = None  # unset: REDIS_URL's Redis when that is set, else memory://
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (a method name, not a secret)
    PASSWORD_MIN_LENGTH = 12  # ASVS 2.1.1
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    SCREENING_MAX_BYTES = 50 * 1024 * 1024  # a screening file (a 100,000-line file fits)
    PAGE_SIZE = 25
    # Languages (issue 15): zh_Hans or en, for readers with no saved choice, no cookie and no
    # Accept-Language we know (IPR_DEFAULT_LOCALE=en for an English-first instance).
    DEFAULT_LOCALE = "zh_Hans"
    # Working days (issue 15): "CN" counts China's official public holidays and make-up working
    # days (the `holidays` package) plus the admins' calendar; "none": weekends and the admins'
    # calendar only (IPR_WORKDAY_CALENDAR=none).
    WORKDAY_CALENDAR = "CN"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    PROXY_FIX_X_FOR = 0  # number of trusted proxies in front of the app
    MAIL_SERVER = None  # unset: emails are written as .eml files into OUTBOX_FOLDER
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS after connecting
    MAIL_USE_SSL = False  # TLS from the first byte (SMTPS, usually port 465)
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "IPR Customs Recordation <no-reply@ipr.example>"
    MAIL_TIMEOUT = 10  # seconds
    PUBLIC_URL = None  # deprecated: the old name of BASE_URL (used when BASE_URL is unset)
    MAIL_RETRY_SECONDS = None  # e.g. [60, 300, 1800, 7200] (the default schedule)
    REDIS_URL = None  # set: the job queue (and later rate limits) use this Redis
    JOBS_IMMEDIATE = False  # True: tasks run at once in the caller (tests), no worker needed
    DOMESTIC_COUNTRY = "CN"  # statistics: holders from this country count as domestic
    # Accounts (issue 11): password strength, e-mail confirmation, password reset, demo logins.
    PASSWORD_MIN_SCORE = 3  # zxcvbn score 0-4 a new password must reach
    EMAIL_CONFIRM_MAX_AGE = 48 * 3600  # seconds a registration's confirmation link works
    PASSWORD_RESET_MAX_AGE = 3600  # seconds a reset link works (and only once)
    PASSWORD_RESET_RATE_LIMIT = "5 per hour"  # noqa: S105 (reset requests per client address)
    CONFIRM_RESEND_RATE_LIMIT = "3 per hour"  # confirmation e-mails re-sent per client address
    DEMO_PASSWORD = None  # seed-demo: unset, one random password kept in instance/demo_password
    # Server-side sessions, in seconds: a sign-in ends after this long without a request, and
    # this long after it started whatever the activity (ASVS 3.3.2 / NIST AAL2: 12 hours).
    SESSION_IDLE_TIMEOUT = 8 * 3600
    SESSION_MAX_AGE = 12 * 3600
    # Busy database (issue 11): a writer waits this long for SQLite's lock, then answers 503
    # with Retry-After (keep it well under gunicorn's worker timeout, 30 s by default).
    SQLITE_BUSY_TIMEOUT = 5  # seconds
    BUSY_RETRY_AFTER = 5  # seconds, the Retry-After of a 503 "busy" answer
    TOKEN_TOUCH_INTERVAL = 300  # seconds: an API token's last_used_at is written at most this often
    # Throttling (per address unless said otherwise); limits may be joined with ";"
    LOGIN_ACCOUNT_RATE_LIMIT = "5 per minute;50 per hour"  # failed sign-ins per account
    SIGNUP_RATE_LIMIT = "10 per hour"  # account sign-ups (registrations) per client address
    TOKEN_RATE_LIMIT = "10 per hour"  # noqa: S105 (API tokens created per account; no secret)
    BASE_URL = None  # e.g. https://ipr.example.gov: every absolute link in e-mails
    TRUSTED_HOSTS = None  # unset: BASE_URL's host, localhost and 127.0.0.1; other Hosts get 400
    # Public register (issue 12): searches and verifications per client address, the pages and
    # the API together (IPR_REGISTER_RATE_LIMIT; sign-ups are SIGNUP_RATE_LIMIT).
    REGISTER_RATE_LIMIT = "60 per minute"


def load_config(app: Flask, test_config: dict | None) -> None:
    """Apply defaults → instance/config.py → environment → test_config, in that order."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    if "DATABASE_URL" in os.environ:
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app.config.from_prefixed_env("IPR")
    if test_config:
        app.config.from_mapping(test_config)
    _fill_derived(app)


def _fill_derived(app: Flask) -> None:
    instance = Path(app.instance_path)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", f"sqlite:///{instance / 'ipr_apps.sqlite3'}")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    _sqlite_busy_timeout(app)
    app.config.setdefault("UPLOAD_FOLDER", str(instance / "uploads"))
    app.config.setdefault("OUTBOX_FOLDER", str(instance / "outbox"))
    app.config.setdefault("JOBS_DATABASE", str(instance / "jobs.sqlite3"))
    app.config["RATELIMIT_STORAGE_URI"] = (
        app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL") or "memory://"
    )
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = default_trusted_hosts(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance)


def _sqlite_busy_timeout(app: Flask) -> None:
    """SQLite waits SQLITE_BUSY_TIMEOUT seconds for a lock (the driver's `timeout`)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])  # not the shared class default
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("timeout", float(app.config["SQLITE_BUSY_TIMEOUT"]))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}


def base_url(config) -> str | None:
    """BASE_URL, or PUBLIC_URL, its deprecated older name."""
    return config.get("BASE_URL") or config.get("PUBLIC_URL") or None


def default_trusted_hosts(config) -> list[str]:
    hosts = ["localhost", "127.0.0.1"]
    host = urlsplit(base_url(config) or "").hostname
    return [host, *hosts] if host and host not in hosts else hosts


def normalise_database_url(url: str) -> str:
    """Accept the postgres:// forms hosting platforms hand out; use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(instance: Path) -> str:
    """Read the secret kept in instance/, creating it on first start."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker created it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret
