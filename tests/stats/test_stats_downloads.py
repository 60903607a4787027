"""The statistics pages' CSV downloads speak the reader's language: titles and words, not codes."""

from __future__ import annotations

import csv

from tests import factories
from tests.web_helpers import post_form, sign_in


def _table(response) -> list[list[str]]:
    assert response.status_code == 200, response.text[:300]
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(response.content.decode("utf-8-sig").splitlines()))


async def test_downloads_have_chinese_titles_and_words_in_a_chinese_session_and_english_in_english(client, history):
    await factories.account("all@sojourn.example", role="coordinator")
    await sign_in(client, "all@sojourn.example", factories.PASSWORD)

    bookings = _table(await client.get("/alliance/download/bookings"))
    assert bookings[0][:3] == ["月份", "出行类型", "售出预订"]
    assert {row[1] for row in bookings[1:]} <= {"候鸟式长住", "度假套餐", "互动交流"}
    assert not {"migratory", "vacation", "interactive"} & {row[1] for row in bookings[1:]}
    flows = _table(await client.get("/alliance/download/flows"))
    assert flows[0] == ["常住省份代码", "常住省份", "目的地省份代码", "目的地省份", "出行人", "床晚"]
    assert flows[1] == ["230000", "黑龙江", "460000", "海南", "2", "100"]
    satisfaction = _table(await client.get("/alliance/download/satisfaction"))
    assert satisfaction[0][:2] == ["分组方式", "编号"] and "客房(评分)" in satisfaction[0]
    assert {row[0] for row in satisfaction[1:]} == {"基地"}
    assert {row[satisfaction[0].index("至少 30 份回答")] for row in satisfaction[1:]} <= {"是", "否"}

    await post_form(client, "/preferences/language", {"locale": "en"}, from_page="/alliance")
    english = _table(await client.get("/alliance/download/bookings"))
    assert english[0][:3] == ["Month", "Kind of trip", "Bookings sold"]
    assert {row[1] for row in english[1:]} <= {"Seasonal long stay", "Holiday package", "Exchange trip"}
    # The API's CSV stays for programs: field names and codes.
    token = await factories.bearer(client, "all@sojourn.example")
    api = _table(await client.get("/api/v1/stats/bookings", headers={**token, "Accept": "text/csv"}))
    assert api[0][:2] == ["month", "mode"]
