"""The health form page without JavaScript: consents, drafts, sending, errors next to questions."""

from __future__ import annotations

import datetime as dt
import json
import re

from sojourn import db as database
from tests import factories
from tests.bookings.test_booking_web import hold_vacation, signed_in_family
from tests.pinned import SHANGHAI
from tests.web_helpers import post_form

COMPLETE = {
    "conditions.hypertension.has": "yes",
    "conditions.hypertension.controlled": "yes",
    "conditions.heart_disease.has": "no",
    "conditions.diabetes.has": "no",
    "conditions.copd_asthma.has": "no",
    "conditions.stroke_history.has": "no",
    "recent_hospital_stay.had": "no",
    "cognitive_impairment": "no",
    "epilepsy": "no",
    "medications.takes": "yes",
    "medications.names": "氨氯地平",
    "medications.supply_lasts_stay": "yes",
    "diet": ["low_salt"],
    "mobility_aid": "cane",
    "oxygen": "no",
    "cpap": "no",
    "comes_along": "yes",
    "companion.name": "李建国",
    "companion.relation": "丈夫",
    "emergency_contact.name": "王强",
    "emergency_contact.relation": "儿子",
    "emergency_contact.phone": "13900001111",
    "certificate.has": "no",
    "insurance.has": "no",
    "consent.collect": "yes",
    "consent.share_with_base": "yes",
}


async def test_the_form_is_prefilled_from_the_traveller_record(client, db):
    world = await factories.small_world()
    _, ids = await signed_in_family(client)
    booking_id = await hold_vacation(client, world, ids)
    page = await client.get(f"/trips/{booking_id}/health/{ids[0]}")
    assert page.status_code == 200
    assert 'name="emergency_contact.name" type="text" value="王强"' in page.text
    assert "I agree that Sojourn keeps the health information" in page.text
    assert "I agree that the staff and doctor of the base" in page.text


async def test_nothing_is_kept_without_the_consent_to_keep_it(client, db):
    world = await factories.small_world()
    _, ids = await signed_in_family(client)
    booking_id = await hold_vacation(client, world, ids)
    body = {**COMPLETE, "action": "send"}
    body.pop("consent.collect")
    response = await post_form(client, f"/trips/{booking_id}/health/{ids[0]}", body, from_page="/trips")
    assert response.status_code == 422
    assert 'href="#consent-collect"' in response.text
    assert 'value="氨氯地平"' not in response.text  # textarea keeps it instead
    assert "氨氯地平</textarea>" in response.text  # nothing typed is lost


async def test_an_incomplete_form_can_be_saved_and_finished_later(client, db):
    world = await factories.small_world()
    _, ids = await signed_in_family(client)
    booking_id = await hold_vacation(client, world, ids)
    draft = {"conditions.diabetes.has": "yes", "consent.collect": "yes", "action": "save"}
    saved = await post_form(client, f"/trips/{booking_id}/health/{ids[0]}", draft, from_page="/trips")
    assert saved.status_code == 303 and saved.headers["location"] == f"/trips/{booking_id}/health"
    page = await client.get(saved.headers["location"])
    assert "is saved. You can finish it later" in page.text
    assert "started, not sent yet" in page.text
    sent = await post_form(
        client, f"/trips/{booking_id}/health/{ids[0]}", {**draft, "action": "send"}, from_page="/trips"
    )
    assert sent.status_code == 422
    assert "Say whether this is under control with treatment." in sent.text
    assert 'href="#conditions-diabetes-controlled"' in sent.text and 'id="conditions-diabetes-controlled"' in sent.text


async def test_a_complete_form_is_sent_and_the_next_booking_starts_from_it(client, db):
    world = await factories.small_world()
    _, ids = await signed_in_family(client)
    booking_id = await hold_vacation(client, world, ids)
    sent = await post_form(
        client, f"/trips/{booking_id}/health/{ids[0]}", {**COMPLETE, "action": "send"}, from_page="/trips"
    )
    assert sent.status_code == 303, sent.text[:3000]
    assert "sent, the base will check it" in (await client.get(f"/trips/{booking_id}/health")).text
    # Another trip: the answers come back, to be checked rather than typed again.
    await post_form(client, f"/trips/{booking_id}/cancel", {}, from_page="/trips")
    again = await hold_vacation(client, world, ids)
    page = await client.get(f"/trips/{again}/health/{ids[0]}")
    assert "We filled in the answers from the last health form" in page.text
    assert 'id="conditions-hypertension-has-yes" name="conditions.hypertension.has" value="yes" checked' in page.text


