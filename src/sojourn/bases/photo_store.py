"""Photos in PostgreSQL: every app server of a scaled-out deployment reads the same rows.

Uploads are processed once (``bases.photos``) and stored as one row per size and format;
pages point at ``/photos/<hash>.<ext>``, so a processed size never changes under its URL and
can be cached for a year. Operators add, describe, reorder and delete the photos of the bases
they operate (``accounts.policy.bases_operated``); anyone else is told there is no such photo.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import asyncpg

from sojourn import db
from sojourn.accounts import policy
from sojourn.accounts.principal import Principal
from sojourn.bases.operated import operated_base
from sojourn.bases.photos import ProcessedPhoto, process_photo
from sojourn.bases.place_schemas import PhotoOut, PhotoSource
from sojourn.errors import InvalidInput, NotFound
from sojourn.i18n import lazy_gettext as _l
from sojourn.localized import pick

MAX_PHOTOS_PER_BASE = 40
ALT_ZH_MAX = 200
ALT_EN_MAX = 240
EXTENSIONS = {"webp": "webp", "jpeg": "jpg"}
MEDIA_TYPES = {"webp": "image/webp", "jpeg": "image/jpeg"}

PHOTOS_SQL = """
SELECT p.id, p.base, p.room_type_id, p.position, p.alt_zh, p.alt_en, p.width, p.height,
       coalesce((SELECT json_agg(json_build_object('width', r.width, 'height', r.height, 'format', r.format,
                                                   'digest', r.digest) ORDER BY r.format, r.width)
                 FROM photo_rendition r WHERE r.photo = p.id), '[]') AS sources
