"""Bases and availability as the API shows them."""

import datetime as dt

import msgspec


class BaseOut(msgspec.Struct):
    id: int
    name: str
    name_zh: str
    name_en: str
    member_id: int
    province_code: str
    city_code: str
    city: str
    address: str
    summary: str
    season_start_month: int | None
    season_end_month: int | None
    medical_level: str
    nearest_hospital: str
    hospital_distance_km: float
    altitude_m: int
    accessibility: list[str]
    time_zone: str
    total_beds: int
    status: str


class NightAvailability(msgspec.Struct):
    date: dt.date
    beds_left: int


class Availability(msgspec.Struct):
    nights: list[NightAvailability]
    seats_left: int | None = None  # fixed-date tours also have a seat limit
