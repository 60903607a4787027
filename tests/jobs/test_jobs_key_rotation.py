"""``sojourn keys rotate``: identity numbers, health declarations and Alipay merchants' tokens move to the first key, in
batches, and a second run finds nothing to do; the API still reads them with the new key only."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from sojourn import db as database
from sojourn.config import generate_encryption_key
from sojourn.crypto import KeyRing
from sojourn.jobs.key_rotation import rotate_keys
from sojourn.payments import payees
from tests import factories

OLD_KEY = generate_encryption_key()
NEW_KEY = generate_encryption_key()


def ring(*keys: str, settings) -> KeyRing:
    return KeyRing.from_settings(keys, settings.secret_key)


async def encrypted_world(old: KeyRing, travellers: int = 7) -> list[dict]:
    """Travellers with identity numbers and declarations (content and note) under ``old``."""
    world = await factories.small_world()
    account_id = await factories.account("13800138000")
    rows = []
    for i in range(travellers):
        traveller = await factories.traveller(account_id, name=f"旅客{i}")
        number = factories.identity_number(dt.date(1950, 1, 1 + i))
        stay = await factories.past_stay(
            world.tours["migratory"],
            account_id,
            [traveller["id"]],
            arrival=dt.date(2027, 1, 1 + i),
            departure=dt.date(2027, 2, 1 + i),
            status="confirmed",
        )
        content = f'{{"answers": {i}}}'
        note = f"note {i}" if i % 2 else None
        async with database.connection() as conn:
            await conn.execute(
                "UPDATE traveller SET id_number_cipher = $2 WHERE id = $1",
                traveller["id"],
                old.encrypt_text(number, f"traveller-id:{account_id}"),
            )
            await conn.execute(
                "INSERT INTO health_declaration (booking, traveller, status, content_cipher, review_note_cipher, due_on) "
                "VALUES ($1, $2, 'submitted', $3, $4, '2026-12-25')",
                stay["id"],
                traveller["id"],
                old.encrypt_text(content, f"declaration:{stay['id']}:{traveller['id']}"),
                old.encrypt_text(note, f"declaration-note:{stay['id']}:{traveller['id']}") if note else None,
            )
        rows.append(
            {
                "account": account_id,
                "traveller": traveller["id"],
                "booking": stay["id"],
                "number": number,
                "content": content,
                "note": note,
            }
        )
    return rows


async def test_rotation_reencrypts_everything_with_the_first_key_and_is_idempotent(db: None, settings):
    old, rotating, new_only = (
        ring(OLD_KEY, settings=settings),
        ring(NEW_KEY, OLD_KEY, settings=settings),
        ring(NEW_KEY, settings=settings),
    )
    people = await encrypted_world(old)
    async with database.connection() as conn:
        base_id = await conn.fetchval("SELECT min(id) FROM base")
        payee_id = await payees.register_payee(
            conn, provider="alipay", keyring=old, base_id=base_id, alipay_pid="2088000000000001",
            alipay_app_auth_token="202612BBsecret-token",
        )  # fmt: skip

    report = await rotate_keys(rotating, batch=3)  # several batches
    assert report.reencrypted == {
        "traveller identity numbers": 7,
        "health declaration contents": 7,
        "Alipay merchants' authorisation tokens": 1,
        "health declaration review notes": 3,
    }
    assert not report.unreadable
    assert (await rotate_keys(rotating, batch=3)).total == 0  # a second run has nothing to do

    async with database.connection() as conn:
        for person in people:
            number = await conn.fetchval("SELECT id_number_cipher FROM traveller WHERE id = $1", person["traveller"])
            declaration = await conn.fetchrow(
                "SELECT content_cipher, review_note_cipher FROM health_declaration WHERE traveller = $1",
                person["traveller"],
            )
            assert new_only.decrypt_text(number, f"traveller-id:{person['account']}") == person["number"]
            context = f"{person['booking']}:{person['traveller']}"
            assert new_only.decrypt_text(declaration["content_cipher"], f"declaration:{context}") == person["content"]
            if person["note"]:
                assert (
                    new_only.decrypt_text(declaration["review_note_cipher"], f"declaration-note:{context}")
                    == person["note"]
                )
            else:
                assert declaration["review_note_cipher"] is None
        merchant = await payees.merchant_for_payee(conn, payee_id, new_only)
    assert merchant.app_auth_token == "202612BBsecret-token"


async def test_values_whose_key_is_gone_are_reported_and_left_alone(db: None, settings):
    await encrypted_world(ring(OLD_KEY, settings=settings), travellers=2)
    report = await rotate_keys(ring(NEW_KEY, settings=settings))
    assert report.total == 0
    assert len(report.unreadable["traveller identity numbers"]) == 2


async def test_the_command_rotates_and_says_so(db: None, settings):
    await encrypted_world(ring(OLD_KEY, settings=settings), travellers=2)
    env = {**os.environ, "SOJOURN_ENCRYPTION_KEYS": f"{NEW_KEY},{OLD_KEY}", "SOJOURN_SECRET_KEY": settings.secret_key}
    done = subprocess.run(
        [sys.executable, "-m", "sojourn", "keys", "rotate"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "traveller identity numbers: 2 re-encrypted" in done.stdout
    again = subprocess.run(
        [sys.executable, "-m", "sojourn", "keys", "rotate"], env=env, capture_output=True, text=True, timeout=60
    )
    assert "traveller identity numbers: 0 re-encrypted" in again.stdout
    env["SOJOURN_ENCRYPTION_KEYS"] = NEW_KEY
    assert (
        subprocess.run(
            [sys.executable, "-m", "sojourn", "keys", "rotate"], env=env, capture_output=True, timeout=60
        ).returncode
        == 0
    )