FROM photo p
"""


def photo_url(digest: str, fmt: str) -> str:
    return f"/photos/{digest}.{EXTENSIONS[fmt]}"


def photo_out(row: Any) -> PhotoOut:
    sources = row["sources"]
    if isinstance(sources, str):
        sources = json.loads(sources)
    return PhotoOut(
        id=row["id"],
        base_id=row["base"],
        room_type_id=row["room_type_id"],
        position=row["position"],
        alt=pick(row, "alt"),
        alt_zh=row["alt_zh"],
        alt_en=row["alt_en"],
        width=row["width"],
        height=row["height"],
        sources=[
            PhotoSource(
                format=s["format"], width=s["width"], height=s["height"], url=photo_url(s["digest"], s["format"])
            )
            for s in sources
        ],
    )


def check_alt_texts(alt_zh: str | None, alt_en: str | None) -> tuple[str, str]:
    """Both descriptions are required: people who cannot see the photo read them instead."""
    zh, en = (alt_zh or "").strip(), (alt_en or "").strip()
    errors: dict[str, Any] = {}
    if not zh:
        errors["alt_zh"] = _l("Describe the photo in Chinese for people who cannot see it.")
    elif len(zh) > ALT_ZH_MAX:
        errors["alt_zh"] = _l("Keep the description under %(n)s characters.", n=ALT_ZH_MAX)
    if not en:
        errors["alt_en"] = _l("Describe the photo in English for people who cannot see it.")
    elif len(en) > ALT_EN_MAX:
        errors["alt_en"] = _l("Keep the description under %(n)s characters.", n=ALT_EN_MAX)
    if errors:
        raise InvalidInput(_l("Both descriptions of the photo are needed."), field_errors=errors)
    return zh, en


async def _operated_photo(conn: asyncpg.Connection, principal: Principal, photo_id: int, lock: bool = False) -> Any:
    args: list[Any] = [photo_id]
    condition = policy.bases_operated(principal, "bs", args)
    row = await conn.fetchrow(
        f"SELECT p.* FROM photo p JOIN base bs ON bs.id = p.base WHERE p.id = $1 AND {condition}"
        + (" FOR UPDATE OF p" if lock else ""),
        *args,
    )
    if row is None:
        raise NotFound(_l("There is no photo with this number at the bases you operate."))
    return row


async def list_photos(base_id: int, room_type_id: int | None = None) -> list[PhotoOut]:
    """The gallery of a base (``room_type_id`` None) or of one of its room types, in order."""
    async with db.connection() as conn:
        rows = await conn.fetch(
            PHOTOS_SQL + " WHERE p.base = $1 AND p.room_type_id IS NOT DISTINCT FROM $2 ORDER BY p.position, p.id",
            base_id,
            room_type_id,
        )
    return [photo_out(row) for row in rows]


async def get_photo(principal: Principal, photo_id: int) -> PhotoOut:
    async with db.connection() as conn:
        await _operated_photo(conn, principal, photo_id)
        return photo_out(await conn.fetchrow(PHOTOS_SQL + " WHERE p.id = $1", photo_id))


async def store_processed(
    conn: asyncpg.Connection,
    base_id: int,
    processed: ProcessedPhoto,
    alt_zh: str,
    alt_en: str,
    *,
    uploaded_by: int | None,
    now: dt.datetime,
    room_type_id: int | None = None,
) -> int:
    """Insert a processed photo, last in its gallery, with every size; the caller holds the lock."""
    photo_id = await conn.fetchval(
        "INSERT INTO photo (base, room_type_id, position, alt_zh, alt_en, width, height, source_sha256,"
        " uploaded_by, created_at) VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM photo"
        " WHERE base = $1 AND room_type_id IS NOT DISTINCT FROM $2), $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        base_id,
        room_type_id,
        alt_zh,
        alt_en,
        processed.width,
        processed.height,
        processed.source_sha256,
        uploaded_by,
        now,
    )
    await conn.executemany(
        "INSERT INTO photo_rendition (photo, width, height, format, digest, content) VALUES ($1, $2, $3, $4, $5, $6)",
        [(photo_id, r.width, r.height, r.format, r.digest, r.content) for r in processed.renditions],
    )
    return photo_id


async def add_photo(
    principal: Principal,
    base_id: int,
    data: bytes,
    *,
    alt_zh: str | None,
    alt_en: str | None,
    now: dt.datetime,
    room_type_id: int | None = None,
) -> PhotoOut:
    """Check, process (off the event loop) and store an upload; last in the gallery."""
    async with db.connection() as conn:
        await operated_base(conn, principal, base_id)
    zh, en = check_alt_texts(alt_zh, alt_en)
    processed: ProcessedPhoto = await asyncio.to_thread(process_photo, data)
    async with db.connection() as conn, conn.transaction():
        # The base row is locked so two uploads at once count and number the gallery in turn.
        await conn.execute("SELECT 1 FROM base WHERE id = $1 FOR UPDATE", base_id)
        gallery = await conn.fetchrow(
            "SELECT count(*), bool_or(source_sha256 = $2) FROM photo WHERE base = $1", base_id, processed.source_sha256
        )
        assert gallery is not None  # an aggregate always answers one row
        count, twin = gallery
        if count >= MAX_PHOTOS_PER_BASE:
            raise InvalidInput(
                _l("A base can show at most %(n)s photos. Delete one before adding another.", n=MAX_PHOTOS_PER_BASE),
                code="too_many_photos",
                field_errors={"photo": _l("Delete a photo first.")},
            )
        if twin:
            message = _l("This photo is already in the gallery.")
            raise InvalidInput(message, code="photo_already_there", field_errors={"photo": message})
        photo_id = await store_processed(
            conn, base_id, processed, zh, en, uploaded_by=principal.account_id, now=now, room_type_id=room_type_id
        )
        return photo_out(await conn.fetchrow(PHOTOS_SQL + " WHERE p.id = $1", photo_id))


async def _gallery_ids(conn: asyncpg.Connection, row: Any) -> list[int]:
    rows = await conn.fetch(
        "SELECT id FROM photo WHERE base = $1 AND room_type_id IS NOT DISTINCT FROM $2 ORDER BY position, id",
        row["base"],
        row["room_type_id"],
    )
    return [r["id"] for r in rows]


async def _renumber(conn: asyncpg.Connection, order: list[int]) -> None:
    await conn.execute(
        "UPDATE photo p SET position = x.n FROM unnest($1::int[]) WITH ORDINALITY AS x(id, n) WHERE p.id = x.id",
        order,
    )


async def change_photo(
    principal: Principal,
    photo_id: int,
    *,
    alt_zh: str | None = None,
    alt_en: str | None = None,
    position: int | None = None,
) -> PhotoOut:
    """New descriptions (None: keep that one) and/or a new place in the gallery (1 = first),
    in one transaction; the other photos keep their order."""
    async with db.connection() as conn, conn.transaction():
        row = await _operated_photo(conn, principal, photo_id)
        await conn.execute("SELECT 1 FROM base WHERE id = $1 FOR UPDATE", row["base"])
        if alt_zh is not None or alt_en is not None:
            zh, en = check_alt_texts(
                row["alt_zh"] if alt_zh is None else alt_zh, row["alt_en"] if alt_en is None else alt_en
            )
            await conn.execute("UPDATE photo SET alt_zh = $2, alt_en = $3 WHERE id = $1", photo_id, zh, en)
        if position is not None:
            ids = await _gallery_ids(conn, row)
            ids.remove(photo_id)
            ids.insert(max(0, min(position - 1, len(ids))), photo_id)
            await _renumber(conn, ids)
        return photo_out(await conn.fetchrow(PHOTOS_SQL + " WHERE p.id = $1", photo_id))


async def delete_photo(principal: Principal, photo_id: int) -> None:
    async with db.connection() as conn, conn.transaction():
        row = await _operated_photo(conn, principal, photo_id)
        await conn.execute("SELECT 1 FROM base WHERE id = $1 FOR UPDATE", row["base"])
        await conn.execute("DELETE FROM photo WHERE id = $1", photo_id)
        await _renumber(conn, await _gallery_ids(conn, row))


async def rendition(digest: str, fmt: str) -> bytes | None:
    """The bytes served at ``/photos/<digest>.<ext>``; None when no photo has them."""
    async with db.connection() as conn:
        return await conn.fetchval(
            "SELECT content FROM photo_rendition WHERE digest = $1 AND format = $2 LIMIT 1", digest, fmt
        )
