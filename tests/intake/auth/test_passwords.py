"""argon2id hashing round trip, rehash of older parameters, the password policy."""

from __future__ import annotations

import unicodedata

import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST

from intake.auth.passwords import (
    MIN_LENGTH,
    check_policy,
    generate_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from models.errors import InvalidFieldError

SECRET = "Mật khẩu thật dài 2026"


def test_hash_round_trip_is_argon2id_salted_and_nfc() -> None:
    stored = hash_password(SECRET)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert SECRET not in stored
    assert hash_password(SECRET) != stored  # a fresh salt each time
    assert verify_password(stored, SECRET)
    assert not verify_password(stored, SECRET + " ")
    assert not verify_password(stored, "mật khẩu thật dài 2026")
    # The same password typed with a decomposing input method (NFD) is the same password.
    assert verify_password(stored, unicodedata.normalize("NFD", SECRET))
    assert not needs_rehash(stored)


def test_older_parameters_verify_and_need_rehash() -> None:
    weak = hash_password(SECRET, PasswordHasher.from_parameters(CHEAPEST))
    assert verify_password(weak, SECRET)
    assert needs_rehash(weak)
    assert not verify_password("not a hash", SECRET)
    assert needs_rehash("not a hash")


def test_policy_length_and_username() -> None:
    with pytest.raises(InvalidFieldError) as short:
        check_policy("a" * (MIN_LENGTH - 1), "van.thu")
    assert short.value.details["rule"] == "length" and "12 ký tự" in short.value.message
    # Length counts characters after NFC, not code points of a decomposed input.
    with pytest.raises(InvalidFieldError):
        check_policy(unicodedata.normalize("NFD", "ắ" * (MIN_LENGTH - 1)), "van.thu")
    with pytest.raises(InvalidFieldError) as same:
        check_policy("Nguyen.Van.An", "nguyen.van.an")
    assert same.value.details["rule"] == "username"
    check_policy("a" * MIN_LENGTH, "van.thu")


def test_generated_passwords_pass_the_policy_and_differ() -> None:
    passwords = {generate_password() for _ in range(20)}
    assert len(passwords) == 20
    for password in passwords:
        check_policy(password, "admin")
        assert not set(password) & set("0O1lI")
