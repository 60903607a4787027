"""The authorisation matrix: every route of the OpenAPI document, called by every kind of caller
on objects of traveller account A and base X, checked against one table.

``EXPECTED`` is the single truth. Per route and role: ``ok`` (allowed: anything but 401, 403 and
404, and never 5xx) or the status the denial must have: 401 without a token, 403 for a role
that may never call the route, 404 for a role that may call it but for whom the object in the
path is not theirs (or not visible). 422 only where the object that is not theirs is named in
the body (traveller ids when booking or joining a waiting list): the app answers it exactly as
an id that does not exist, which ``test_a_foreign_traveller_in_a_body_is_answered_like_an_unknown_one``
checks. The route list comes from the app's own OpenAPI document: a route without a row fails,
and so does a row for a route that is gone. A cell the app gets wrong is marked ``# BUG:`` on
its row and keeps failing until the app is fixed.

Each route gets a fresh world (``tests/authz_world.py``); the denied roles go first, and their
calls must leave every table as it was; then the allowed roles, of which at least one must get
a 2xx, so that the bodies and the world's states are checked to be ones that would work.

The agent is the hotline desk with a recorded mandate for traveller a1 of account A: it may do
for A whatever A's own account may do as a booker (travellers, bookings, waiting list, health
declaration, feedback), but nothing on the base's or the alliance's side. Routes guarded only by
"signed in" (``GET /api/v1/bookings/{id}``, feedback reads) answer 404, not 403, to a signed-in
role that sees no individual's data (the coordinator): the object is simply not found for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from sojourn.app import create_app
from sojourn.clock import Clock
from sojourn.config import load_settings
from sojourn.crypto import KeyRing
from tests import factories, photo_helpers, table_state
from tests.authz_world import PHONE_A, ROLES, START, AuthzWorld, build, execute, noon_at_x
from tests.health_helpers import declaration_body
from tests.payment_helpers import (
    SANDBOX,
    alipay_paid_notification,
    wechat_paid_notification,
)
from tests.pinned import PINNED_NOW

# The routes, from an app's own OpenAPI document (read when the tests are collected; the tests
# call the run's shared app, reset for each test by the ``app`` fixture).
_METHODS = ("get", "post", "put", "patch", "delete")
OPENAPI_ROUTES = {
    (method.upper(), path)
    for path, item in create_app(load_settings()).openapi_schema.to_schema()["paths"].items()
    for method in _METHODS
    if method in item
}

# ---------------------------------------------------------------------------------------------
# The table. ok = allowed; 401 = not signed in; 403 = this role never may; 404 = not theirs;
# 422 = an id in the body is not theirs (answered as an unknown id).
# ---------------------------------------------------------------------------------------------
_TABLE = """
# method path                                                                  anon trav_a trav_b agent op_x op_y coord admin
# --- public: the catalogue, consent terms, signing in
GET    /api/v1/members                                                          ok   ok     ok     ok    ok   ok   ok    ok
GET    /api/v1/bases                                                            ok   ok     ok     ok    ok   ok   ok    ok
GET    /api/v1/bases/{base_id}                                                  ok   ok     ok     ok    ok   ok   ok    ok
GET    /api/v1/bases/{base_id}/reviews                                          ok   ok     ok     ok    ok   ok   ok    ok
GET    /api/v1/tours                                                            ok   ok     ok     ok    ok   ok   ok    ok
GET    /api/v1/tours/{tour_id}                                                  ok   ok     ok     ok    ok   ok   ok    ok
GET    /api/v1/tours/{tour_id}/availability                                     ok   ok     ok     ok    ok   ok   ok    ok
GET    /api/v1/bases/{base_id}/place                                            ok   ok     ok     ok    ok   ok   ok    ok
GET    /api/v1/health/consent-terms                                             ok   ok     ok     ok    ok   ok   ok    ok
POST   /api/v1/auth/token                                                       ok   ok     ok     ok    ok   ok   ok    ok
POST   /api/v1/auth/invitation                                                  ok   ok     ok     ok    ok   ok   ok    ok
POST   /api/v1/auth/reset-code                                                  ok   ok     ok     ok    ok   ok   ok    ok
POST   /api/v1/auth/reset                                                       ok   ok     ok     ok    ok   ok   ok    ok
# --- any signed-in account
DELETE /api/v1/auth/token                                                       401  ok     ok     ok    ok   ok   ok    ok
GET    /api/v1/me                                                               401  ok     ok     ok    ok   ok   ok    ok
GET    /api/v1/me/export                                                        401  ok     ok     ok    ok   ok   ok    ok
# closing an account: travellers themselves (staff accounts are closed by an administrator)
DELETE /api/v1/me                                                               401  ok     ok     403   403  403  403   403
# --- travellers: only a traveller account adds people; bookers read and correct them
POST   /api/v1/travellers                                                       401  ok     ok     403   403  403  403   403
GET    /api/v1/travellers                                                       401  ok     ok     ok    403  403  403   ok
GET    /api/v1/travellers/{traveller_id}                                        401  ok     404    ok    403  403  403   ok
PATCH  /api/v1/travellers/{traveller_id}                                        401  ok     404    ok    403  403  403   ok
# --- bookings (lists are "yours": empty for those who have none)
POST   /api/v1/bookings                                                         401  ok     422    ok    403  403  403   ok
GET    /api/v1/bookings                                                         401  ok     ok     ok    ok   ok   ok    ok
GET    /api/v1/bookings/{booking_id}                                            401  ok     404    ok    ok   404  404   ok
POST   /api/v1/bookings/{booking_id}/extend-hold                                401  ok     404    ok    403  403  403   ok
POST   /api/v1/bookings/{booking_id}/confirm                                    401  ok     404    ok    403  403  403   ok
POST   /api/v1/bookings/{booking_id}/cancel                                     401  ok     404    ok    403  403  403   ok
POST   /api/v1/bookings/{booking_id}/undo-cancel                                401  ok     404    ok    403  403  403   ok
POST   /api/v1/tours/{tour_id}/waitlist                                         401  ok     422    ok    403  403  403   ok
# --- payments: the booker pays and asks for a fapiao; the base sees its bookings' payments;
#     the providers' callbacks need no account (their signature is the credential)
GET    /api/v1/bookings/{booking_id}/payments                                   401  ok     404    ok    ok   404  404   ok
POST   /api/v1/bookings/{booking_id}/payments                                   401  ok     404    ok    403  403  403   ok
POST   /api/v1/bookings/{booking_id}/invoice-request                            401  ok     404    ok    403  403  403   ok
POST   /api/v1/payments/notify/wechat                                           ok   ok     ok     ok    ok   ok   ok    ok
POST   /api/v1/payments/notify/alipay                                           ok   ok     ok     ok    ok   ok   ok    ok
GET    /api/v1/waitlist                                                         401  ok     ok     ok    ok   ok   ok    ok
POST   /api/v1/waitlist/{entry_id}/withdraw                                     401  ok     404    ok    403  403  403   ok
# --- health declarations: the booker's side, the base's review side
GET    /api/v1/bookings/{booking_id}/travellers/{traveller_id}/declaration      401  ok     404    ok    403  403  403   ok
PUT    /api/v1/bookings/{booking_id}/travellers/{traveller_id}/declaration      401  ok     404    ok    403  403  403   ok
POST   /api/v1/bookings/{booking_id}/travellers/{traveller_id}/declaration/withdraw-consent 401 ok 404 ok 403  403  403   ok
GET    /api/v1/operator/declarations                                            401  403    403    403   ok   ok   403   ok
GET    /api/v1/operator/declarations/{declaration_id}                           401  403    403    403   ok   404  403   ok
POST   /api/v1/operator/declarations/{declaration_id}/review                    401  403    403    403   ok   404  403   ok
# --- feedback: bookers give and correct it, the base replies and flags, admins hide
GET    /api/v1/bookings/{booking_id}/feedback                                   401  ok     404    ok    ok   404  404   ok
POST   /api/v1/bookings/{booking_id}/feedback                                   401  ok     404    ok    403  403  403   ok
GET    /api/v1/feedback/{feedback_id}                                           401  ok     404    ok    ok   404  404   ok
PUT    /api/v1/feedback/{feedback_id}                                           401  ok     404    ok    403  403  403   ok
GET    /api/v1/operator/feedback                                                401  403    403    403   ok   ok   403   ok
POST   /api/v1/operator/feedback/{feedback_id}/reply                            401  403    403    403   ok   404  403   ok
DELETE /api/v1/operator/feedback/{feedback_id}/reply                            401  403    403    403   ok   404  403   ok
POST   /api/v1/operator/feedback/{feedback_id}/flag                             401  403    403    403   ok   404  403   ok
POST   /api/v1/admin/feedback/{feedback_id}/hide                                401  403    403    403   403  403  403   ok
POST   /api/v1/admin/feedback/{feedback_id}/unhide                              401  403    403    403   403  403  403   ok
POST   /api/v1/admin/feedback/{feedback_id}/dismiss-flag                        401  403    403    403   403  403  403   ok
# --- operators: their own bases only
PUT    /api/v1/operator/bases/{base_id}/capacity                                401  403    403    403   ok   404  403   ok
PATCH  /api/v1/operator/bases/{base_id}/place                                   401  403    403    403   ok   404  403   ok
PUT    /api/v1/operator/bases/{base_id}/climate                                 401  403    403    403   ok   404  403   ok
POST   /api/v1/operator/bases/{base_id}/photos                                  401  403    403    403   ok   404  403   ok
PATCH  /api/v1/operator/photos/{photo_id}                                       401  403    403    403   ok   404  403   ok
DELETE /api/v1/operator/photos/{photo_id}                                       401  403    403    403   ok   404  403   ok
GET    /api/v1/operator/bases                                                   401  403    403    403   ok   ok   403   ok
GET    /api/v1/operator/bases/{base_id}/dashboard                               401  403    403    403   ok   404  403   ok
GET    /api/v1/operator/bases/{base_id}/occupancy                               401  403    403    403   ok   404  403   ok
GET    /api/v1/operator/bases/{base_id}/week                                    401  403    403    403   ok   404  403   ok
GET    /api/v1/operator/bases/{base_id}/manifest                                401  403    403    403   ok   404  403   ok
GET    /api/v1/operator/tours                                                   401  403    403    403   ok   ok   403   ok
POST   /api/v1/operator/tours                                                   401  403    403    403   ok   404  403   ok
GET    /api/v1/operator/tours/{tour_id}                                         401  403    403    403   ok   404  403   ok
PATCH  /api/v1/operator/tours/{tour_id}                                         401  403    403    403   ok   404  403   ok
POST   /api/v1/operator/tours/{tour_id}/publish                                 401  403    403    403   ok   404  403   ok
POST   /api/v1/operator/tours/{tour_id}/close                                   401  403    403    403   ok   404  403   ok
POST   /api/v1/operator/tours/{tour_id}/cancel-departure                        401  403    403    403   ok   404  403   ok
GET    /api/v1/operator/tours/{tour_id}/manifest                                401  403    403    403   ok   404  403   ok
POST   /api/v1/operator/bookings/{booking_id}/check-in                          401  403    403    403   ok   404  403   ok
POST   /api/v1/operator/bookings/{booking_id}/check-out                         401  403    403    403   ok   404  403   ok
POST   /api/v1/operator/bookings/{booking_id}/no-show                           401  403    403    403   ok   404  403   ok
POST   /api/v1/operator/bookings/{booking_id}/travellers/{traveller_id}/check-in 401 403  403    403   ok   404  403   ok
POST   /api/v1/operator/bookings/{booking_id}/travellers/{traveller_id}/check-out 401 403 403    403   ok   404  403   ok
POST   /api/v1/operator/bookings/{booking_id}/travellers/{traveller_id}/no-show 401  403  403    403   ok   404  403   ok
POST   /api/v1/operator/bookings/{booking_id}/travellers/{traveller_id}/undo    401  403    403    403   ok   404  403   ok
# --- hotline: agents (and admins) only; the agent serves A through the mandate for a1
POST   /api/v1/agent/seniors/search                                             401  403    403    ok    403  403  403   ok
POST   /api/v1/agent/seniors                                                    401  403    403    ok    403  403  403   ok
GET    /api/v1/agent/seniors/{account_id}                                       401  403    403    ok    403  403  403   ok
POST   /api/v1/agent/seniors/{account_id}/travellers                            401  403    403    ok    403  403  403   ok
POST   /api/v1/agent/travellers/{traveller_id}/mandate                          401  403    403    ok    403  403  403   ok
POST   /api/v1/agent/travellers/{traveller_id}/mandate/withdraw                 401  403    403    ok    403  403  403   ok
# --- coordinators (the whole alliance) and admins: statistics and alliance administration
GET    /api/v1/stats/flows                                                      401  403    403    403   403  403  ok    ok
GET    /api/v1/stats/occupancy                                                  401  403    403    403   403  403  ok    ok
GET    /api/v1/stats/exchange-balance                                           401  403    403    403   403  403  ok    ok
GET    /api/v1/stats/satisfaction                                               401  403    403    403   403  403  ok    ok
GET    /api/v1/stats/health-mix                                                 401  403    403    403   403  403  ok    ok
GET    /api/v1/stats/bookings                                                   401  403    403    403   403  403  ok    ok
GET    /api/v1/stats/money                                                      401  403    403    403   403  403  ok    ok
GET    /api/v1/alliance/members                                                 401  403    403    403   403  403  ok    ok
POST   /api/v1/alliance/members                                                 401  403    403    403   403  403  ok    ok
PATCH  /api/v1/alliance/members/{member_id}                                     401  403    403    403   403  403  ok    ok
POST   /api/v1/alliance/members/{member_id}/suspend                             401  403    403    403   403  403  ok    ok
POST   /api/v1/alliance/members/{member_id}/reinstate                           401  403    403    403   403  403  ok    ok
GET    /api/v1/alliance/agreements                                              401  403    403    403   403  403  ok    ok
POST   /api/v1/alliance/agreements                                              401  403    403    403   403  403  ok    ok
PATCH  /api/v1/alliance/agreements/{agreement_id}                               401  403    403    403   403  403  ok    ok
GET    /api/v1/alliance/bases                                                   401  403    403    403   403  403  ok    ok
POST   /api/v1/alliance/bases/{base_id}/admit                                   401  403    403    403   403  403  ok    ok
POST   /api/v1/alliance/bases/{base_id}/suspend                                 401  403    403    403   403  403  ok    ok
GET    /api/v1/alliance/operators                                               401  403    403    403   403  403  ok    ok
POST   /api/v1/alliance/operators                                               401  403    403    403   403  403  ok    ok
POST   /api/v1/alliance/operators/{account_id}/bases                            401  403    403    403   403  403  ok    ok
GET    /api/v1/alliance/operator-invitations                                    401  403    403    403   403  403  ok    ok
POST   /api/v1/alliance/operator-invitations/{invitation_id}/approve            401  403    403    403   403  403  403   ok
POST   /api/v1/alliance/operator-invitations/{invitation_id}/decline            401  403    403    403   403  403  403   ok
GET    /api/v1/alliance/base-grants                                             401  403    403    403   403  403  ok    ok
POST   /api/v1/alliance/base-grants/{grant_id}/approve                          401  403    403    403   403  403  403   ok
POST   /api/v1/alliance/base-grants/{grant_id}/decline                          401  403    403    403   403  403  403   ok
DELETE /api/v1/alliance/operators/{account_id}/bases/{base_id}                  401  403    403    403   403  403  ok    ok
# --- administrators only
GET    /api/v1/admin/audit-events                                               401  403    403    403   403  403  403   ok
"""

Expectation = dict[str, Any]  # role -> "ok" | 401 | 403 | 404


def _parse(table: str) -> dict[tuple[str, str], Expectation]:
    rows: dict[tuple[str, str], Expectation] = {}
    for line in table.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        method, path, *codes = line.split()
        assert len(codes) == len(ROLES), f"{method} {path}: {len(codes)} columns, not {len(ROLES)}"
        assert (method, path) not in rows, f"{method} {path} twice in the table"
        assert all(code in ("ok", "401", "403", "404", "422") for code in codes), f"{method} {path}: {codes}"
        assert codes[0] in ("ok", "401"), f"{method} {path}: anonymous callers are allowed or get 401"
        rows[(method, path)] = {
            role: code if code == "ok" else int(code) for role, code in zip(ROLES, codes, strict=True)
        }
    return rows


EXPECTED = _parse(_TABLE)

# ---------------------------------------------------------------------------------------------
# How to call each route: path parameters come from A's and X's objects (``_path_values``);
# bodies and query strings are valid, and ``prepare`` puts the world in a state where the
# allowed call can succeed (so a denial is never masked by a state check).
# ---------------------------------------------------------------------------------------------
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


def _path_values(w: AuthzWorld, path: str) -> dict[str, int]:
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


RATINGS = dict.fromkeys(("accommodation", "food", "medical", "activities", "staff", "transport", "value", "safety"), 4)

CALLS: dict[tuple[str, str], Call] = {
    ("POST", "/api/v1/bookings/{booking_id}/payments"): Call(
        body=lambda w: {"provider": "wechat", "channel": "native"},
        path={"booking_id": lambda w: w.held},
        prepare=_payable,
        idempotent=True,
    ),
    ("POST", "/api/v1/bookings/{booking_id}/invoice-request"): Call(body=lambda w: {"title": "王秀兰"}),
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

# ---------------------------------------------------------------------------------------------
# Fixtures and the checks
# ---------------------------------------------------------------------------------------------
_UNWATCHED = ("audit_event", "api_token")  # reads may log and touch tokens


async def _fingerprint() -> dict[str, str]:
    """What a denied call must not change: every table's rows but logs and tokens."""
    return await table_state.fingerprint(skip=_UNWATCHED)


