"""Finding 2: nothing stored in plain text narrows an identity number.

The attacker has a dump of the ``traveller`` table and no key. An identity number (GB 11643)
is region (6 digits, the first 2 = the province), birth date (8), sequence (3; the last odd
for men, even for women) and a check digit computed from the other 17. ``candidates`` counts
every number consistent with whatever the row shows in plain text; it must equal the count
from the birth date, province and gender alone, which the row holds for other reasons.
"""

import datetime as dt
from collections import Counter

import pytest

from sojourn import db as sojourn_db
from tests import factories

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def candidates(row: dict) -> int:
    """How many 18-character numbers fit every plain-text column of ``row`` (counted, not listed)."""
    allowed: list[set[str]] = [set("0123456789") for _ in range(17)]
    allowed[0], allowed[1] = {row["home_province_code"][0]}, {row["home_province_code"][1]}
    for position, digit in enumerate(row["birth_date"].strftime("%Y%m%d"), start=6):
        allowed[position] = {digit}
    if row["gender"] in ("male", "female"):
        allowed[16] = {d for d in "0123456789" if (int(d) % 2 == 1) == (row["gender"] == "male")}
    check_digits = set(CHECK)
    for column, value in row.items():  # any other column that shows digits of the number
        if (
            column.startswith("id_number")
            and isinstance(value, str)
            and len(value) == 18
            and column != "id_number_digest"
        ):
            for position, char in enumerate(value[:17]):
                if char != "*":
                    allowed[position] &= {char}
            if value[17] != "*":
                check_digits = {value[17]}
    residues = Counter({0: 1})
    for position, digits in enumerate(allowed):
        step: Counter = Counter()
        for residue, count in residues.items():
            for digit in digits:
                step[(residue + int(digit) * WEIGHTS[position]) % 11] += count
        residues = step
    return sum(count for residue, count in residues.items() if CHECK[residue] in check_digits)


def full_space(row: dict) -> int:
    return candidates({key: row[key] for key in ("home_province_code", "birth_date", "gender")})


def test_the_counter_finds_the_old_mask_narrowed_it_to_a_handful():
    number = factories.identity_number(dt.date(1955, 4, 12))
    row = {"home_province_code": "110000", "birth_date": dt.date(1955, 4, 12), "gender": "male"}
    old_mask = number[:4] + "*" * 10 + number[-4:]
    assert full_space(row) == 10**4 * 100 * 5
    assert candidates({**row, "id_number_masked": old_mask}) <= 10


async def test_a_stored_traveller_shows_nothing_that_narrows_the_number(client):
    await factories.account("13800138000")
    headers = await factories.bearer(client, "13800138000")
    number = factories.identity_number(dt.date(1955, 4, 12))
    body = factories.traveller_body(id_number=number, home_province_code=f"{number[:2]}0000", gender="male")
    created = await client.post("/api/v1/travellers", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["id_number_masked"].endswith(number[-4:])  # the owner still recognises it
    async with sojourn_db.connection() as conn:
        row = dict(await conn.fetchrow("SELECT * FROM traveller WHERE id = $1", created.json()["id"]))
    plain = {key: value for key, value in row.items() if not isinstance(value, bytes)}
    assert candidates(plain) == full_space(plain) == 10**4 * 100 * 5


@pytest.mark.parametrize("gender", ["male", "female"])
def test_gender_halves_the_sequence_digit_only(gender):
    row = {"home_province_code": "230000", "birth_date": dt.date(1950, 1, 1), "gender": gender}
    assert full_space(row) == 5_000_000


async def test_the_migration_removes_the_masks_of_existing_rows(client):
    """The migration, run again on a table as it was before it: old masks are gone, the
    encrypted number and its look-up digest stay."""
    import importlib.util

    from sojourn.piccolo_app import migrations_folder

    await factories.account("13800138000")
    headers = await factories.bearer(client, "13800138000")
    number = factories.identity_number(dt.date(1955, 4, 12))
    created = await client.post("/api/v1/travellers", json=factories.traveller_body(id_number=number), headers=headers)
    traveller_id = created.json()["id"]
    async with sojourn_db.connection() as conn:
        await conn.execute("ALTER TABLE traveller ADD COLUMN id_number_masked varchar(18)")
        await conn.execute(
            "UPDATE traveller SET id_number_masked = $2 WHERE id = $1",
            traveller_id,
            number[:4] + "*" * 10 + number[-4:],
        )
    path = migrations_folder() / "sojourn_2026_12_07t16_50_44_093653.py"
    spec = importlib.util.spec_from_file_location("drop_masks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    await (await module.forwards()).run()
    async with sojourn_db.connection() as conn:
        row = dict(await conn.fetchrow("SELECT * FROM traveller WHERE id = $1", traveller_id))
    assert "id_number_masked" not in row
    assert row["id_number_cipher"] and row["id_number_digest"]
    assert candidates(row) == full_space(row)
    again = await client.get(f"/api/v1/travellers/{traveller_id}", headers=headers)
    assert again.json()["id_number_masked"] == number[:4] + "*" * 10 + number[-4:]
