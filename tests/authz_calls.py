"""How the authorisation matrix (tests/test_authorization_matrix.py) calls each route: path parameters
come from account A's and base X's objects (``path_values``); bodies and query strings are valid, and
``prepare`` puts the world in a state where the allowed call can succeed, so a denial is never masked by
a state check. A route without an entry here is called with no body and its path from the world."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sojourn.clock import Clock
from sojourn.config import load_settings
from sojourn.crypto import KeyRing
from tests import factories, photo_helpers
from tests.authz_world import PHONE_A, ROLES, START, AuthzWorld, execute, noon_at_x
from tests.health_helpers import declaration_body
from tests.payment_helpers import SANDBOX, alipay_paid_notification, wechat_paid_notification
from tests.pinned import PINNED_NOW

Prepare = Callable[[Any, AuthzWorld, Clock], Awaitable[None]]
Body = Callable[[AuthzWorld], Any]
D = dt.timedelta(days=1)


@dataclass
class Call:
    body: Body | None = None
    raw: Callable[[AuthzWorld], tuple[dict[str, str], bytes]] | None = None  # headers and body as sent
    params: Callable[[AuthzWorld], dict[str, str]] | None = None
    path: dict[str, Callable[[AuthzWorld], int]] = field(default_factory=dict)  # overrides
    prepare: Prepare | None = None
    idempotent: bool = False  # send an Idempotency-Key (creating bookings and waiting-list entries)
    files: Callable[[AuthzWorld], dict[str, Any]] | None = None  # multipart (photo uploads), with ``form``
    form: Callable[[AuthzWorld], dict[str, str]] | None = None


def path_values(w: AuthzWorld, path: str) -> dict[str, int]:
    return {
        "booking_id": w.confirmed,
        "traveller_id": w.a1,
        "base_id": w.base_x,
        "tour_id": w.tour_x,
        "feedback_id": w.feedback,
        "declaration_id": w.declaration,
        "entry_id": w.entry,
        "account_id": w.accounts["op_x"] if path.startswith("/api/v1/alliance/") else w.accounts["trav_a"],
        "member_id": w.member_x,
        "agreement_id": w.agreement,
        "invitation_id": w.invitation,
        "grant_id": w.grant,
    }


async def _cancel_confirmed(client, w: AuthzWorld, clock: Clock) -> None:
    response = await client.post(
        f"/api/v1/bookings/{w.confirmed}/cancel", json={"reason": "家里有事"}, headers=w.as_("trav_a")
    )
    assert response.status_code == 200, response.text


async def _leave_waitlist(client, w: AuthzWorld, clock: Clock) -> None:
    await execute("UPDATE waitlist_entry SET status = 'withdrawn' WHERE id = $1", w.entry)


async def _forget_feedback(client, w: AuthzWorld, clock: Clock) -> None:
    await execute("DELETE FROM feedback WHERE id = $1", w.feedback)


def _set_feedback(**columns: Any) -> Prepare:
    async def prepare(client, w: AuthzWorld, clock: Clock) -> None:
        sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(columns, start=2))
        await execute(f"UPDATE feedback SET {sets} WHERE id = $1", w.feedback, *columns.values())

    return prepare


def _arrival_day(offset_days: int, status: str | None = None) -> Prepare:
    """Move the clock to A's confirmed arrival (+ offset), at noon at the base; maybe check in."""

    async def prepare(client, w: AuthzWorld, clock: Clock) -> None:
        arrival = START + 10 * D  # X's vacation tour: 2027-01-20 to 2027-01-27
        clock.set(noon_at_x(arrival + offset_days * D))
        if status:
            await execute(
                "UPDATE booking SET status = $2, checked_in_at = $3 WHERE id = $1", w.confirmed, status, clock.now()
            )
            await execute(
                "UPDATE booking_traveller SET attendance = $2, checked_in_at = $3 WHERE booking = $1",
                w.confirmed,
                status,
                clock.now(),
            )

    return prepare


async def _base_x_pending(client, w: AuthzWorld, clock: Clock) -> None:
    await execute("UPDATE base SET status = 'pending' WHERE id = $1", w.base_x)


async def _member_x_suspended(client, w: AuthzWorld, clock: Clock) -> None:
    await execute("UPDATE member SET status = 'suspended' WHERE id = $1", w.member_x)


