"""Finding 10: replaying an Idempotency-Key after the senior withdrew the hotline's consent
does not hand the stored booking (with names) back to the agent."""

from tests.booking_helpers import migratory_body
from tests.hotline.test_hotline_api import SENIOR, agent, mandate_body, senior_with_traveller


async def test_a_replay_after_the_mandate_is_withdrawn_reveals_nothing(client, world):
    headers = await agent(client)
    _, traveller_id = await senior_with_traveller(client)
    recorded = await client.post(
        f"/api/v1/agent/travellers/{traveller_id}/mandate", json=mandate_body(senior_phone=SENIOR), headers=headers
    )
    assert recorded.status_code == 201, recorded.text
    body = migratory_body(world, travellers=[traveller_id])
    keyed = {**headers, "Idempotency-Key": "hotline-call-0042"}
    first = await client.post("/api/v1/bookings", json=body, headers=keyed)
    assert first.status_code == 201, first.text
    replay = await client.post("/api/v1/bookings", json=body, headers=keyed)
    assert replay.status_code in (200, 201) and replay.json()["id"] == first.json()["id"]

    withdrawn = await client.post(f"/api/v1/agent/travellers/{traveller_id}/mandate/withdraw", headers=headers)
    assert withdrawn.status_code == 200
    after = await client.post("/api/v1/bookings", json=body, headers=keyed)
    assert after.status_code == 404, after.text
    assert "王秀兰" not in after.text and first.json()["reference"] not in after.text
