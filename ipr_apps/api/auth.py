"""Bearer-token authentication for the API (no session cookies, no CSRF)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import g, request
from flask_babel import gettext as _

from ipr_apps.errors import DomainError, PermissionDenied
from ipr_apps.models import Role, User
from ipr_apps.services import tokens


class Unauthorized(DomainError):
    http_status = 401
    code = "unauthorized"


def api_user() -> User:
    return g.api_user


def token_required(*roles: Role) -> Callable:
    """401 without a valid token; 403 when the token's user lacks the role."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            scheme, _space, raw = request.headers.get("Authorization", "").partition(" ")
            user = tokens.user_for_token(raw.strip()) if scheme.lower() == "bearer" else None
            if user is None:
                raise Unauthorized(_("Send a valid API token: Authorization: Bearer <token>."))
            if roles and user.role not in roles:
                # The codes the API uses, after the reader's word for them: 管理员 (admin).
                roles_named = " / ".join(f"{r.label} ({r.value})" for r in roles)
                raise PermissionDenied(_("This needs the role %(roles)s.", roles=roles_named))
            g.api_user = user
            return view(*args, **kwargs)

        return wrapped

    return decorator