_room_codes = itertools.count(1)


async def _room_types_at_x(client, w: AuthzWorld, clock: Clock) -> None:
    """Room types at X never sold, one for each role's call (a removed one is gone for the next)."""
    w.room_types = []  # type: ignore[attr-defined]
    for n in range(len(ROLES)):
        room = await factories.room_type(w.base_x, f"suite{n}", beds_per_room=2, rooms=0, start=START, nights=1)
        w.room_types.append(room["id"])  # type: ignore[attr-defined]


async def _photos_at_x(client, w: AuthzWorld, clock: Clock) -> None:
    """Photos in X's gallery, one for each role's call (a deleted photo is gone for the next)."""
    w.photos = []  # type: ignore[attr-defined]
    for n in range(len(ROLES)):
        response = await client.post(
            f"/api/v1/operator/bases/{w.base_x}/photos",
            files={"photo": ("garden.png", photo_helpers.png(600 + n, 400), "image/png")},
            data={"alt_zh": "花园", "alt_en": "The garden"},
            headers=w.as_("op_x"),
        )
        assert response.status_code == 201, response.text
        w.photos.append(response.json()["id"])  # type: ignore[attr-defined]


async def _payable(client, w: AuthzWorld, clock: Clock) -> None:
    """A's held stay owes its price; base X takes WeChat Pay (the sandbox plays WeChat; its payee was
    registered when the world's bookings were paid)."""
    SANDBOX.start()  # the run's settings name it as the providers (tests/conftest.py)


async def _owes_nothing_first(client, w: AuthzWorld, clock: Clock) -> None:
    """A's held stay owes nothing before it is confirmed (no schedule), so ``confirm`` alone confirms it;
    with money due, paying is what confirms (tests/payments/test_paying_confirms.py)."""
    await execute("DELETE FROM payment_instalment WHERE booking = $1", w.held)


def _keyring() -> KeyRing:
    """The keys of the run's settings, as the shared app holds them."""
    settings = load_settings()
    return KeyRing.from_settings(settings.encryption_keys, settings.secret_key)


async def _invitation_with_code(client, w: AuthzWorld, clock: Clock) -> None:
    """The world's invitation approved with a code the call knows (the first caller accepts it)."""
    from sojourn.accounts import codes

    digest = codes.code_digest(_keyring(), "invite", "ABCD-EFGH-JKMN")
    await execute(
        "UPDATE operator_invitation SET status = 'approved', code_hash = $2, expires_at = $3 WHERE id = $1",
        w.invitation,
        digest,
        clock.now() + dt.timedelta(days=7),
    )


async def _b_has_no_open_booking(client, w: AuthzWorld, clock: Clock) -> None:
    """B may close the account once no stay is open (A still has one: 409, allowed but refused)."""
    await execute(
        "UPDATE booking SET status = 'cancelled', cancelled_at = $2 WHERE account = $1",
        w.accounts["trav_b"],
        clock.now(),
    )


FORGETFUL = "13900000088"  # an account of nobody in the table: a reset signs its owner out everywhere


async def _reset_code_for_someone(client, w: AuthzWorld, clock: Clock) -> None:
    """A reset code the call knows, for an account of its own (the first caller uses it)."""
    from sojourn.accounts import codes

    await factories.account(FORGETFUL)
    await execute(
        "INSERT INTO one_time_code (purpose, login, code_hash, created_at, expires_at) VALUES ('reset', $1, $2, $3, $4)",
        FORGETFUL,
        codes.code_digest(_keyring(), "reset", "123456"),
        clock.now(),
        clock.now() + dt.timedelta(minutes=10),
    )


async def _fapiao_requested(client, w: AuthzWorld, clock: Clock) -> None:
    """A asked for a fapiao for the confirmed (paid) booking; finance may record it issued today."""
    response = await client.post(
        f"/api/v1/bookings/{w.confirmed}/invoice-request", json={"title": "王秀兰"}, headers=w.as_("trav_a")
    )
    assert response.status_code == 201, response.text
    w.invoice_request = response.json()["id"]


def _beijing_today(w: AuthzWorld) -> str:
    return (PINNED_NOW + dt.timedelta(hours=8)).date().isoformat()


RATINGS = dict.fromkeys(("accommodation", "food", "medical", "activities", "staff", "transport", "value", "safety"), 4)

