"""The demo catalogue's alliance: members, agreements, refund policies, and the record shapes.

Facts come from /work/shared/domain.md: the ten members of Inner Mongolia's 2023 agreements,
the province codes (GB/T 2260), the seasons and the prices. Everything else is *assumed*
demo data: the organisations' names are illustrative (no claim that such a body signed
anything), and so are the joining and signing dates. Bases live in ``catalogue_bases``,
tours in ``catalogue_tours``. Money is integer fen (1 yuan = 100 fen).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

ModeName = Literal["migratory", "vacation", "interactive"]
RefundPolicy = tuple[dict[str, int], ...]

# Province codes (GB/T 2260) of the members that own bases or organise tours.
INNER_MONGOLIA, HAINAN, YUNNAN, GUANGXI, SICHUAN = "150000", "460000", "530000", "450000", "510000"
HEBEI, SHANDONG = "130000", "370000"
BEIJING, TIANJIN, SHANGHAI, SHAANXI, NINGXIA = "110000", "120000", "310000", "610000", "640000"

# Refund tiers (see sojourn.tours.pricing.refund_percent): the tier with the largest
# ``days_before`` not above the days left before arrival applies.
STANDARD_REFUNDS: RefundPolicy = (
    {"days_before": 30, "refund_percent": 100},
    {"days_before": 7, "refund_percent": 50},
)
# Long stays tie up a bed for months: a later cancellation still gets most money back,
# because the base can resell the rest of the season.
LONG_STAY_REFUNDS: RefundPolicy = (
    {"days_before": 30, "refund_percent": 100},
    {"days_before": 14, "refund_percent": 80},
    {"days_before": 3, "refund_percent": 50},
)
# Exchange groups are planned by two members together and book transport as a block.
EXCHANGE_REFUNDS: RefundPolicy = (
    {"days_before": 45, "refund_percent": 100},
    {"days_before": 21, "refund_percent": 70},
    {"days_before": 7, "refund_percent": 30},
)
SHORT_BREAK_REFUNDS: RefundPolicy = (
    {"days_before": 14, "refund_percent": 100},
    {"days_before": 3, "refund_percent": 50},
)


@dataclass(frozen=True)
class MemberSeed:
    code: str  # GB/T 2260 province code, the member's natural key
    name_zh: str
    name_en: str
    organisation_zh: str
    organisation_en: str
    joined_on: dt.date


@dataclass(frozen=True)
class AgreementSeed:
    member_codes: tuple[str, str]  # stored lowest member id first, whatever the order here
    modes: tuple[ModeName, ...]
    signed_on: dt.date
    note: str = ""


@dataclass(frozen=True)
class BaseSeed:
    slug: str  # short stable name for CatalogueIds; the database key is ``name_zh``
    owner_code: str
    name_zh: str
    name_en: str
    province_code: str
    city_code: str
    city_zh: str
    city_en: str
    address_zh: str
    address_en: str
    summary_zh: str
    summary_en: str
    season_start_month: int
    season_end_month: int
    medical_level: str
    nearest_hospital_zh: str
    nearest_hospital_en: str
    hospital_distance_km: float
    altitude_m: int
    accessibility: tuple[str, ...]
    total_beds: int
    contact_phone: str  # the front desk, shown to travellers and the hotline
    network_share_percent: int  # of total_beds offered to the network in season
    off_season_percent: int  # of total_beds still offered out of season
    status: str = "admitted"

    @property
    def season_months(self) -> frozenset[int]:
        """Months of the season; a season like Oct–Apr wraps over the new year."""
        start, end = self.season_start_month, self.season_end_month
        if start <= end:
            return frozenset(range(start, end + 1))
        return frozenset([*range(start, 13), *range(1, end + 1)])

    @property
    def winter_season(self) -> bool:
        return self.season_start_month > self.season_end_month


@dataclass(frozen=True)
class SeasonalStaySeed:
    """A base's migratory offer, repeated for each season window inside the demo year
    (``all_year``: for each calendar year, season or not)."""

    base_slug: str
    organiser_code: str
    place_zh: str  # title stem, e.g. "三亚海棠湾": the season and year are added per window
    place_en: str
    summary_zh: str
    summary_en: str
    includes_zh: str
    includes_en: str
    monthly_price_fen: int
    min_nights: int
    max_nights: int | None
    refund_policy: RefundPolicy
    declaration_due_days: int
    all_year: bool = False


@dataclass(frozen=True)
class FixedTourSeed:
    """A fixed-date tour held every year on the same calendar day; seeded on its next date."""

    slug: str
    base_slug: str
    mode: ModeName
    organiser_code: str
    title_zh: str
    title_en: str
    summary_zh: str
    summary_en: str
    includes_zh: str
    includes_en: str
    arrival_month: int
    arrival_day: int
    nights: int
    package_price_fen: int
    refund_policy: RefundPolicy
    declaration_due_days: int
    seats: int | None = None  # vacation tours; an exchange's seats are its quotas' sum
    partner_code: str | None = None  # exchanges only
    quotas: tuple[tuple[str, int], ...] = ()  # exchanges: (member code, seats) for both sides

    @property
    def total_seats(self) -> int:
        if self.quotas:
            return sum(seats for _, seats in self.quotas)
        if self.seats is None:
            raise ValueError(f"{self.slug}: a vacation tour needs seats")
        return self.seats


def _civil_affairs_centre(code: str, name_zh: str, name_en: str, joined_on: dt.date) -> MemberSeed:
    """Most members are the province's civil-affairs elder-care service centre."""
    is_municipality = code in {"110000", "120000", "310000"}
    is_region = code in {"450000", "640000"}
    if is_municipality:
        body_zh, body_en = f"{name_zh}市民政局", f"{name_en} Municipal Civil Affairs Bureau"
    elif is_region:
        region_zh = {"450000": "广西壮族自治区", "640000": "宁夏回族自治区"}[code]
        region_en = {"450000": "Guangxi Zhuang", "640000": "Ningxia Hui"}[code]
        body_zh = f"{region_zh}民政厅"
        body_en = f"{region_en} Autonomous Region Department of Civil Affairs"
    else:
        body_zh, body_en = f"{name_zh}省民政厅", f"{name_en} Provincial Department of Civil Affairs"
    return MemberSeed(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        organisation_zh=f"{body_zh}养老服务中心",
        organisation_en=f"Elder Care Service Centre, {body_en}",
        joined_on=joined_on,
    )