def _route_id(route: tuple[str, str]) -> str:
    return f"{route[0]} {route[1]}"


async def _send(client, route: tuple[str, str], call: Call, w: AuthzWorld, role: str):
    method, template = route
    values = {**_path_values(w, template), **{name: get(w) for name, get in call.path.items()}}
    headers = w.as_(role)
    if call.idempotent:
        headers["Idempotency-Key"] = f"authz-{role}-{template}"
    kwargs: dict[str, Any] = {"headers": headers}
    if call.params:
        kwargs["params"] = call.params(w)
    if call.body:
        kwargs["json"] = call.body(w)
    if call.files:
        kwargs["files"] = call.files(w)
    if call.form:
        kwargs["data"] = call.form(w)

    if call.raw:
        raw_headers, kwargs["content"] = call.raw(w)
        headers.update(raw_headers)
    return await client.request(method, template.format(**values), **kwargs)


def test_the_table_has_a_row_for_every_route_in_the_openapi_document_and_no_more():
    missing = sorted(_route_id(route) for route in OPENAPI_ROUTES - set(EXPECTED))
    stale = sorted(_route_id(route) for route in set(EXPECTED) - OPENAPI_ROUTES)
    assert not missing, f"routes without a row in the authorisation table: {missing}"
    assert not stale, f"rows for routes that are not in the OpenAPI document: {stale}"
    assert set(CALLS) <= set(EXPECTED), sorted(_route_id(r) for r in set(CALLS) - set(EXPECTED))


