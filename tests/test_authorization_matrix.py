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

Each route's test starts from the same world (``tests/authz_world.py``), built once for the module
and restored for each test (``tests/table_state.py``: its tables, sequences and all, as a fresh
build would leave them), and is called as ``tests/authz_calls.py`` says; the denied roles go first, and their
calls must leave every table as it was; then the allowed roles, of which at least one must get
a 2xx, so that the bodies and the world's states are checked to be ones that would work.

The agent is the hotline desk with a recorded mandate for traveller a1 of account A: it may do
for A whatever A's own account may do as a booker (travellers, bookings, waiting list, health
declaration, feedback), but nothing on the base's or the alliance's side. Routes guarded only by
"signed in" (``GET /api/v1/bookings/{id}``, feedback reads) answer 404, not 403, to a signed-in
role that sees no individual's data (the coordinator): the object is simply not found for them.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests import table_state
from tests.authz_calls import CALLS, Call, path_values
from tests.authz_world import ROLES, AuthzWorld, build, execute
from tests.pinned import PINNED_NOW
from tests.shared_app import asgi_client, empty_stores

# The routes, from the app's own OpenAPI document: the run's shared app (reset for each test by
# the ``app`` fixture) gives it when the tests run. They are collected from the table, one test per
# row; the first test below fails for a route without a row, and a row's test for a route that is gone.
_METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def openapi_routes(session_app) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in session_app.openapi_schema.to_schema()["paths"].items()
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
GET    /api/v1/tours/{tour_id}/room-types                                       ok   ok     ok     ok    ok   ok   ok    ok
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
# finance: admins and coordinators limited to members (their members' bases); the alliance-wide
# coordinator sees totals only (tests/payments/test_fapiao.py checks a member's own coordinator)
GET    /api/v1/invoice-requests                                                 401  403    403    403   403  403  403   ok
POST   /api/v1/invoice-requests/{request_id}/issued                             401  403    403    403   403  403  403   ok
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
GET    /api/v1/operator/bases/{base_id}/room-types                              401  403    403    403   ok   404  403   ok
POST   /api/v1/operator/bases/{base_id}/room-types                              401  403    403    403   ok   404  403   ok
PATCH  /api/v1/operator/room-types/{room_type_id}                               401  403    403    403   ok   404  403   ok
DELETE /api/v1/operator/room-types/{room_type_id}                               401  403    403    403   ok   404  403   ok
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
# Fixtures and the checks
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
async def saved_authz_world(request, session_app, session_clock) -> AsyncIterator[AuthzWorld]:
    """The world, built once (on empty tables, the clock at PINNED_NOW) and saved; see ``w``."""

    async def make() -> AuthzWorld:
        session_clock.set(PINNED_NOW)
        await empty_stores(session_app)
        async with asgi_client(session_app) as http:
            return await build(http)

    async with table_state.saved_world(request.fixturename, make) as world:
        yield world


@pytest.fixture
async def w(saved_authz_world: AuthzWorld, db, client, clock) -> AuthzWorld:
    """The world as built: its tables restored, the clock at PINNED_NOW. A copy: a test's preparation may
    add to it."""
    return copy.deepcopy(saved_authz_world)


_UNWATCHED = ("audit_event", "api_token")  # reads may log and touch tokens


async def _fingerprint() -> dict[str, str]:
    """What a denied call must not change: every table's rows but logs and tokens."""
    return await table_state.fingerprint(skip=_UNWATCHED)


def _route_id(route: tuple[str, str]) -> str:
    return f"{route[0]} {route[1]}"


async def _send(client, route: tuple[str, str], call: Call, w: AuthzWorld, role: str):
    method, template = route
    values = {**path_values(w, template), **{name: get(w) for name, get in call.path.items()}}
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


def test_the_table_has_a_row_for_every_route_in_the_openapi_document_and_no_more(openapi_routes):
    missing = sorted(_route_id(route) for route in openapi_routes - set(EXPECTED))
    stale = sorted(_route_id(route) for route in set(EXPECTED) - openapi_routes)
    assert not missing, f"routes without a row in the authorisation table: {missing}"
    assert not stale, f"rows for routes that are not in the OpenAPI document: {stale}"
    assert set(CALLS) <= set(EXPECTED), sorted(_route_id(r) for r in set(CALLS) - set(EXPECTED))


@pytest.mark.parametrize("route", sorted(EXPECTED), ids=_route_id)
async def test_route_answers_every_role_as_the_table_says(route, openapi_routes, w, client, clock):
    assert route in openapi_routes, f"{_route_id(route)} has a row but is no longer in the OpenAPI document"
    expected, call = EXPECTED[route], CALLS.get(route, Call())
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
async def test_a_foreign_traveller_in_a_body_is_answered_like_an_unknown_one(path, w, client):
    """The 422 in the table reveals nothing: B naming A's traveller hears what naming nobody gives."""
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
