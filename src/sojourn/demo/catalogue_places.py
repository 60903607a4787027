"""Where the demo bases are and how to get there, their check-in times and climate, keyed by
base slug (``catalogue_bases``). Applied by ``seed_places``.

- Coordinates: GCJ-02, rounded to ~100 m, in the district of the (invented) address; the bases
  are not real companies, so the point is the neighbourhood, not a door.
- Airports and high-speed railway stations are the real ones nearest each district; distances
  are by road, rounded, *assumed* (measured on a map, not driven).
- Telephone numbers are deliberately impossible (the local number starts with 0000), so nobody
  rings a stranger from the demo.
- Climate: monthly average daily high and low (°C) and precipitation (mm) of the nearest
  national weather station, approximating the China Meteorological Administration's 1991–2020
  climate normals (中国气象局 1991–2020 年气候标准值) as reproduced in the climate tables of the
  cities' encyclopedia articles. Transcribed by hand and rounded: *check them against the
  source before quoting them anywhere but the demo*. Rainy months: precipitation of 100 mm or
  more (the usual rule of thumb), except where the dry-season pattern says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

CLIMATE_SOURCE = (
    "中国气象局 1991–2020 年气候标准值（近似值，演示用） / CMA 1991–2020 climate normals (approximate, demo)"
)

# city key: ((high °C × 12), (low °C × 12), (precipitation mm × 12)); station in the comment.
CLIMATE: dict[str, tuple[tuple[float, ...], tuple[float, ...], tuple[int, ...]]] = {
    "sanya": (  # 三亚 (59948)
        (26.6, 27.6, 29.3, 31.0, 32.2, 32.1, 31.9, 31.5, 31.0, 30.0, 28.6, 26.7),
        (18.7, 19.4, 21.0, 23.0, 24.8, 25.6, 25.4, 25.0, 24.4, 23.3, 21.5, 19.2),
        (8, 9, 14, 36, 133, 195, 206, 263, 283, 202, 41, 11),
    ),
    "haikou": (  # 海口 (59758)
        (21.5, 22.6, 25.5, 29.2, 31.7, 32.6, 32.8, 32.2, 31.1, 29.0, 26.4, 22.9),
        (15.8, 16.8, 19.0, 22.1, 24.3, 25.3, 25.3, 25.0, 24.1, 22.5, 19.8, 16.8),
        (19, 28, 42, 93, 184, 232, 207, 272, 287, 215, 76, 29),
    ),
    "jinghong": (  # 景洪 (56959)
        (25.1, 28.2, 31.4, 33.3, 33.0, 31.9, 31.1, 31.2, 31.4, 29.8, 27.1, 24.6),
        (11.0, 11.9, 14.6, 18.1, 21.3, 22.6, 22.5, 22.2, 21.3, 19.3, 15.6, 12.0),
        (17, 14, 30, 60, 140, 180, 240, 220, 140, 90, 40, 20),
    ),
    "bama": (  # 巴马 (59021, 河池方向)
        (16.5, 18.9, 22.4, 27.2, 30.3, 31.8, 32.4, 32.5, 30.8, 27.3, 22.8, 18.4),
        (9.6, 11.6, 14.9, 19.2, 22.0, 23.8, 24.2, 23.8, 22.2, 18.9, 14.4, 10.7),
        (35, 35, 60, 100, 210, 270, 290, 230, 110, 70, 40, 25),
    ),
    "panzhihua": (  # 攀枝花 (56666)
        (21.9, 25.5, 29.2, 31.6, 31.8, 30.4, 29.9, 29.9, 28.1, 26.0, 23.6, 21.0),
        (7.3, 9.5, 13.6, 17.3, 19.9, 20.8, 21.3, 20.8, 19.4, 16.6, 11.7, 7.7),
        (4, 3, 5, 12, 60, 170, 210, 190, 150, 60, 10, 3),
    ),
    "hailar": (  # 海拉尔 (50527)
        (-19.6, -14.3, -3.5, 8.6, 17.6, 23.6, 26.0, 23.9, 16.8, 6.4, -7.0, -17.3),
        (-30.1, -27.2, -17.5, -5.3, 2.6, 9.6, 13.0, 10.8, 3.3, -5.3, -17.6, -27.0),
        (4, 4, 6, 14, 28, 58, 95, 77, 36, 15, 7, 6),
    ),
    "arxan": (  # 阿尔山 (50727)
        (-17.0, -11.5, -2.0, 8.0, 16.5, 21.8, 23.7, 22.2, 16.0, 6.9, -5.4, -14.8),
        (-31.5, -28.5, -19.5, -7.2, 0.0, 7.0, 11.7, 9.8, 1.8, -7.0, -19.6, -28.5),
        (6, 6, 11, 23, 45, 90, 130, 105, 50, 22, 11, 9),
    ),
    "ordos": (  # 东胜 (53543)
        (-3.2, 0.9, 7.4, 15.2, 21.5, 25.7, 27.1, 25.0, 19.9, 13.1, 4.8, -1.8),
        (-13.5, -10.1, -4.3, 2.0, 8.0, 12.8, 15.6, 14.1, 8.6, 1.9, -5.6, -11.7),
        (2, 4, 10, 15, 33, 50, 90, 95, 50, 20, 7, 2),
    ),
    "qinhuangdao": (  # 秦皇岛 (54449)
        (1.1, 3.5, 9.3, 16.5, 22.7, 26.3, 28.6, 28.6, 25.4, 18.9, 10.1, 3.1),
        (-8.5, -6.5, -0.9, 6.0, 12.7, 17.9, 21.7, 21.1, 15.5, 8.1, 0.2, -6.1),
        (4, 6, 10, 25, 47, 85, 175, 160, 55, 30, 14, 4),
    ),
    "weihai": (  # 威海 (54774)
        (3.3, 4.8, 9.6, 15.6, 21.3, 25.0, 27.6, 28.3, 25.1, 19.4, 12.3, 5.7),
        (-2.2, -1.4, 2.3, 7.6, 13.1, 17.7, 21.8, 22.1, 17.9, 11.9, 5.3, 0.0),
        (13, 19, 19, 40, 55, 85, 165, 150, 70, 35, 30, 17),
    ),
}


@dataclass(frozen=True)
class PlaceSeed:
    slug: str
    latitude: float  # GCJ-02
    longitude: float
    phone: str
    airport_zh: str
    airport_en: str
    airport_km: float
    station_zh: str
    station_en: str
    station_km: float
    getting_there_zh: str
    getting_there_en: str
    pickup_offered: bool
    pickup_price_fen: int | None
    pickup_how_zh: str
    pickup_how_en: str
    climate: str  # key of CLIMATE
    scene: str  # what the demo's drawn photos show: "beach", "forest", "grassland", "hills"
    check_in: str = "14:00"
    check_out: str = "12:00"
    bring_zh: str = ""
    bring_en: str = ""


_PICKUP_ZH = "入住前三天打基地电话预约，告诉我们航班或车次。"
_PICKUP_EN = "Call the base three days before you arrive and give your flight or train number."

PLACES: tuple[PlaceSeed, ...] = (
    PlaceSeed(
        "sanya-haitang", 18.318, 109.735, "0898-0000 0101",
        "三亚凤凰国际机场", "Sanya Phoenix International Airport", 42,
        "亚龙湾站", "Yalong Bay Station", 20,
        "从凤凰机场走绕城高速到海棠湾，约50分钟。坐环岛高铁到亚龙湾站，再坐出租车约25分钟。",
        "From Phoenix Airport take the ring expressway to Haitang Bay, about 50 minutes. By the island's "
        "high-speed train, get off at Yalong Bay and take a taxi, about 25 minutes.",
        True, None, _PICKUP_ZH, _PICKUP_EN, "sanya", "beach",
        bring_zh="泳衣和防晒霜\n遮阳帽", bring_en="Swimwear and sun cream\nA sun hat",
    ),
    PlaceSeed(
        "sanya-northern-home", 18.262, 109.531, "0898-0000 0102",
        "三亚凤凰国际机场", "Sanya Phoenix International Airport", 16,
        "三亚站", "Sanya Station", 9,
        "机场和三亚站都在半小时车程内，出租车或网约车都方便。",
        "The airport and Sanya Station are both within half an hour by taxi.",
        True, 5000, _PICKUP_ZH, _PICKUP_EN, "sanya", "beach",
        bring_zh="北方带来的厚衣服可以少带，一件薄外套就够", bring_en="Leave the winter coat at home: a light jacket is enough",
    ),
    PlaceSeed(
        "haikou-west-coast", 20.032, 110.214, "0898-0000 0103",
        "海口美兰国际机场", "Haikou Meilan International Airport", 38,
        "海口站", "Haikou Station", 7,
        "从美兰机场沿绕城高速到西海岸，约40分钟；海口站离基地很近，出租车约15分钟。",
        "From Meilan Airport along the ring expressway to the west coast, about 40 minutes; Haikou Station "
        "is close, about 15 minutes by taxi.",
        False, None, "", "", "haikou", "beach",
    ),
    PlaceSeed(
        "xishuangbanna-rainforest", 21.974, 100.761, "0691-0000 0104",
        "西双版纳嘎洒国际机场", "Xishuangbanna Gasa International Airport", 6,
        "西双版纳站（中老铁路）", "Xishuangbanna Station (China–Laos Railway)", 14,
        "机场就在嘎洒镇，出租车约10分钟。坐中老铁路到西双版纳站，出租车约20分钟。",
        "The airport is in Gasa, about 10 minutes by taxi. By the China–Laos railway, get off at "
        "Xishuangbanna Station and take a taxi, about 20 minutes.",
        True, None, _PICKUP_ZH, _PICKUP_EN, "jinghong", "forest",
        bring_zh="防蚊液\n雨季来的话带一把伞", bring_en="Insect repellent\nAn umbrella in the rainy season",
    ),
    PlaceSeed(
        "bama-longevity-village", 24.150, 107.256, "0778-0000 0105",
        "百色巴马机场", "Baise Bama Airport", 75,
        "河池西站", "Hechi West Station", 150,
        "巴马没有高铁站。坐飞机到巴马机场后约1小时半车程；也可坐高铁到河池西站，再坐约2小时半汽车。",
        "Bama has no high-speed railway station. From Bama Airport it is about an hour and a half by road; "
        "or take the train to Hechi West and then about two and a half hours by car.",
        True, 12000, _PICKUP_ZH, _PICKUP_EN, "bama", "hills",
    ),
    PlaceSeed(
        "panzhihua-sunshine", 26.498, 101.741, "0812-0000 0106",
        "攀枝花保安营机场", "Panzhihua Bao'anying Airport", 25,
        "攀枝花南站", "Panzhihua South Station", 18,
        "机场在山顶，下山约40分钟。坐成昆铁路到攀枝花南站，出租车约30分钟。",
        "The airport sits on a hilltop, about 40 minutes down by car. By the Chengdu–Kunming line, get off "
        "at Panzhihua South and take a taxi, about 30 minutes.",
        True, None, _PICKUP_ZH, _PICKUP_EN, "panzhihua", "hills",
        bring_zh="防晒用品（海拔1000多米，日照强）", bring_en="Sun protection: the sun is strong at over 1,000 metres",
    ),
    PlaceSeed(
        "hulunbuir-grassland", 49.212, 119.765, "0470-0000 0107",
        "海拉尔东山国际机场", "Hailar Dongshan International Airport", 8,
        "海拉尔站", "Hailar Station", 5,
        "机场和火车站离基地都只有十几分钟车程。",
        "The airport and the railway station are both a little over ten minutes away by car.",
        True, None, _PICKUP_ZH, _PICKUP_EN, "hailar", "grassland",
        bring_zh="早晚凉，带一件厚外套\n防蚊液", bring_en="Mornings and evenings are cool: bring a warm jacket\nInsect repellent",
    ),
    PlaceSeed(
        "arxan-hot-spring", 47.177, 119.944, "0482-0000 0108",
        "阿尔山伊尔施机场", "Arxan Yi'ershi Airport", 40,
        "阿尔山站", "Arxan Station", 2,
        "阿尔山站就在温泉街旁，走路可到。机场到市区约40分钟。",
        "Arxan Station is next to the hot-spring street, within walking distance. The airport is about "
        "40 minutes from town.",
        True, 6000, _PICKUP_ZH, _PICKUP_EN, "arxan", "forest",
        bring_zh="厚外套和长裤（夏天夜里也冷）", bring_en="A warm coat and long trousers (even summer nights are cold)",
    ),
    PlaceSeed(
        "ordos-kangbashi", 39.608, 109.780, "0477-0000 0109",
        "鄂尔多斯伊金霍洛国际机场", "Ordos Ejin Horo International Airport", 20,
        "鄂尔多斯站", "Ordos Station", 30,
        "从机场到康巴什约25分钟。高铁到鄂尔多斯站后，出租车约35分钟。",
        "From the airport to Kangbashi is about 25 minutes. From Ordos Station, about 35 minutes by taxi.",
        False, None, "", "", "ordos", "grassland",
    ),
    PlaceSeed(
        "beidaihe-seaside", 39.829, 119.486, "0335-0000 0110",
        "秦皇岛北戴河国际机场", "Qinhuangdao Beidaihe International Airport", 45,
        "北戴河站", "Beidaihe Station", 12,
        "从北京坐高铁到北戴河站约两小时，再坐出租车约20分钟。",
        "From Beijing, about two hours by high-speed train to Beidaihe Station, then about 20 minutes by taxi.",
        True, None, _PICKUP_ZH, _PICKUP_EN, "qinhuangdao", "beach",
    ),
    PlaceSeed(
        "beidaihe-pinewood", 39.652, 119.302, "0335-0000 0111",
        "秦皇岛北戴河国际机场", "Qinhuangdao Beidaihe International Airport", 25,
        "北戴河站", "Beidaihe Station", 30,
        "北戴河新区在北戴河西南，离北戴河站约半小时车程。",
        "The Beidaihe New Area lies south-west of Beidaihe, about half an hour from Beidaihe Station.",
        True, 8000, _PICKUP_ZH, _PICKUP_EN, "qinhuangdao", "forest",
    ),
    PlaceSeed(
        "weihai-seaside", 37.515, 122.108, "0631-0000 0112",
        "威海大水泊国际机场", "Weihai Dashuibo International Airport", 35,
        "威海站", "Weihai Station", 6,
        "从威海站坐出租车约15分钟；机场到基地约40分钟。",
        "From Weihai Station about 15 minutes by taxi; from the airport about 40 minutes.",
        False, None, "", "", "weihai", "beach",
    ),
)  # fmt: skip

BY_SLUG = {place.slug: place for place in PLACES}
