"""Payees: whose merchant account takes a booking's money (the base's own, else its member's),
and the ``Merchant`` the provider client needs (the Alipay authorisation token decrypted)."""

from __future__ import annotations

from typing import Any

import asyncpg

from sojourn.crypto import KeyRing
from sojourn.errors import Conflict
from sojourn.i18n import lazy_gettext as _l
from sojourn.payments.providers import Merchant

PAYEE_FOR_BOOKING_SQL = """
SELECT p.* FROM payee p JOIN base b ON b.id = $1
WHERE p.provider = $2 AND p.active AND (p.base = b.id OR (p.base IS NULL AND p.member = b.member))
ORDER BY p.base NULLS LAST LIMIT 1
"""


def _token_context(pid: str) -> bytes:
    return f"alipay-app-auth:{pid}".encode()


async def register_payee(
    conn: asyncpg.Connection,
    *,
    provider: str,
    keyring: KeyRing,
    base_id: int | None = None,
    member_id: int | None = None,
    merchant_name: str = "",
    wechat_sub_mchid: str | None = None,
    alipay_pid: str | None = None,
    alipay_app_auth_token: str | None = None,
    escrow_bank: str = "",
    escrow_account_tail: str = "",
) -> int:
    """Record a merchant account onboarded at the provider (a sub-merchant, or an authorised merchant)."""
    cipher = (
        keyring.encrypt(alipay_app_auth_token.encode(), _token_context(alipay_pid or ""))
        if alipay_app_auth_token
        else None
    )
    return await conn.fetchval(
        "INSERT INTO payee (provider, base, member, merchant_name, wechat_sub_mchid, alipay_merchant_pid, "
        "alipay_app_auth_token_cipher, escrow_bank, escrow_account_tail) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        provider,
        base_id,
        member_id,
        merchant_name,
        wechat_sub_mchid,
        alipay_pid,
        cipher,
        escrow_bank,
        escrow_account_tail,
    )


async def payee_for_base(conn: asyncpg.Connection, base_id: int, provider: str) -> Any:
    row = await conn.fetchrow(PAYEE_FOR_BOOKING_SQL, base_id, provider)
    if row is None:
        raise Conflict(
            _l("This base cannot take payments this way yet. Please choose another way to pay, or call 96111."),
            code="provider_not_available",
        )
    return row


def merchant_of(payee: Any, keyring: KeyRing) -> Merchant:
    token = ""
    if payee["alipay_app_auth_token_cipher"] is not None:
        token = keyring.decrypt(
            bytes(payee["alipay_app_auth_token_cipher"]), _token_context(payee["alipay_merchant_pid"])
        ).decode()
    return Merchant(
        payee_id=payee["id"],
        sub_mchid=payee["wechat_sub_mchid"] or "",
        app_auth_token=token,
        alipay_pid=payee["alipay_merchant_pid"] or "",
    )


async def merchant_for_payee(conn: asyncpg.Connection, payee_id: int, keyring: KeyRing) -> Merchant:
    return merchant_of(await conn.fetchrow("SELECT * FROM payee WHERE id = $1", payee_id), keyring)


def merchant_ref(payee: Any) -> str:
    """How a provider names this merchant in its notifications (sub_mchid, or Alipay's seller id)."""
    return payee["wechat_sub_mchid"] or payee["alipay_merchant_pid"] or ""
