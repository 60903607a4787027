"""Coordinates in China, links that open map apps, and distances.

Three datums are in use, and a point must be given to each app in the one it expects:

- WGS-84: GPS receivers and international maps;
- GCJ-02 (国测局坐标, "Mars coordinates"): the datum Chinese law requires for published maps;
  高德地图, 腾讯地图 and Apple Maps in mainland China (whose data comes from 高德) use it;
- BD-09: 百度地图's own further offset of GCJ-02.

Sojourn stores GCJ-02 (what an operator gets when picking the base on 高德 or Apple Maps), turns
WGS-84 and BD-09 input into it, and turns it into BD-09 for 百度地图. The formulas are the
published, widely used ones (e.g. the coordtransform libraries); the tests check them against
their reference values. WGS-84 → GCJ-02 leaves points outside China unchanged, as GCJ-02 does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as GCJ-02 uses
_EE = 0.00669342162296594323  # its eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0
EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)

DATUMS = ("gcj02", "wgs84", "bd09")


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


def outside_china(longitude: float, latitude: float) -> bool:
    return not (72.004 <= longitude <= 137.8347 and 0.8293 <= latitude <= 55.8271)


def _delta_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _delta_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(longitude: float, latitude: float) -> tuple[float, float]:
    if outside_china(longitude, latitude):
        return longitude, latitude
    d_lat = _delta_lat(longitude - 105.0, latitude - 35.0)
    d_lng = _delta_lng(longitude - 105.0, latitude - 35.0)
    rad_lat = latitude / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lng = (d_lng * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return longitude + d_lng, latitude + d_lat


def gcj02_to_bd09(longitude: float, latitude: float) -> tuple[float, float]:
    z = math.sqrt(longitude * longitude + latitude * latitude) + 0.00002 * math.sin(latitude * _X_PI)
    theta = math.atan2(latitude, longitude) + 0.000003 * math.cos(longitude * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(longitude: float, latitude: float) -> tuple[float, float]:
    x, y = longitude - 0.0065, latitude - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def to_gcj02(latitude: float, longitude: float, datum: str) -> Point:
    """A point given in ``datum`` (gcj02, wgs84 or bd09) as GCJ-02, rounded to ~1 m."""
    if datum == "wgs84":
        longitude, latitude = wgs84_to_gcj02(longitude, latitude)
    elif datum == "bd09":
        longitude, latitude = bd09_to_gcj02(longitude, latitude)
    elif datum != "gcj02":
        raise ValueError(f"unknown datum {datum!r}")
    return Point(round(latitude, 6), round(longitude, 6))


def distance_km(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance on a sphere of the Earth's mean radius."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    d_lat = lat2 - lat1
    d_lng = math.radians(b.longitude - a.longitude)
    h = math.sin(d_lat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(d_lng / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class MapLinks:
    amap: str
    baidu: str
    apple: str


def map_links(point: Point, name: str, app_name: str = "sojourn") -> MapLinks:
    """Links that show the base in each app: on a phone with the app they open it (the apps'
    official web URIs hand over to the app), elsewhere the map's web page.

    - 高德: ``uri.amap.com/marker`` takes ``position=lng,lat`` in GCJ-02; ``callnative=1`` asks
      for the app.
    - 百度: ``api.map.baidu.com/marker`` takes ``location=lat,lng``; we send BD-09 and say so
      with ``coord_type=bd09ll``.
    - Apple Maps: ``maps.apple.com/?ll=lat,lng``; in mainland China its maps are GCJ-02.
    """
    bd_lng, bd_lat = gcj02_to_bd09(point.longitude, point.latitude)
    amap = "https://uri.amap.com/marker?" + urlencode(
        {
            "position": f"{point.longitude:.6f},{point.latitude:.6f}",
            "name": name,
            "src": app_name,
            "coordinate": "gaode",
            "callnative": "1",
        }
    )
    baidu = "https://api.map.baidu.com/marker?" + urlencode(
        {
            "location": f"{bd_lat:.6f},{bd_lng:.6f}",
            "title": name,
            "content": name,
            "coord_type": "bd09ll",
            "output": "html",
            "src": f"webapp.{app_name}",
        }
    )
    apple = "https://maps.apple.com/?" + urlencode({"ll": f"{point.latitude:.6f},{point.longitude:.6f}", "q": name})
    return MapLinks(amap=amap, baidu=baidu, apple=apple)


# Seat of each provincial-level government, GCJ-02 (rounded to 0.01°, ~1 km): where "from home"
# is measured from when all we know is the home province. Keyed by GB/T 2260 province code.
PROVINCE_SEATS: dict[str, Point] = {
    "110000": Point(39.90, 116.41),  # 北京
    "120000": Point(39.13, 117.20),  # 天津
    "130000": Point(38.04, 114.51),  # 石家庄
    "140000": Point(37.87, 112.55),  # 太原
    "150000": Point(40.84, 111.75),  # 呼和浩特
    "210000": Point(41.81, 123.43),  # 沈阳
    "220000": Point(43.82, 125.32),  # 长春
    "230000": Point(45.80, 126.53),  # 哈尔滨
    "310000": Point(31.23, 121.47),  # 上海
    "320000": Point(32.06, 118.80),  # 南京
    "330000": Point(30.27, 120.16),  # 杭州
    "340000": Point(31.82, 117.23),  # 合肥
    "350000": Point(26.07, 119.30),  # 福州
    "360000": Point(28.68, 115.86),  # 南昌
    "370000": Point(36.65, 117.12),  # 济南
    "410000": Point(34.75, 113.63),  # 郑州
    "420000": Point(30.59, 114.31),  # 武汉
    "430000": Point(28.23, 112.94),  # 长沙
    "440000": Point(23.13, 113.26),  # 广州
    "450000": Point(22.82, 108.37),  # 南宁
    "460000": Point(20.04, 110.35),  # 海口
    "500000": Point(29.56, 106.55),  # 重庆
    "510000": Point(30.57, 104.07),  # 成都
    "520000": Point(26.65, 106.63),  # 贵阳
    "530000": Point(25.04, 102.71),  # 昆明
    "540000": Point(29.65, 91.13),  # 拉萨
    "610000": Point(34.34, 108.94),  # 西安
    "620000": Point(36.06, 103.83),  # 兰州
    "630000": Point(36.62, 101.78),  # 西宁
    "640000": Point(38.49, 106.23),  # 银川
    "650000": Point(43.83, 87.62),  # 乌鲁木齐
}


def province_seat(code: str | None) -> Point | None:
    """Where a home province is measured from (a city code falls back to its province)."""
    if not code:
        return None
    return PROVINCE_SEATS.get(code) or PROVINCE_SEATS.get(code[:2] + "0000")
