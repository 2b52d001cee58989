"""The API's error messages in the reader's language (Accept-Language).

Our own messages are translated where they are raised. Marshmallow's and webargs' built-in
ones ("Not a valid integer.") are English only: they are recognised here by their wording and
translated; anything not recognised is passed on as it is. Codes and keys never change.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

# What an error of this status says when Werkzeug's default (developer English) would be sent.
HTTP_MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Send a valid API token: Authorization: Bearer <token>."),
    403: _l("Your account may not do this."),
    404: _l("Not found (or not yours)."),
    405: _l("This method is not allowed for this address."),
    409: _l("Not allowed in the current state."),
    413: _l("The request is too large."),
    415: _l("Unsupported media type: send JSON (Content-Type: application/json)."),
    422: _l("Invalid input."),
    429: _l("Too many requests. Try again later."),
    500: _l("Unexpected error; it has been logged."),
}

# marshmallow 4 / webargs 8 wording ({name}: a value filled in) → ours (%(name)s).
_LIBRARY_MESSAGES = [
    ("Missing data for required field.", _l("Missing data for required field.")),
    ("Field may not be null.", _l("Field may not be null.")),
    ("Unknown field.", _l("Unknown field.")),
    ("Invalid input type.", _l("Invalid input type.")),
    ("Invalid type.", _l("Invalid type.")),
    ("Invalid input.", _l("Invalid input.")),
    ("Invalid JSON body.", _l("Invalid JSON body.")),
    ("Not a valid integer.", _l("Not a valid integer.")),
    ("Not a valid number.", _l("Not a valid number.")),
    ("Not a valid boolean.", _l("Not a valid boolean.")),
    ("Not a valid string.", _l("Not a valid string.")),
    ("Not a valid utf-8 string.", _l("Not a valid utf-8 string.")),
    ("Not a valid list.", _l("Not a valid list.")),
    ("Not a valid tuple.", _l("Not a valid tuple.")),
    ("Not a valid mapping type.", _l("Not a valid mapping type.")),
    ("Not a valid date.", _l("Not a valid date.")),
    ("Not a valid datetime.", _l("Not a valid datetime.")),
    ("Not a valid time.", _l("Not a valid time.")),
    ("Not a valid email address.", _l("Not a valid email address.")),
    ("Not a valid URL.", _l("Not a valid URL.")),
    ("Not a valid UUID.", _l("Not a valid UUID.")),
    ("Number too large.", _l("Number too large.")),
    (
        "Special numeric values (nan or infinity) are not permitted.",
        _l("Special numeric values (nan or infinity) are not permitted."),
    ),
    ("String does not match expected pattern.", _l("String does not match expected pattern.")),
    ("Longer than maximum length {max}.", _l("Longer than maximum length %(max)s.")),
    ("Shorter than minimum length {min}.", _l("Shorter than minimum length %(min)s.")),
    ("Length must be between {min} and {max}.", _l("Length must be between %(min)s and %(max)s.")),
    ("Length must be {equal}.", _l("Length must be %(equal)s.")),
    ("Must be one of: {choices}.", _l("Must be one of: %(choices)s.")),
    (
        "Must be greater than or equal to {min} and less than or equal to {max}.",
        _l("Must be greater than or equal to %(min)s and less than or equal to %(max)s."),
    ),
    ("Must be greater than or equal to {min}.", _l("Must be greater than or equal to %(min)s.")),
    ("Must be less than or equal to {max}.", _l("Must be less than or equal to %(max)s.")),
    ("Must be greater than {min}.", _l("Must be greater than %(min)s.")),
    ("Must be less than {max}.", _l("Must be less than %(max)s.")),
    ("Must be {count} letters.", _l("Must be %(count)s letters.")),  # schemas._letters
]


def _pattern(template: str) -> re.Pattern[str]:
    pieces = re.split(r"\{(\w+)\}", template)
    regex = "".join(
        re.escape(piece) if index % 2 == 0 else f"(?P<{piece}>.+?)"
        for index, piece in enumerate(pieces)
    )
    return re.compile(f"^{regex}$", re.DOTALL)


_PATTERNS = [(_pattern(template), translation) for template, translation in _LIBRARY_MESSAGES]


def translate(message: str) -> str:
    """A library's English message in the reader's language (others unchanged)."""
    if not isinstance(message, str):
        return message
    for pattern, translation in _PATTERNS:
        found = pattern.match(message)
        if found:
            return str(translation) % found.groupdict()
    return message


def translate_fields(messages):
    """The same for every message of a (nested) `fields` structure."""
    if isinstance(messages, dict):
        return {key: translate_fields(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [translate_fields(value) for value in messages]
    return translate(messages) if isinstance(messages, str) else messages


def http_message(error: HTTPException) -> str:
    """The error's own description when it is ours; otherwise our wording for its status."""
    status = error.code or 500
    default = error.description is None or error.description == type(error).description
    if status == 500 or default:
        return str(HTTP_MESSAGES.get(status) or error.description or HTTP_MESSAGES[400])
    return str(error.description)
