"""The unified social credit code's check character (GB 32100-2015), without a database."""

from __future__ import annotations

import pytest

from sojourn.payments import tax_numbers

# Well-formed codes (their check characters computed by the standard, checked by hand).
VALID = ["91350100M000100Y43", "91110000600037341L"]


@pytest.mark.parametrize("code", VALID)
def test_published_codes_pass_their_check(code):
    assert tax_numbers.problem(code) is None


def test_every_single_mistyped_character_is_caught():
    code = VALID[0]
    for position in range(18):
        for char in tax_numbers.ALPHABET:
            if char != code[position]:
                mistyped = code[:position] + char + code[position + 1 :]
                assert tax_numbers.problem(mistyped) == "check", mistyped


@pytest.mark.parametrize(
    ("typed", "problem"),
    [("9135010", "length"), ("91350100M000100Y4", "length"), ("91350100M000100YO3", "characters"), ("", "length")],
)
def test_wrong_lengths_and_letters_are_named(typed, problem):
    assert tax_numbers.problem(typed) == problem


def test_people_type_it_with_spaces_hyphens_and_small_letters():
    assert tax_numbers.normalise(" 9135 0100-m000 100y43 ") == VALID[0]
