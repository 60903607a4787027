"""The demo takes money as production does, from the payment sandbox instead of WeChat Pay and
Alipay: every member that has none gets a WeChat sub-merchant and an authorised Alipay merchant
from the sandbox's list (its ``merchants.json``), so every base can be paid (a base pays to its
member's payee when it has none of its own)."""

from __future__ import annotations

import json
from pathlib import Path

from sojourn import db
from sojourn.config import Settings
from sojourn.crypto import KeyRing
from sojourn.payments import payees


async def register_sandbox_payees(settings: Settings, sandbox_dir: Path) -> int:
    """Payees for the members without any; returns how many members got them."""
    merchants = json.loads((sandbox_dir / "merchants.json").read_text())
    sub_mchids = merchants["wechat_sub_mchids"]
    alipay = list(merchants["alipay_merchants"].items())
    keyring = KeyRing.from_settings(settings.encryption_keys, settings.secret_key)
    async with db.connection() as conn, conn.transaction():
        members = await conn.fetch(
            "SELECT id, name_zh FROM member m WHERE NOT EXISTS (SELECT 1 FROM payee p WHERE p.member = m.id) ORDER BY id"
        )
        for index, member in enumerate(members):
            token, pid = alipay[index % len(alipay)]
            name = f"{member['name_zh']}旅居康养（演示商户）"
            await payees.register_payee(
                conn, provider="wechat", keyring=keyring, member_id=member["id"], merchant_name=name,
                wechat_sub_mchid=sub_mchids[index % len(sub_mchids)], escrow_bank="演示银行", escrow_account_tail="0000",
            )  # fmt: skip
            await payees.register_payee(
                conn, provider="alipay", keyring=keyring, member_id=member["id"], merchant_name=name,
                alipay_pid=pid, alipay_app_auth_token=token,
            )  # fmt: skip
    return len(members)
