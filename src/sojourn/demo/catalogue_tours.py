"""The demo catalogue's fixed-date tours: package holidays and exchange trips.

Package prices are *assumed*. Fixed-date tours fall inside their base's season, where the
network has enough beds. Each base's stays are in ``catalogue_stays``.
"""

from __future__ import annotations

from sojourn.demo.catalogue import (
    BEIJING,
    EXCHANGE_REFUNDS,
    GUANGXI,
    HAINAN,
    HEBEI,
    INNER_MONGOLIA,
    NINGXIA,
    SHAANXI,
    SHANDONG,
    SHANGHAI,
    SHORT_BREAK_REFUNDS,
    SICHUAN,
    STANDARD_REFUNDS,
    TIANJIN,
    YUNNAN,
    FixedTourSeed,
    RefundPolicy,
)

_PACKAGE_ZH = "住宿、一日三餐、每天健康检查、当地接送和游览、随团护士；不含往返大交通"
_PACKAGE_EN = (
    "Room, three meals a day, a daily health check, local transfers and outings, a nurse "
    "with the group; travel to and from the destination not included"
)


def _vacation(
    slug: str,
    base_slug: str,
    organiser_code: str,
    title: tuple[str, str],
    summary: tuple[str, str],
    arrival: tuple[int, int],
    nights: int,
    seats: int,
    price_yuan: int,
    refund_policy: RefundPolicy = STANDARD_REFUNDS,
    declaration_due_days: int = 10,
) -> FixedTourSeed:
    return FixedTourSeed(
        slug=slug,
        base_slug=base_slug,
        mode="vacation",
        organiser_code=organiser_code,
        title_zh=title[0],
        title_en=title[1],
        summary_zh=summary[0],
        summary_en=summary[1],
        includes_zh=_PACKAGE_ZH,
        includes_en=_PACKAGE_EN,
        arrival_month=arrival[0],
        arrival_day=arrival[1],
        nights=nights,
        seats=seats,
        package_price_fen=price_yuan * 100,
        refund_policy=refund_policy,
        declaration_due_days=declaration_due_days,
    )


def _exchange(
    slug: str,
    base_slug: str,
    host_code: str,
    guest_code: str,
    title: tuple[str, str],
    summary: tuple[str, str],
    arrival: tuple[int, int],
    nights: int,
    quotas: tuple[tuple[str, int], tuple[str, int]],
    price_yuan: int,
) -> FixedTourSeed:
    return FixedTourSeed(
        slug=slug,
        base_slug=base_slug,
        mode="interactive",
        organiser_code=host_code,
        partner_code=guest_code,
        quotas=quotas,
        title_zh=title[0],
        title_en=title[1],
        summary_zh=summary[0],
        summary_en=summary[1],
        includes_zh=_PACKAGE_ZH + "；两地长者座谈和联欢",
        includes_en=_PACKAGE_EN + "; meetings and a party with the hosts' seniors",
        arrival_month=arrival[0],
        arrival_day=arrival[1],
        nights=nights,
        package_price_fen=price_yuan * 100,
        refund_policy=EXCHANGE_REFUNDS,
        declaration_due_days=14,
    )