async def test_the_bases_question_reaches_the_senior_who_answers_on_the_form_and_the_base_sees_the_thread(
    client, db, app, clock
):
    from sojourn.notifications.messages import render
    from tests.health_helpers import fetch
    from tests.shared_app import asgi_client
    from tests.web_helpers import sign_in

    world = await factories.small_world()
    _, ids = await signed_in_family(client)
    booking_id = await hold_vacation(client, world, ids)
    form = f"/trips/{booking_id}/health/{ids[0]}"
    sent = await post_form(client, form, {**COMPLETE, "action": "send"}, from_page=form)
    assert sent.status_code == 303
    declaration_id = (await fetch("SELECT id FROM health_declaration WHERE booking = $1", booking_id))[0]["id"]

    # The base asks, on its own page.
    staff_id = await factories.account("op@sanya.cn", role="operator", base_ids=[world.bases["sanya"]["id"]])
    async with database.connection() as conn:
        await conn.execute("UPDATE account SET locale = 'en' WHERE id = $1", staff_id)
    async with asgi_client(app) as base:
        await sign_in(base, "op@sanya.cn", factories.PASSWORD)
        review = f"/operator/declarations/{declaration_id}"
        asked = await post_form(
            base, f"{review}/review", {"decision": "request_info", "note": "请补充最近一次血压记录。"}, from_page=review
        )
        assert asked.status_code == 303, asked.text[:500]

        # The senior is told there is a question, with the link to the form; the question waits there.
        message = (await fetch("SELECT payload FROM outbox_message WHERE kind = 'declaration_info_requested'"))[0]
        told = render("declaration_info_requested", json.loads(message["payload"]), "en", "https://s.cn")
        assert f"https://s.cn/trips/{booking_id}/health" in told.body and "血压" not in told.body
        trip = (await client.get(f"/trips/{booking_id}")).text
        assert "The base asks" in trip and "请补充最近一次血压记录。" in trip
        assert f'href="{form}#answer"' in trip
        page = (await client.get(form)).text
        assert "请补充最近一次血压记录。" in page and 'name="answer"' in page

        # Sending again needs an answer; then the answer is kept with the question.
        clock.advance(minutes=5)
        unanswered = await post_form(client, form, {**COMPLETE, "action": "send"}, from_page=form)
        assert unanswered.status_code == 422
        assert "Please answer the base&#39;s question" in unanswered.text or "Please answer the base's question" in (
            unanswered.text
        )
        assert 'href="#answer"' in unanswered.text
        answered = await post_form(
            client, form, {**COMPLETE, "action": "send", "answer": "每天早晚各量一次，都在140/85以下。"}, from_page=form
        )
        assert answered.status_code == 303
        assert "The base asks" not in (await client.get(f"/trips/{booking_id}")).text

        # The base reads question and answer in order, at the base's times.
        thread = (await base.get(review)).text
        asked_at = clock.now() - dt.timedelta(minutes=5)
        assert "Questions and answers" in thread
        first, second = thread.index("请补充最近一次血压记录。"), thread.index("每天早晚各量一次")
        assert first < second
        for moment in (asked_at, clock.now()):
            assert moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") in thread


async def test_no_answer_is_chosen_for_her_and_each_missing_one_is_named_once(client, db):
    world = await factories.small_world()
    _, ids = await signed_in_family(client)
    booking_id = await hold_vacation(client, world, ids)
    form = f"/trips/{booking_id}/health/{ids[0]}"
    page = (await client.get(form)).text
    assert 'name="conditions.heart_disease.has" value="no" checked' not in page
    assert not re.search(r'type="radio"[^>]*name="(conditions\.\w+\.has|epilepsy|oxygen|cpap)"[^>]*checked', page)
    body = {**COMPLETE, "action": "send"}
    for left_out in ("conditions.heart_disease.has", "epilepsy"):
        body.pop(left_out)
    body.pop("consent.collect")
    refused = await post_form(client, form, body, from_page=form)
    assert refused.status_code == 422
    summary = refused.text.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Heart disease or an irregular heartbeat? Answer yes or no." in summary
    assert "Epilepsy? Answer yes or no." in summary
    assert "(consent.collect)" not in refused.text
    consent_error = "We can keep health information only with the traveller"
    # once in the summary and once next to the box, never a third time above them
    assert refused.text.count(consent_error) == 2
    # Saved as a draft, the gaps are allowed and stay gaps.
    draft = await post_form(client, form, {**body, "consent.collect": "yes", "action": "save"}, from_page=form)
    assert draft.status_code == 303
    again = (await client.get(form)).text
    assert (
        'id="epilepsy-no" name="epilepsy" value="no" >' in again
        or 'id="epilepsy-no" name="epilepsy" value="no">' in again
    )