MEMBERS: tuple[MemberSeed, ...] = (
    MemberSeed(
        code=INNER_MONGOLIA,
        name_zh="内蒙古",
        name_en="Inner Mongolia",
        organisation_zh="内蒙古智慧养老促进会",
        organisation_en="Inner Mongolia Smart Elderly Care Promotion Association",
        joined_on=dt.date(2023, 3, 15),
    ),
    # The nine partners of Inner Mongolia's 2023 agreements join when they sign.
    _civil_affairs_centre("110000", "北京", "Beijing", dt.date(2023, 4, 18)),
    _civil_affairs_centre("120000", "天津", "Tianjin", dt.date(2023, 4, 18)),
    _civil_affairs_centre("310000", "上海", "Shanghai", dt.date(2023, 5, 23)),
    _civil_affairs_centre("130000", "河北", "Hebei", dt.date(2023, 5, 23)),
    _civil_affairs_centre("140000", "山西", "Shanxi", dt.date(2023, 6, 8)),
    _civil_affairs_centre("440000", "广东", "Guangdong", dt.date(2023, 6, 8)),
    _civil_affairs_centre("610000", "陕西", "Shaanxi", dt.date(2023, 7, 12)),
    _civil_affairs_centre("620000", "甘肃", "Gansu", dt.date(2023, 7, 12)),
    _civil_affairs_centre("640000", "宁夏", "Ningxia", dt.date(2023, 8, 16)),
    # The wider alliance: the winter-south hosts and the north-east that sends them seniors.
    MemberSeed(
        code="460000",
        name_zh="海南",
        name_en="Hainan",
        organisation_zh="海南省候鸟旅居养老服务协会",
        organisation_en="Hainan Migratory Sojourn Elder Care Association",
        joined_on=dt.date(2023, 9, 20),
    ),
    _civil_affairs_centre("530000", "云南", "Yunnan", dt.date(2023, 10, 17)),
    _civil_affairs_centre("450000", "广西", "Guangxi", dt.date(2023, 10, 17)),
    _civil_affairs_centre("510000", "四川", "Sichuan", dt.date(2023, 11, 9)),
    _civil_affairs_centre("230000", "黑龙江", "Heilongjiang", dt.date(2023, 11, 28)),
    MemberSeed(
        code="220000",
        name_zh="吉林",
        name_en="Jilin",
        organisation_zh="吉林省旅居养老服务协会",
        organisation_en="Jilin Sojourn Elder Care Association",
        joined_on=dt.date(2023, 11, 28),
    ),
    _civil_affairs_centre("210000", "辽宁", "Liaoning", dt.date(2023, 12, 12)),
    _civil_affairs_centre("370000", "山东", "Shandong", dt.date(2023, 12, 12)),
)

ALL_MODES: tuple[ModeName, ...] = ("migratory", "vacation", "interactive")
_INNER_MONGOLIA_2023_PARTNERS = (
    "110000",
    "120000",
    "310000",
    "130000",
    "140000",
    "440000",
    "610000",
    "620000",
    "640000",
)

AGREEMENTS: tuple[AgreementSeed, ...] = (
    *(
        AgreementSeed(
            member_codes=(INNER_MONGOLIA, partner),
            modes=ALL_MODES,
            signed_on=next(m.joined_on for m in MEMBERS if m.code == partner),
            note="2023年旅居康养合作协议：候鸟式、度假式、互动式",
        )
        for partner in _INNER_MONGOLIA_2023_PARTNERS
    ),
    # Heilongjiang, Jilin, Liaoning and Beijing send about half of Hainan's senior migrants.
    *(
        AgreementSeed(
            member_codes=(HAINAN, sender),
            modes=("migratory", "vacation"),
            signed_on=signed_on,
            note="冬季候鸟旅居合作",
        )
        for sender, signed_on in (
            ("230000", dt.date(2024, 1, 16)),
            ("220000", dt.date(2024, 1, 16)),
            ("210000", dt.date(2024, 2, 27)),
            ("110000", dt.date(2024, 3, 19)),
        )
    ),
    AgreementSeed(
        member_codes=(YUNNAN, SICHUAN),
        modes=("vacation",),
        signed_on=dt.date(2024, 4, 10),
        note="滇川康养度假线路互推",
    ),
)
