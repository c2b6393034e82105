"""Password hashing (argon2id through argon2-cffi) and the password policy.

Parameters: RFC 9106's second recommended profile (argon2id, 64 MiB, 3 passes, 4 lanes, 16-byte
salt, 32-byte hash), argon2-cffi's default. A hash made with other parameters still verifies and
`needs_rehash` tells the caller to store a new one at the next successful sign-in.
Passwords are compared in Unicode NFC: a Vietnamese password typed with a composing or a
decomposing input method is the same password.
"""

from __future__ import annotations

import secrets
import unicodedata
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

from models.errors import InvalidFieldError

HASHER = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
MIN_LENGTH = 12


def _nfc(password: str) -> str:
    return unicodedata.normalize("NFC", password)


def hash_password(password: str, hasher: PasswordHasher = HASHER) -> str:
    """The PHC string to store ($argon2id$v=19$m=...,t=...,p=...$salt$hash)."""
    return hasher.hash(_nfc(password))


def verify_password(stored: str, password: str) -> bool:
    """Whether `password` matches the stored hash (False for a damaged hash too)."""
    try:
        return HASHER.verify(stored, _nfc(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether the stored hash was made with other parameters than today's."""
    try:
        return HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def burn_verification(password: str) -> None:
    """Spend the time of one verification (sign-in of an unknown name must not answer faster)."""
    verify_password(_dummy_hash(), password)


def check_policy(password: str, username: str) -> None:
    """Refuse a password too short or equal to the username (messages are shown to people)."""
    password = _nfc(password)
    if len(password) < MIN_LENGTH:
        raise InvalidFieldError(f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự.",
                                field="password", rule="length")
    if password.strip().casefold() == _nfc(username).strip().casefold():
        raise InvalidFieldError("Mật khẩu không được trùng với tên đăng nhập.",
                                field="password", rule="username")


def generate_password() -> str:
    """A random one-time password a person can type: 4 groups of 4 unambiguous characters."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I/L
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))
