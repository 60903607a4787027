"""A declaration's content and review note, sealed with the key ring and bound to their row.

The context names the booking and the traveller, so a ciphertext copied onto another row
does not decrypt. Everything that says something about a person's health (answers, flags,
the reviewer's note) is inside; only the overall risk stays readable for the review queue.
"""

from __future__ import annotations

from typing import Any

import msgspec

from sojourn.crypto import KeyRing
from sojourn.health.schemas import DeclarationAnswers

CONTENT_FORMAT = 1


def content_context(booking_id: int, traveller_id: int) -> str:
    return f"declaration:{booking_id}:{traveller_id}"


def note_context(booking_id: int, traveller_id: int) -> str:
    return f"declaration-note:{booking_id}:{traveller_id}"


class Content(msgspec.Struct):
    answers: DeclarationAnswers
    screening: dict[str, Any]
    format: int = CONTENT_FORMAT


def seal_content(
    keyring: KeyRing,
    booking_id: int,
    traveller_id: int,
    answers: DeclarationAnswers,
    screening: dict[str, Any],
) -> bytes:
    document = msgspec.json.encode(Content(answers=answers, screening=screening)).decode()
    return keyring.encrypt_text(document, content_context(booking_id, traveller_id))


def open_content(keyring: KeyRing, booking_id: int, traveller_id: int, blob: bytes) -> Content:
    return msgspec.json.decode(keyring.decrypt_text(blob, content_context(booking_id, traveller_id)), type=Content)


def seal_note(keyring: KeyRing, booking_id: int, traveller_id: int, note: str) -> bytes | None:
    return keyring.encrypt_text(note, note_context(booking_id, traveller_id)) if note else None


def open_note(keyring: KeyRing, booking_id: int, traveller_id: int, blob: bytes | None) -> str | None:
    return keyring.decrypt_text(blob, note_context(booking_id, traveller_id)) if blob else None
