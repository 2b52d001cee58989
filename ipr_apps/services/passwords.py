"""Password policy and hashing."""

from __future__ import annotations

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from ipr_apps.errors import ValidationError

COMMON_PASSWORDS = frozenset(
    {
        "password", "password1", "password123", "passw0rd", "qwerty", "qwertyuiop",
        "1234567890", "12345678910", "123456789", "iloveyou", "letmein", "welcome",
        "admin", "administrator", "changeme", "abc123", "football", "monkey",
    }
)  # fmt: skip

# Hash of a random string: checked against when the email is unknown, so both cases take
# the same time and an attacker cannot tell which emails have accounts.
_DUMMY_HASH = generate_password_hash("not-a-real-password-7f3a", method="pbkdf2:sha256:1000")


def password_problem(password: str, email: str = "") -> str | None:
    """Why the password is too weak, or None."""
    min_length = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < min_length:
        return f"Password must be at least {min_length} characters long."
    if len(password) > 256:
        return "Password must be at most 256 characters long."
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        return "Password is too easy to guess; choose a less common one."
    local = email.split("@", 1)[0].lower()
    if len(local) >= 4 and local in lowered:
        return "Password must not contain your email name."
    return None


def check_policy(password: str, email: str = "", field: str = "password") -> None:
    problem = password_problem(password, email)
    if problem:
        raise ValidationError.on(field, problem)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(password_hash, password)
