"""With Redis configured, sessions and rate-limit counters live in Redis (shared by all workers)."""

from redis.asyncio import Redis

from tests import factories
from tests.web_helpers import sign_in


async def test_sessions_are_stored_in_redis(redis_client, redis_url):
    await factories.account("13800138000")
    await sign_in(redis_client, "13800138000", factories.PASSWORD)
    session_id = redis_client.cookies.get("sojourn_session")
    redis = Redis.from_url(redis_url)
    try:
        keys = [key.decode() for key in await redis.keys("*")]
    finally:
        await redis.aclose()
    assert any(key.endswith(session_id) and "sessions" in key for key in keys), keys
    assert (await redis_client.get("/account")).status_code == 200


async def test_rate_limit_counters_are_stored_in_redis(redis_client, redis_url):
    for i in range(11):
        response = await redis_client.post(
            "/api/v1/auth/token", json={"login": f"1390000{i:04d}", "password": "wrong-1-x"}
        )
    assert response.status_code == 429
    redis = Redis.from_url(redis_url)
    try:
        keys = [key.decode() for key in await redis.keys("*rate_limits*")]
    finally:
        await redis.aclose()
    assert keys


async def test_a_limit_on_redis_is_one_counter_per_caller_and_window(redis_client, redis_url):
    """Counted in one round trip (INCR + EXPIRE NX): the count, the window and the answer."""
    for i in range(10):
        response = await redis_client.post(
            "/api/v1/auth/token", json={"login": f"1390001{i:04d}", "password": "wrong-1-x"}
        )
        assert response.status_code == 401
        assert response.headers["RateLimit-Remaining"] == str(9 - i)
    refused = await redis_client.post("/api/v1/auth/token", json={"login": "13900019999", "password": "wrong-1-x"})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    redis = Redis.from_url(redis_url)
    try:
        keys = list(await redis.keys("*sign_in*"))
        assert len(keys) == 1, keys
        assert int(await redis.get(keys[0])) == 11
        assert 0 < await redis.ttl(keys[0]) <= 60
    finally:
        await redis.aclose()