@pytest.mark.parametrize("route", sorted(OPENAPI_ROUTES | set(EXPECTED)), ids=_route_id)
async def test_route_answers_every_role_as_the_table_says(route, db, client, clock):
    assert route in OPENAPI_ROUTES, f"{_route_id(route)} has a row but is no longer in the OpenAPI document"
    assert route in EXPECTED, f"{_route_id(route)} is in the OpenAPI document but has no row in the table"
    expected, call = EXPECTED[route], CALLS.get(route, Call())
    w = await build(client)
    if call.prepare:
        await call.prepare(client, w, clock)
    problems: list[str] = []

    denied = [role for role in ROLES if expected[role] != "ok"]
    before = await _fingerprint() if denied else {}
    for role in denied:
        response = await _send(client, route, call, w, role)
        if response.status_code != expected[role]:
            problems.append(f"{role}: expected {expected[role]}, got {response.status_code} {response.text[:200]}")
    if denied:
        after = await _fingerprint()
        changed = sorted(name for name in after if after[name] != before.get(name))
        if changed:
            problems.append(f"denied calls ({', '.join(denied)}) changed tables: {changed}")

    succeeded: list[str] = []
    for role in (role for role in ROLES if expected[role] == "ok"):
        response = await _send(client, route, call, w, role)
        status = response.status_code
        if status in (401, 403, 404) or status >= 500:
            problems.append(f"{role}: expected to be allowed, got {status} {response.text[:200]}")
        elif status < 300:
            succeeded.append(role)
    if not succeeded and not problems:
        problems.append("no allowed role got a 2xx: the body or the world's state is wrong for this route")
    assert not problems, f"{_route_id(route)}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("path", ["/api/v1/bookings", "/api/v1/tours/{tour}/waitlist"])
async def test_a_foreign_traveller_in_a_body_is_answered_like_an_unknown_one(path, db, client, clock):
    """The 422 in the table reveals nothing: B naming A's traveller hears what naming nobody gives."""
    w = await build(client)
    await execute("UPDATE waitlist_entry SET status = 'withdrawn' WHERE id = $1", w.entry)
    tour = w.full_x if "waitlist" in path else w.tour_x
    answers = []
    for traveller_id in (w.a1, 999_999):
        response = await client.post(
            path.format(tour=tour), json={"tour_id": tour, "traveller_ids": [traveller_id]}, headers=w.as_("trav_b")
        )
        body = response.json()
        answers.append((response.status_code, body["code"], body["detail"].replace(str(traveller_id), "<id>")))
    assert answers[0] == answers[1] and answers[0][0] == 422, answers
