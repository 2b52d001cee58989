"""Password policy (zxcvbn strength estimate) and hashing."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Iterable
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from ipr_apps.errors import ValidationError

MAX_LENGTH = 256
# zxcvbn's matching is quadratic in the length; anything past this is estimated on its head.
ESTIMATE_LENGTH = 100
# Words an attacker of this site tries first: its own name and vocabulary, and passwords that
# were once published with it (the demo password of earlier releases, in its README).
SITE_WORDS = (
    "ipr", "customs", "recordation", "ipr-apps", "demo", "ipr-demo", "ipr-demo-2026!",
)  # fmt: skip


def personal_words(email: str = "", name: str = "", organisation: str = "") -> list[str]:
    """The user's own data, as zxcvbn user inputs: e-mail, its local part and its pieces,
    the name and organisation (whole, joined and word by word)."""
    local = email.split("@", 1)[0]
    words = {email, local, name, organisation, re.sub(r"[\W_]+", "", local)}
    words.add(re.sub(r"\s+", "", name))
    for text in (local, name, organisation):
        words.update(re.split(r"[\W_]+", text))
    return sorted({w.lower() for w in words if len(w) >= 3})


def password_problem(password: str, personal: Iterable[str] = ()) -> str | None:
    """Why the password is not acceptable, or None."""
    min_length = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < min_length:
        return _("Password must be at least %(count)s characters long.", count=min_length)
    if len(password) > MAX_LENGTH:
        return _("Password must be at most %(count)s characters long.", count=MAX_LENGTH)
    personal = list(personal)
    result = zxcvbn(
        password[:ESTIMATE_LENGTH],
        user_inputs=[*SITE_WORDS, *personal],
        max_length=ESTIMATE_LENGTH,
    )
    if _uses_personal_words(result, personal):
        return _("Password must not contain your name, your e-mail address or your organisation.")
    if result["score"] < current_app.config["PASSWORD_MIN_SCORE"]:
        return _too_weak(result["feedback"])
    return None


def _uses_personal_words(result: dict, personal: list[str]) -> bool:
    own = set(personal)
    return any(
        match.get("dictionary_name") == "user_inputs" and match.get("matched_word") in own
        for match in result["sequence"]
    )


def _too_weak(feedback: dict) -> str:
    parts = [_("Password is too easy to guess.")]
    if feedback.get("warning"):
        parts.append(_zxcvbn_text(feedback["warning"]))
    suggestions = feedback.get("suggestions") or [_("Add another word or two.")]
    parts.extend(_zxcvbn_text(text) for text in suggestions)
    # Chinese sentences end in "。" and run on without a space.
    return "".join(parts) if parts[0].endswith("。") else " ".join(parts)


def _zxcvbn_text(text: str) -> str:
    """zxcvbn's feedback (English only) in the reader's language; unknown wording as it is."""
    return str(ZXCVBN_FEEDBACK.get(text, text))


# Every warning and suggestion zxcvbn 4.5 gives (zxcvbn/feedback.py), for translation.
ZXCVBN_FEEDBACK = {
    "Use a few words, avoid common phrases.": _l("Use a few words, avoid common phrases."),
    "No need for symbols, digits, or uppercase letters.": _l(
        "No need for symbols, digits, or uppercase letters."
    ),
    "Add another word or two. Uncommon words are better.": _l(
        "Add another word or two. Uncommon words are better."
    ),
    "Straight rows of keys are easy to guess.": _l("Straight rows of keys are easy to guess."),
    "Short keyboard patterns are easy to guess.": _l("Short keyboard patterns are easy to guess."),
    "Use a longer keyboard pattern with more turns.": _l(
        "Use a longer keyboard pattern with more turns."
    ),
    'Repeats like "aaa" are easy to guess.': _l('Repeats like "aaa" are easy to guess.'),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': _l(
        'Repeats like "abcabcabc" are only slightly harder to guess than "abc".'
    ),
    "Avoid repeated words and characters.": _l("Avoid repeated words and characters."),
    'Sequences like "abc" or "6543" are easy to guess.': _l(
        'Sequences like "abc" or "6543" are easy to guess.'
    ),
    "Avoid sequences.": _l("Avoid sequences."),
    "Recent years are easy to guess.": _l("Recent years are easy to guess."),
    "Avoid recent years.": _l("Avoid recent years."),
    "Avoid years that are associated with you.": _l("Avoid years that are associated with you."),
    "Dates are often easy to guess.": _l("Dates are often easy to guess."),
    "Avoid dates and years that are associated with you.": _l(
        "Avoid dates and years that are associated with you."
    ),
    "This is a top-10 common password.": _l("This is a top-10 common password."),
    "This is a top-100 common password.": _l("This is a top-100 common password."),
    "This is a very common password.": _l("This is a very common password."),
    "This is similar to a commonly used password.": _l(
        "This is similar to a commonly used password."
    ),
    "A word by itself is easy to guess.": _l("A word by itself is easy to guess."),
    "Names and surnames by themselves are easy to guess.": _l(
        "Names and surnames by themselves are easy to guess."
    ),
    "Common names and surnames are easy to guess.": _l(
        "Common names and surnames are easy to guess."
    ),
    "Capitalization doesn't help very much.": _l("Capitalization doesn't help very much."),
    "All-uppercase is almost as easy to guess as all-lowercase.": _l(
        "All-uppercase is almost as easy to guess as all-lowercase."
    ),
    "Reversed words aren't much harder to guess.": _l(
        "Reversed words aren't much harder to guess."
    ),
    "Predictable substitutions like '@' instead of 'a' don't help very much.": _l(
        "Predictable substitutions like '@' instead of 'a' don't help very much."
    ),
}


def check_policy(password: str, personal: Iterable[str] = (), field: str = "password") -> None:
    problem = password_problem(password, personal)
    if problem:
        raise ValidationError.on(field, problem)


# Letters alternate with digits that zxcvbn reads as no letter ("l33t" reads 0 1 3 4 5 7 as
# letters), so a generated password never spells a word, and no account's own name or e-mail
# can be found in it (the policy refuses those).
_LETTERS = string.ascii_letters
_DIGITS = "2689"


def generate_password() -> str:
    """A random password that passes the policy for any account: four groups of eight
    characters, letters alternating with digits (about 124 bits)."""
    while True:
        groups = [
            "".join(secrets.choice(_LETTERS) + secrets.choice(_DIGITS) for _pair in range(4))
            for _group in range(4)
        ]
        candidate = "-".join(groups)
        if password_problem(candidate) is None:
            return candidate


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _dummy_hash(method: str) -> str:
    """A hash of a random string made with the real method and cost, so that checking a
    password against it takes as long as against a real account's hash."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; without a hash (unknown account) the same work is done
    against a dummy, so both cases take the same time."""
    if password_hash is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return False
    return check_password_hash(password_hash, password)


def burn_hash(password: str) -> None:
    """Spend the time of hashing a password without keeping it (the branch of a form that
    must take as long as the one that stores a new hash)."""
    hash_password(password)