VACATION_TOURS: tuple[FixedTourSeed, ...] = (
    _vacation(
        "sanya-winter-sun-week",
        "sanya-haitang",
        HAINAN,
        title=("海棠湾冬日暖阳七日游", "Seven winter days at Haitang Bay"),
        summary=(
            "七天六晚，海边散步、学做椰子饭，护士随团。",
            "A week of beach walks and coconut-rice cooking, with a nurse in the group.",
        ),
        arrival=(12, 6),
        nights=7,
        seats=30,
        price_yuan=3280,
    ),
    _vacation(
        "haikou-hot-spring-ten-days",
        "haikou-west-coast",
        HAINAN,
        title=("海口火山温泉十日康养", "Ten days of hot springs in Haikou"),
        summary=(
            "泡温泉、看火山口公园，每天有康复师带做舒缓运动。",
            "Hot springs, the volcano park, and gentle exercise with a physiotherapist daily.",
        ),
        arrival=(1, 12),
        nights=10,
        seats=24,
        price_yuan=3960,
        declaration_due_days=7,
    ),
    _vacation(
        "xishuangbanna-water-festival",
        "xishuangbanna-rainforest",
        YUNNAN,
        title=("西双版纳泼水节八日游", "Eight days in Xishuangbanna for the Water Festival"),
        summary=(
            "赶上傣族泼水节，看龙舟和傣家歌舞，行程不赶。",
            "Join the Dai Water-Splashing Festival, dragon boats and dances, at an easy pace.",
        ),
        arrival=(4, 9),
        nights=8,
        seats=30,
        price_yuan=4280,
    ),
    _vacation(
        "bama-slow-fortnight",
        "bama-longevity-village",
        GUANGXI,
        title=("巴马长寿村十四日慢游", "A slow fortnight in Bama"),
        summary=(
            "在长寿村住两周，吃当地饭菜，沿河散步。",
            "Two weeks in the longevity village, local food and riverside walks.",
        ),
        arrival=(11, 3),
        nights=14,
        seats=20,
        price_yuan=2380,
        refund_policy=SHORT_BREAK_REFUNDS,
        declaration_due_days=14,
    ),
    _vacation(
        "panzhihua-sunshine-ten-days",
        "panzhihua-sunshine",
        SICHUAN,
        title=("攀枝花冬日阳光十日", "Ten sunny winter days in Panzhihua"),
        summary=(
            "冬天来晒太阳，吃攀枝花的水果，逛三线建设博物馆。",
            "Winter sunshine, local fruit and a visit to the city's industrial history museum.",
        ),
        arrival=(1, 8),
        nights=10,
        seats=24,
        price_yuan=2980,
    ),
    _vacation(
        "hulunbuir-grassland-eight-days",
        "hulunbuir-grassland",
        INNER_MONGOLIA,
        title=("呼伦贝尔草原八日游", "Eight days on the Hulunbuir grassland"),
        summary=(
            "草原、湿地和牧民家做客，坐车少、休息多。",
            "Grassland, wetlands and a herding family's home, short drives and plenty of rest.",
        ),
        arrival=(8, 5),
        nights=8,
        seats=32,
        price_yuan=4680,
    ),
    _vacation(
        "arxan-autumn-five-days",
        "arxan-hot-spring",
        INNER_MONGOLIA,
        title=("阿尔山秋色温泉五日", "Five autumn days in Arxan"),
        summary=(
            "九月看满山秋色，每天泡温泉。",
            "September colours on the hills and a hot-spring bath every day.",
        ),
        arrival=(9, 8),
        nights=5,
        seats=20,
        price_yuan=2580,
        refund_policy=SHORT_BREAK_REFUNDS,
        declaration_due_days=7,
    ),
    _vacation(
        "ordos-culture-six-days",
        "ordos-kangbashi",
        INNER_MONGOLIA,
        title=("鄂尔多斯草原文化六日", "Six days of Ordos grassland culture"),
        summary=(
            "看蒙古族歌舞和博物馆，在湖边公园散步。",
            "Mongolian music and dance, museums, and walks in the lakeside park.",
        ),
        arrival=(9, 2),
        nights=6,
        seats=28,
        price_yuan=2680,
    ),
    _vacation(
        "beidaihe-seaside-week",
        "beidaihe-seaside",
        HEBEI,
        title=("北戴河海滨七日康养", "A seaside week in Beidaihe"),
        summary=(
            "海边避暑一周，早上看日出，院里有医院。",
            "A cool week by the sea, sunrise walks, and a hospital inside the base.",
        ),
        arrival=(7, 1),
        nights=7,
        seats=40,
        price_yuan=3680,
    ),
    _vacation(
        "weihai-seaside-ten-days",
        "weihai-seaside",
        SHANDONG,
        title=("威海海滨十日", "Ten days by the sea in Weihai"),
        summary=(
            "沿海步道散步，吃海鲜，参加太极和合唱。",
            "Shore walks, seafood, tai chi and choir.",
        ),
        arrival=(6, 16),
        nights=10,
        seats=30,
        price_yuan=3880,
    ),
)

