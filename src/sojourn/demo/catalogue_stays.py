"""The demo catalogue's stays: each base's seasonal stay, and the all-year stays.

Monthly prices follow domain.md (Sanya ¥2,000–3,000, Panzhihua ¥2,400, Ordos ¥110 a day,
Beidaihe ¥3,400, Bama ¥600 room only); the other bases' prices are *assumed* inside the
¥2,000–3,400 range it reports.
"""

from __future__ import annotations

from sojourn.demo.catalogue import (
    GUANGXI,
    HAINAN,
    HEBEI,
    INNER_MONGOLIA,
    LONG_STAY_REFUNDS,
    SHANDONG,
    SICHUAN,
    YUNNAN,
    SeasonalStaySeed,
)

_FULL_BOARD_ZH = "住宿、一日三餐（可做低盐餐、糖尿病餐、软食）、每天早上量血压、每周文娱活动"
_FULL_BOARD_EN = (
    "Room, three meals a day (low-salt, diabetic or soft food on request), a blood-pressure "
    "check every morning, weekly activities"
)


def _stay(
    base_slug: str,
    organiser_code: str,
    place: tuple[str, str],
    summary: tuple[str, str],
    monthly_yuan: int,
    min_nights: int,
    max_nights: int | None,
    includes: tuple[str, str] = (_FULL_BOARD_ZH, _FULL_BOARD_EN),
    declaration_due_days: int = 14,
    all_year: bool = False,
) -> SeasonalStaySeed:
    return SeasonalStaySeed(
        base_slug=base_slug,
        organiser_code=organiser_code,
        place_zh=place[0],
        place_en=place[1],
        summary_zh=summary[0],
        summary_en=summary[1],
        includes_zh=includes[0],
        includes_en=includes[1],
        monthly_price_fen=monthly_yuan * 100,
        min_nights=min_nights,
        max_nights=max_nights,
        refund_policy=LONG_STAY_REFUNDS,
        declaration_due_days=declaration_due_days,
        all_year=all_year,
    )


_WINTER = (
    "自己选到达和离开的日子，在南方暖暖和和过冬。",
    "Choose your own arrival and departure days and spend the winter somewhere warm.",
)
_SUMMER = (
    "自己选到达和离开的日子，到凉快的地方过夏天。",
    "Choose your own arrival and departure days and spend the summer somewhere cool.",
)

SEASONAL_STAYS: dict[str, SeasonalStaySeed] = {
    stay.base_slug: stay
    for stay in (
        _stay("sanya-haitang", HAINAN, ("三亚海棠湾", "Sanya Haitang Bay"), _WINTER, 2800, 30, 180),
        _stay(
            "sanya-northern-home",
            INNER_MONGOLIA,
            ("三亚候鸟之家", "Sanya Winter Home"),
            (
                "内蒙古老乡一起在三亚过冬，饭菜是北方口味。",
                "Spend the winter in Sanya with fellow northerners, with northern home cooking.",
            ),
            2200,
            30,
            180,
        ),
        _stay(
            "haikou-west-coast",
            HAINAN,
            ("海口西海岸", "Haikou West Coast"),
            _WINTER,
            2600,
            28,
            None,
            declaration_due_days=10,
        ),
        _stay(
            "xishuangbanna-rainforest",
            YUNNAN,
            ("西双版纳雨林", "Xishuangbanna Rainforest"),
            _WINTER,
            2500,
            30,
            180,
            declaration_due_days=10,
        ),
        _stay(
            "bama-longevity-village",
            GUANGXI,
            ("巴马长寿村", "Bama Longevity Village"),
            (
                "在河边山村里住上两个月以上，按自己的节奏生活。",
                "Stay two months or more in a riverside village and live at your own pace.",
            ),
            600,
            60,
            180,
            includes=(
                "只含住宿（单间、被褥、热水），不含餐饮；可用公共厨房，村里饭馆按餐付费",
                (
                    "Room only (private room, bedding, hot water), no meals: use the shared "
                    "kitchen or pay per meal at village restaurants"
                ),
            ),
        ),
        _stay("panzhihua-sunshine", SICHUAN, ("攀枝花阳光", "Panzhihua Sunshine"), _WINTER, 2400, 30, 180),
        _stay(
            "hulunbuir-grassland",
            INNER_MONGOLIA,
            ("呼伦贝尔草原", "Hulunbuir Grassland"),
            _SUMMER,
            3000,
            28,
            None,
            declaration_due_days=7,
        ),
        _stay(
            "arxan-hot-spring",
            INNER_MONGOLIA,
            ("阿尔山温泉", "Arxan Hot Spring"),
            _SUMMER,
            2900,
            28,
            None,
            declaration_due_days=10,
        ),
        # ¥110 a day in Ordos comes to ¥3,300 for a 30-night month.
        _stay(
            "ordos-kangbashi",
            INNER_MONGOLIA,
            ("鄂尔多斯康巴什", "Ordos Kangbashi"),
            _SUMMER,
            3300,
            30,
            None,
            declaration_due_days=10,
        ),
        _stay("beidaihe-seaside", HEBEI, ("北戴河海滨", "Beidaihe Seaside"), _SUMMER, 3400, 30, None),
        _stay("beidaihe-pinewood", HEBEI, ("北戴河松林", "Beidaihe Pinewood"), _SUMMER, 3200, 30, None),
        _stay(
            "weihai-seaside", SHANDONG, ("威海海滨", "Weihai Seaside"), _SUMMER, 3100, 28, None, declaration_due_days=7
        ),
    )
}

# Haikou's centre has a rehabilitation hospital inside: it takes recovery stays of two weeks or
# more all year round, out of season on the few beds it keeps for the network.
ALL_YEAR_STAYS: tuple[SeasonalStaySeed, ...] = (
    _stay(
        "haikou-west-coast",
        HAINAN,
        ("海口西海岸", "Haikou West Coast"),
        (
            "院里有康复医院，一年四季都能来住，两周起。做完手术或出院以后，来这里慢慢养好身体。",
            (
                "A rehabilitation hospital on site and stays of two weeks or more all year round: "
                "a calm place to get back on your feet after an operation or a hospital stay."
            ),
        ),
        2900,
        14,
        90,
        includes=(
            _FULL_BOARD_ZH + "；每周两次康复师指导锻炼",
            _FULL_BOARD_EN + "; exercise with a physiotherapist twice a week",
        ),
        declaration_due_days=7,
        all_year=True,
    ),
)
