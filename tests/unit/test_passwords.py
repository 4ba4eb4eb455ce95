"""Passwords a member of staff may choose: long enough, and not easy to guess (issue 15, item 6)."""

from __future__ import annotations

import pytest

from pipeline_core.commands.accounts import check_password
from pipeline_core.domain.errors import InvalidInput


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("password123", "very common password"),
        ("1234567890", "common password"),
        ("aaaaaaaaaa", 'Repeats like "aaa"'),
        ("qwertyuiop", "common password"),
        ("Rina Wulandari 2026", "too easy to guess"),  # the person's own name
        ("umroh12345", "too easy to guess"),
        ("short", "at least 10 characters"),
        ("rina@test-agency", "must not be the username"),
    ],
)
def test_easily_guessed_passwords_are_refused_with_the_reason(password: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why) as refused:
        check_password(password, username="rina@test-agency", full_name="Rina Wulandari")
    assert refused.value.field == "password"


@pytest.mark.parametrize(
    "password", ["kurma-ajwa-lipat-tujuh", "Tr0ub4dor&3xyz", "correct horse battery staple"]
)
def test_strong_passwords_are_accepted(password: str) -> None:
    check_password(password, username="rina@test-agency", full_name="Rina Wulandari")


def test_a_very_long_passphrase_is_rated_quickly_and_accepted() -> None:
    check_password("kurma ajwa " * 90, username="rina@test-agency")