EXCHANGE_TOURS: tuple[FixedTourSeed, ...] = (
    _exchange(
        "beijing-hulunbuir-exchange",
        "hulunbuir-grassland",
        INNER_MONGOLIA,
        BEIJING,
        title=("京蒙长者草原交流团", "Beijing and Inner Mongolia grassland exchange"),
        summary=(
            "北京长者到呼伦贝尔避暑，和当地长者一起活动。",
            "Beijing seniors spend ten cool days in Hulunbuir with local seniors.",
        ),
        arrival=(7, 8),
        nights=10,
        quotas=((BEIJING, 24), (INNER_MONGOLIA, 6)),
        price_yuan=4200,
    ),
    _exchange(
        "ningxia-arxan-exchange",
        "arxan-hot-spring",
        INNER_MONGOLIA,
        NINGXIA,
        title=("宁蒙长者温泉交流团", "Ningxia and Inner Mongolia hot-spring exchange"),
        summary=(
            "宁夏长者到阿尔山泡温泉、看森林，两地长者联欢。",
            "Ningxia seniors visit the Arxan hot springs and forests and meet local seniors.",
        ),
        arrival=(7, 14),
        nights=7,
        quotas=((NINGXIA, 16), (INNER_MONGOLIA, 4)),
        price_yuan=3100,
    ),
    _exchange(
        "inner-mongolia-beidaihe-exchange",
        "beidaihe-seaside",
        HEBEI,
        INNER_MONGOLIA,
        title=("蒙冀长者海滨交流团", "Inner Mongolia and Hebei seaside exchange"),
        summary=(
            "内蒙古长者到北戴河看海，河北长者陪同。",
            "Inner Mongolia seniors go to the sea at Beidaihe, with Hebei seniors as hosts.",
        ),
        arrival=(7, 20),
        nights=7,
        quotas=((INNER_MONGOLIA, 20), (HEBEI, 6)),
        price_yuan=3500,
    ),
    _exchange(
        "tianjin-ordos-exchange",
        "ordos-kangbashi",
        INNER_MONGOLIA,
        TIANJIN,
        title=("津蒙长者交流团", "Tianjin and Inner Mongolia exchange"),
        summary=(
            "天津长者到鄂尔多斯过一周，看草原文化。",
            "Tianjin seniors spend a week in Ordos and its grassland culture.",
        ),
        arrival=(8, 12),
        nights=7,
        quotas=((TIANJIN, 20), (INNER_MONGOLIA, 5)),
        price_yuan=2800,
    ),
    _exchange(
        "shanghai-hulunbuir-exchange",
        "hulunbuir-grassland",
        INNER_MONGOLIA,
        SHANGHAI,
        title=("沪蒙长者草原交流团", "Shanghai and Inner Mongolia grassland exchange"),
        summary=(
            "上海长者到草原避暑八天，和牧民一起过节。",
            "Shanghai seniors escape the heat for eight days and join a herders' festival.",
        ),
        arrival=(8, 22),
        nights=8,
        quotas=((SHANGHAI, 20), (INNER_MONGOLIA, 5)),
        price_yuan=4500,
    ),
    # The Inner Mongolia association's own Sanya base hosts the winter leg.
    _exchange(
        "shaanxi-sanya-winter-exchange",
        "sanya-northern-home",
        INNER_MONGOLIA,
        SHAANXI,
        title=("蒙陕长者三亚过冬交流团", "Inner Mongolia and Shaanxi winter exchange in Sanya"),
        summary=(
            "两地长者一起到三亚住两周，躲开北方最冷的时候。",
            "Seniors from both provinces spend two weeks in Sanya, away from the northern cold.",
        ),
        arrival=(12, 1),
        nights=14,
        quotas=((INNER_MONGOLIA, 16), (SHAANXI, 14)),
        price_yuan=3600,
    ),
)

FIXED_TOURS: tuple[FixedTourSeed, ...] = VACATION_TOURS + EXCHANGE_TOURS
