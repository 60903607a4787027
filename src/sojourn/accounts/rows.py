"""The accounts context's rows as typed structs (made by ``db.rows`` where each query is run)."""

from __future__ import annotations

import datetime as dt

import msgspec


class AccountScopes(msgspec.Struct, frozen=True):
    """An active account with its role and scopes (``principal.ACCOUNT_SQL``)."""

    id: int
    role: str
    display_name: str
    locale: str
    elder_mode: bool
    password_changed_at: dt.datetime
    base_ids: list[int]
    member_ids: list[int]


class TokenAccount(AccountScopes, frozen=True):
    """The account of a valid API token, with the token (``principal.TOKEN_SQL``)."""

    token_id: int
    last_used_at: dt.datetime | None
    expires_at: dt.datetime


class AccountCredentials(msgspec.Struct, frozen=True):
    """What signing in checks."""

    id: int
    password_hash: str
    status: str


class AccountToTell(msgspec.Struct, frozen=True):
    """Whom a code is sent to, in their language."""

    id: int
    display_name: str
    locale: str


class CodeToCheck(msgspec.Struct, frozen=True):
    """The current one-time code for a login (``recovery._spend``)."""

    id: int
    code_hash: str
    attempts: int


class AccountLogins(msgspec.Struct, frozen=True):
    phone: str | None
    email: str | None


class SealedDeclaration(msgspec.Struct, frozen=True):
    """What opening a health declaration's sealed parts needs (the rights export)."""

    booking: int
    traveller: int
    content_cipher: bytes | None
    review_note_cipher: bytes | None
