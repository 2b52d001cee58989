"""Signing in and out of the web pages: the Flask session carries only the raw id of a
server-side session (services.sessions), checked on every request."""

from __future__ import annotations

from flask import flash, g, redirect, request, session
from flask_babel import lazy_gettext as _l
from flask_babel import refresh as refresh_language
from flask_login import login_url, login_user, logout_user

from ipr_apps.api.errors import is_api_request
from ipr_apps.extensions import login_manager
from ipr_apps.models import EndReason, User
from ipr_apps.services import page_version, sessions

SESSION_KEY = "_sid"  # the raw session id inside Flask's signed cookie
ENDED_MESSAGE = _l("Your session has ended, please sign in again.")


def sign_in(user: User) -> None:
    """Start a server-side session for `user` in a fresh Flask session.

    Nothing from before sign-in is carried over (session fixation), and the CSRF token is new.
    """
    session.clear()
    g.pop("csrf_token", None)  # flask_wtf caches the request's token here
    row, raw = sessions.start(user, request.remote_addr, request.user_agent.string)
    session[SESSION_KEY] = raw
    login_user(user)
    g.user_session = row
    refresh_language()  # the user's saved language from now on (the flash that follows)


def sign_out(reason: EndReason = EndReason.LOGOUT) -> None:
    """End this browser's server-side session and forget everything the Flask session held."""
    sessions.end(session.get(SESSION_KEY), reason)
    logout_user()
    session.clear()
    g.pop("user_session", None)
    refresh_language()  # no saved choice any more: the cookie's or the browser's language


def current_session_id() -> int | None:
    """The id of the server-side session of this request (None when not signed in)."""
    row = g.get("user_session")
    return row.id if row is not None else None


def load_user(user_id: str) -> User | None:
    """Flask-Login's user_loader: the user only while the server-side session lives."""
    claimed = int(user_id) if user_id.isdigit() else 0
    also = page_version.preloads(request.endpoint, claimed)
    row, values = sessions.lookup_with(session.get(SESSION_KEY), also)
    if row is None or row.user_id != claimed or not row.user.active:
        _session_ended()
        return None
    g.user_session = row
    page_version.preloaded(row.user_id, values)
    return row.user


def _session_ended() -> None:
    """Treat the request as anonymous, drop the stale cookie content and say why."""
    session.clear()
    g.session_ended = True
    if not is_api_request():
        flash(str(ENDED_MESSAGE), "warning")


def unauthorized():
    """Flask-Login's default (flash, redirect to the login page with ?next=), except that a
    request whose session just ended has already been told so."""
    if not g.get("session_ended"):
        flash(str(login_manager.login_message), login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))