CALLS: dict[tuple[str, str], Call] = {
    ("POST", "/api/v1/bookings/{booking_id}/payments"): Call(
        body=lambda w: {"provider": "wechat", "channel": "native"},
        path={"booking_id": lambda w: w.held},
        prepare=_payable,
        idempotent=True,
    ),
    ("POST", "/api/v1/bookings/{booking_id}/invoice-request"): Call(body=lambda w: {"title": "王秀兰"}),
    ("GET", "/api/v1/invoice-requests"): Call(prepare=_fapiao_requested),
    ("POST", "/api/v1/invoice-requests/{request_id}/issued"): Call(
        body=lambda w: {"invoice_number": "26462000000012345678", "issued_on": _beijing_today(w)},
        path={"request_id": lambda w: w.invoice_request},
        prepare=_fapiao_requested,
    ),
    # Verified notifications for an order Sojourn never made: quarantined and acknowledged (2xx);
    # signed when the test starts (the app's clock is at PINNED_NOW then).
    ("POST", "/api/v1/payments/notify/wechat"): Call(
        raw=lambda w: wechat_paid_notification("SJ20261201UNKNOWN001", 100, PINNED_NOW)
    ),
    ("POST", "/api/v1/payments/notify/alipay"): Call(
        raw=lambda w: alipay_paid_notification("SJ20261201UNKNOWN002", 100)
    ),
    ("GET", "/api/v1/tours/{tour_id}/availability"): Call(
        params=lambda w: {"start": str(START + 10 * D), "end": str(START + 17 * D)}
    ),
    ("POST", "/api/v1/auth/token"): Call(body=lambda w: {"login": PHONE_A, "password": factories.PASSWORD}),
    ("POST", "/api/v1/travellers"): Call(
        body=lambda w: factories.traveller_body(name="王小红", birth=dt.date(1958, 1, 5))
    ),
    ("PATCH", "/api/v1/travellers/{traveller_id}"): Call(body=lambda w: {"phone": "13700137000"}),
    ("POST", "/api/v1/bookings"): Call(
        body=lambda w: {
            "tour_id": w.stay_x,
            "traveller_ids": [w.a1],
            "arrival": str(START + 20 * D),
            "departure": str(START + 48 * D),
        },
        idempotent=True,
    ),
    ("POST", "/api/v1/bookings/{booking_id}/extend-hold"): Call(path={"booking_id": lambda w: w.held}),
    ("POST", "/api/v1/bookings/{booking_id}/confirm"): Call(
        path={"booking_id": lambda w: w.held}, prepare=_owes_nothing_first
    ),
    ("POST", "/api/v1/bookings/{booking_id}/cancel"): Call(body=lambda w: {"reason": "身体不适"}),
    ("POST", "/api/v1/bookings/{booking_id}/undo-cancel"): Call(prepare=_cancel_confirmed),
    ("POST", "/api/v1/tours/{tour_id}/waitlist"): Call(
        path={"tour_id": lambda w: w.full_x},
        body=lambda w: {"tour_id": w.full_x, "traveller_ids": [w.a1]},
        prepare=_leave_waitlist,
        idempotent=True,
    ),
    ("PUT", "/api/v1/bookings/{booking_id}/travellers/{traveller_id}/declaration"): Call(
        body=lambda w: declaration_body(allergies="青霉素")
    ),
    ("POST", "/api/v1/bookings/{booking_id}/travellers/{traveller_id}/declaration/withdraw-consent"): Call(
        body=lambda w: {"purpose": "share_with_base"}
    ),
    ("POST", "/api/v1/operator/declarations/{declaration_id}/review"): Call(
        body=lambda w: {"decision": "accept", "note": "可以入住"}
    ),
    ("GET", "/api/v1/bookings/{booking_id}/feedback"): Call(path={"booking_id": lambda w: w.past_stay}),
    ("POST", "/api/v1/bookings/{booking_id}/feedback"): Call(
        path={"booking_id": lambda w: w.past_stay},
        body=lambda w: {"ratings": RATINGS, "nps": 9, "comment": "饭菜可口。", "traveller_id": w.a1},
        prepare=_forget_feedback,
    ),
    ("PUT", "/api/v1/feedback/{feedback_id}"): Call(
        body=lambda w: {"ratings": RATINGS, "nps": 8, "comment": "护士很耐心，饭菜偏咸。"}
    ),
    ("POST", "/api/v1/operator/feedback/{feedback_id}/reply"): Call(
        body=lambda w: {"reply": "感谢您的建议，我们会改进。"}
    ),
    ("POST", "/api/v1/operator/feedback/{feedback_id}/flag"): Call(body=lambda w: {"reason": "含有电话号码"}),
    ("POST", "/api/v1/admin/feedback/{feedback_id}/hide"): Call(body=lambda w: {"reason": "含有个人信息"}),
    ("POST", "/api/v1/admin/feedback/{feedback_id}/unhide"): Call(
        body=lambda w: {"reason": "已核实"}, prepare=_set_feedback(hidden=True)
    ),
    ("POST", "/api/v1/admin/feedback/{feedback_id}/dismiss-flag"): Call(prepare=_set_feedback(abuse_flagged=True)),
    ("PUT", "/api/v1/operator/bases/{base_id}/capacity"): Call(
        body=lambda w: {"start": str(START + 100 * D), "end": str(START + 110 * D), "beds": 12}
    ),
    ("POST", "/api/v1/operator/bases/{base_id}/room-types"): Call(
        body=lambda w: {
            "code": f"double{next(_room_codes)}",
            "name_zh": "大床房",
            "name_en": "Double",
            "beds_per_room": 2,
        }
    ),
    ("PATCH", "/api/v1/operator/room-types/{room_type_id}"): Call(
        body=lambda w: {"price_fen": 42000, "accessible": True},
        path={"room_type_id": lambda w: w.room_types[0]},  # type: ignore[attr-defined]
        prepare=_room_types_at_x,
    ),
    ("DELETE", "/api/v1/operator/room-types/{room_type_id}"): Call(
        path={"room_type_id": lambda w: w.room_types.pop()},  # type: ignore[attr-defined]
        prepare=_room_types_at_x,
    ),
    ("PATCH", "/api/v1/operator/bases/{base_id}/place"): Call(
        body=lambda w: {"phone": "0898-8888 6666", "latitude": 18.25, "longitude": 109.51, "check_in_time": "15:00"}
    ),
    ("PUT", "/api/v1/operator/bases/{base_id}/climate"): Call(
        body=lambda w: {"months": [{"month": 1, "high_c": 26.5, "low_c": 19.0, "rain_mm": 8}], "source": "测试"}
    ),
    ("POST", "/api/v1/operator/bases/{base_id}/photos"): Call(
        files=lambda w: {"photo": ("IMG_2.HEIC", photo_helpers.png(640, 480), "application/octet-stream")},
        form=lambda w: {"alt_zh": "餐厅", "alt_en": "The dining room"},
    ),
    ("PATCH", "/api/v1/operator/photos/{photo_id}"): Call(
        body=lambda w: {"alt_en": "The garden in spring", "position": 1},
        path={"photo_id": lambda w: w.photos.pop()},  # type: ignore[attr-defined]
        prepare=_photos_at_x,
    ),
    ("DELETE", "/api/v1/operator/photos/{photo_id}"): Call(
        path={"photo_id": lambda w: w.photos.pop()},  # type: ignore[attr-defined]
        prepare=_photos_at_x,
    ),
    ("GET", "/api/v1/operator/bases/{base_id}/occupancy"): Call(
        params=lambda w: {"start": str(START), "end": str(START + 30 * D)}
    ),
    ("GET", "/api/v1/operator/bases/{base_id}/manifest"): Call(params=lambda w: {"date": str(START + 10 * D)}),
    ("POST", "/api/v1/operator/tours"): Call(
        body=lambda w: {
            "base_id": w.base_x,
            "mode": "vacation",
            "title_zh": "三亚春节团",
            "starts_on": str(START + 60 * D),
            "ends_on": str(START + 65 * D),
            "seats": 10,
            "package_price_fen": 260000,
        }
    ),
    ("PATCH", "/api/v1/operator/tours/{tour_id}"): Call(body=lambda w: {"title_en": "Seven sunny days in Sanya"}),
    ("POST", "/api/v1/operator/tours/{tour_id}/publish"): Call(path={"tour_id": lambda w: w.draft_x}),
    ("POST", "/api/v1/operator/tours/{tour_id}/cancel-departure"): Call(
        body=lambda w: {"reason": "台风预警，航班取消"}
    ),
    ("POST", "/api/v1/operator/bookings/{booking_id}/check-in"): Call(prepare=_arrival_day(0)),
    ("POST", "/api/v1/operator/bookings/{booking_id}/check-out"): Call(prepare=_arrival_day(6, status="checked_in")),
    ("POST", "/api/v1/operator/bookings/{booking_id}/no-show"): Call(prepare=_arrival_day(1)),
    ("POST", "/api/v1/operator/bookings/{booking_id}/travellers/{traveller_id}/check-in"): Call(
        prepare=_arrival_day(0)
    ),
    ("POST", "/api/v1/operator/bookings/{booking_id}/travellers/{traveller_id}/check-out"): Call(
        prepare=_arrival_day(6, status="checked_in")
    ),
    ("POST", "/api/v1/operator/bookings/{booking_id}/travellers/{traveller_id}/no-show"): Call(prepare=_arrival_day(1)),
    ("POST", "/api/v1/operator/bookings/{booking_id}/travellers/{traveller_id}/undo"): Call(
        prepare=_arrival_day(0, status="checked_in")
    ),
    ("POST", "/api/v1/agent/seniors/search"): Call(body=lambda w: {"phone": PHONE_A}),
    ("POST", "/api/v1/agent/seniors"): Call(
        body=lambda w: {
            "phone": "13600136000",
            "travellers": [factories.traveller_body(name="赵桂芝", birth=dt.date(1951, 3, 3))],
            "mandate": {"method": "phone_call", "reference": "96111-0007"},
        }
    ),
    ("POST", "/api/v1/agent/seniors/{account_id}/travellers"): Call(
        body=lambda w: {
            "traveller": factories.traveller_body(name="王小红", birth=dt.date(1958, 1, 5)),
            "mandate": {"method": "phone_call", "reference": "96111-0010"},
        }
    ),
    # a2 has no mandate yet (a1 has); the senior gives A's number on the call.
    ("POST", "/api/v1/agent/travellers/{traveller_id}/mandate"): Call(
        path={"traveller_id": lambda w: w.a2},
        body=lambda w: {"method": "phone_call", "reference": "96111-0011", "senior_phone": PHONE_A},
    ),
    ("POST", "/api/v1/alliance/members"): Call(
        body=lambda w: {"code": "320000", "name_zh": "江苏", "name_en": "Jiangsu"}
    ),
    ("PATCH", "/api/v1/alliance/members/{member_id}"): Call(
        body=lambda w: {"name_zh": "海南省", "name_en": "Hainan Province"}
    ),
    ("POST", "/api/v1/alliance/members/{member_id}/reinstate"): Call(prepare=_member_x_suspended),
    ("POST", "/api/v1/alliance/agreements"): Call(
        body=lambda w: {
            "member_a_id": w.member_x,
            "member_b_id": w.member_z,
            "modes": ["vacation"],
            "signed_on": "2026-06-01",
        }
    ),
    ("PATCH", "/api/v1/alliance/agreements/{agreement_id}"): Call(
        body=lambda w: {"modes": ["interactive", "vacation"], "signed_on": "2026-01-01", "note": "续签"}
    ),
    ("POST", "/api/v1/alliance/bases/{base_id}/admit"): Call(prepare=_base_x_pending),
    ("POST", "/api/v1/alliance/operators"): Call(
        body=lambda w: {"login": "desk@sanya.example", "display_name": "三亚前台", "base_ids": [w.base_x]}
    ),
    ("DELETE", "/api/v1/me"): Call(body=lambda w: {"password": factories.PASSWORD}, prepare=_b_has_no_open_booking),
    ("POST", "/api/v1/auth/reset-code"): Call(body=lambda w: {"login": PHONE_A}),
    ("POST", "/api/v1/auth/reset"): Call(
        body=lambda w: {"login": FORGETFUL, "code": "123456", "new_password": "a-new-sunny-day-9"},
        prepare=_reset_code_for_someone,
    ),
    ("POST", "/api/v1/auth/invitation"): Call(
        body=lambda w: {"code": "ABCD-EFGH-JKMN", "password": factories.PASSWORD}, prepare=_invitation_with_code
    ),
    ("POST", "/api/v1/alliance/operators/{account_id}/bases"): Call(body=lambda w: {"base_id": w.base_y}),
}
