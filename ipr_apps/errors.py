"""Domain errors raised by services; views map them to flashes, the API to status codes."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: `message` is safe to show to the user."""

    http_status = 400
    code = "invalid"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationError(DomainError):
    """Input is invalid; `fields` maps a field name to its messages."""

    http_status = 422
    code = "validation_error"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.fields = fields or {}

    @classmethod
    def on(cls, field: str, message: str) -> ValidationError:
        """An error about one field, shown beside it."""
        return cls(message, {field: [message]})


class TooLarge(ValidationError):
    """An upload over the size limit (HTTP 413 in the API)."""

    http_status = 413
    code = "payload_too_large"


class PermissionDenied(DomainError):
    http_status = 403
    code = "forbidden"


class NotFound(DomainError):
    """The object does not exist, or the actor may not know that it does."""

    http_status = 404
    code = "not_found"


class TransitionError(DomainError):
    """The action is not allowed from the application's current state."""

    http_status = 409
    code = "invalid_transition"


class ConflictError(DomainError):
    """Someone else changed the object first (lost race, duplicate key)."""

    http_status = 409
    code = "conflict"


class DatabaseBusy(Exception):
    """Another writer (e.g. a long import) held the database's lock until our wait ran out.

    Not a DomainError on purpose: views flash those and re-render the form, while this must
    reach the error handlers (HTML 503 page, API 503 `busy`, both with Retry-After).
    """

    http_status = 503
    code = "busy"
    message = (
        "The database is busy with other work (for example a large import), so nothing was "
        "saved. Please try again in a few seconds."
    )
