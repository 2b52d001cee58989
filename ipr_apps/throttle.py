"""Throttling (Flask-Limiter): the limits of sign-in, registration and token creation, and 429s."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import current_app, request
from flask_login import current_user

from ipr_apps.extensions import limiter
from ipr_apps.services import security_log

SIGNIN_ENDPOINT = "auth.login"


def setting(key: str) -> Callable[[], str]:
    """A limit read from the configuration at request time (tests and operators change it)."""

    def provider() -> str:
        return current_app.config[key]

    provider.__name__ = f"{key.lower()}_setting"
    return provider


def account_key() -> str:
    """The sign-in form's e-mail, normalised as accounts store it: one bucket per account."""
    email = (request.form.get("email") or "").strip().lower()
    return f"account:{email}" if email else ""


def no_account() -> bool:
    """No e-mail sent: nothing to count against an account (the address limit still applies)."""
    return not account_key()


def user_key() -> str:
    return f"user:{current_user.get_id()}"


def anonymous() -> bool:
    return not current_user.is_authenticated


def forget_account_failures() -> None:
    """A successful sign-in clears its account's count, so the count is of failures only.

    The attempt was counted before the password was checked (an atomic increment, so parallel
    guesses on several workers cannot all slip under the limit); success takes it back."""
    key = account_key()
    for current in limiter.current_limits:
        if key and key in current.request_args:
            limiter.limiter.clear(current.limit, *current.request_args)


def log_refused_signin() -> None:
    """A sign-in attempt refused by a limit goes to the security log (best-effort)."""
    if request.endpoint == SIGNIN_ENDPOINT and request.method == "POST":
        security_log.record_signin_throttled(request.form.get("email"), breached_scope())


def breached_scope() -> str:
    """Which sign-in limit refused the request: the account's, or the address's."""
    current = limiter.current_limit
    args = current.request_args if current is not None else []
    return "account" if any(str(arg).startswith("account:") for arg in args) else "address"


def retry_after() -> int:
    """Seconds until the breached limit's window has room again (at least 1)."""
    current = limiter.current_limit
    reset_at = current.reset_at if current is not None else time.time() + 60
    return max(1, math.ceil(reset_at - time.time()))


# The public register (pages and API together): one count per client address.
register_limit = limiter.shared_limit(setting("REGISTER_RATE_LIMIT"), scope="public-register")
