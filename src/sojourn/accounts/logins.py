"""What counts as a login (a mainland mobile number or an e-mail address) and a usable password."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sojourn.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from sojourn.errors import InvalidInput
from sojourn.i18n import lazy_gettext as _l

MOBILE = re.compile(r"^1[3-9]\d{9}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")

# Passwords too common to allow (ASVS 5.0 V6.2.4 asks for a blocklist). Chinese favourites included.
COMMON_PASSWORDS = frozenset(
    [
        "12345678",
        "123456789",
        "1234567890",
        "11111111",
        "00000000",
        "88888888",
        "66666666",
        "12341234",
        "11223344",
        "87654321",
        "password",
        "password1",
        "passw0rd",
        "qwerty123",
        "qwertyui",
        "1qaz2wsx",
        "1q2w3e4r",
        "zaq12wsx",
        "abc12345",
        "abcd1234",
        "a1234567",
        "a12345678",
        "a123456789",
        "aa123456",
        "woaini1314",
        "woaini520",
        "5201314520",
        "52013145",
        "1314520520",
        "iloveyou",
        "123qweasd",
        "qweasdzxc",
        "asdfghjk",
        "zxcvbnm1",
        "qq123456",
        "qq5201314",
        "wang1234",
        "zhang123",
        "li123456",
        "admin123",
        "administrator",
        "welcome1",
        "sunshine",
        "letmein1",
        "football",
        "baseball",
        "12121212",
        "13141314",
        "147258369",
        "123123123",
        "321321321",
        "741852963",
        "159753456",
        "963852741",
        "10101010",
        "19491001",
        "20082008",
        "19880808",
        "99999999",
        "sojourn1",
        "sojourn123",
        "lvjutong",
        "96111961",
        "password123",
        "123456abc",
        "abc123456",
        "a1b2c3d4",
        "1234qwer",
        "qwer1234",
    ]
)


@dataclass(frozen=True)
class Login:
    kind: str  # "phone" or "email"
    value: str


def parse_login(text: str) -> Login:
    """A phone number (spaces, dashes and a +86 prefix are tolerated) or an e-mail address."""
    raw = (text or "").strip()
    compact = re.sub(r"[\s-]", "", raw)
    if compact.startswith("+86"):
        compact = compact[3:]
    elif compact.startswith("0086"):
        compact = compact[4:]
    if MOBILE.match(compact):
        return Login("phone", compact)
    if EMAIL.match(raw) and len(raw) <= 254:
        return Login("email", raw.lower())
    raise InvalidInput(
        _l("Enter a mainland mobile number of 11 digits, or an e-mail address."),
        field_errors={"login": _l("Enter a mainland mobile number of 11 digits, or an e-mail address.")},
    )


def check_new_password(password: str, *, field: str = "password") -> None:
    problem = None
    if len(password) < MIN_LENGTH:
        problem = _l("Use at least 8 characters. A short sentence is easy to remember.")
    elif len(password) > MAX_LENGTH:
        problem = _l("Use at most 128 characters.")
    elif password.lower() in COMMON_PASSWORDS or len(set(password)) < 3:
        problem = _l("This password is too easy to guess. Please choose another.")
    if problem is not None:
        raise InvalidInput(problem, field_errors={field: problem})
