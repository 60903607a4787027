"""Console pages: "About the place" of a base — its photos (add, describe, reorder, delete),
where it is and how to get there, check-in times and what to bring, and its climate by month.

The same services as the API (``bases.travel``, ``bases.climate``, ``bases.photo_store``), so
the scoping to the operator's own bases is theirs: another base's photo is simply not found.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, Parameter
from litestar.response import Redirect, Template

from sojourn.accounts.guards import operators
from sojourn.bases import climate, photo_store, travel
from sojourn.bases.photos import UPLOAD_LIMIT
from sojourn.bases.place_schemas import ClimateIn, ClimateMonth, PlaceIn
from sojourn.clock import Clock
from sojourn.di import NamedDependency
from sojourn.errors import DomainError
from sojourn.i18n import gettext as _
from sojourn.operator.pages import Caller, choose_base, done, errors_of, page, refused
from sojourn.web.forms import FormErrors, read_form

Text80 = Annotated[str, msgspec.Meta(max_length=80)]
Text120 = Annotated[str, msgspec.Meta(max_length=120)]
Text2000 = Annotated[str, msgspec.Meta(max_length=2000)]
Km = Annotated[float, msgspec.Meta(ge=0, le=5000)]
BaseId = Annotated[int | None, Parameter(ge=1, description="Which of your bases")]
Clock24 = Annotated[str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class PlaceForm(msgspec.Struct):
    """The place form: a blank field clears what was there."""

    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None
    datum: Literal["gcj02", "wgs84", "bd09"] = "gcj02"
    phone: Annotated[str, msgspec.Meta(max_length=20, pattern=r"^(|[0-9+\-() ]{5,20})$")] = ""
    airport_zh: Text80 = ""
    airport_en: Text120 = ""
    airport_km: Km | None = None
    station_zh: Text80 = ""
    station_en: Text120 = ""
    station_km: Km | None = None
    getting_there_zh: Text2000 = ""
    getting_there_en: Text2000 = ""
    pickup_offered: bool = False
    pickup_price_yuan: Annotated[float, msgspec.Meta(ge=0, le=100_000)] | None = None
    pickup_how_zh: Text2000 = ""
    pickup_how_en: Text2000 = ""
    check_in_time: Clock24 = "14:00"
    check_out_time: Clock24 = "12:00"
    bring_zh: Text2000 = ""
    bring_en: Text2000 = ""

    def change(self) -> PlaceIn:
        fields = msgspec.structs.asdict(self)
        price = fields.pop("pickup_price_yuan")
        fields["pickup_price_fen"] = round(price * 100) if price is not None and self.pickup_offered else None
        return PlaceIn(**fields)


async def _place_page(
    request: Caller,
    base_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    section: str = "",
    status_code: int = 200,
) -> Template:
    bases, base = await choose_base(request.user, base_id)
    place = await travel.place_of(base.id, include_pending=True)
    stored = await travel.place_form_values(base.id)
    return page(
        "place.html",
        status_code=status_code,
        section="place",
        bases=bases,
        base=base,
        place=place,
        stored=stored,
        values=values or {},
        errors=errors or {},
        failed=section,
        months=range(1, 13),
        climate_by_month={m.month: m for m in place.climate},
    )


@get("/operator/place", include_in_schema=False, guards=[operators])
async def place_for_base(request: Caller, base_id: BaseId = None) -> Redirect:
    """The base picker's target: on to that base's page."""
    _bases, base = await choose_base(request.user, base_id)
    return Redirect(f"/operator/bases/{base.id}/place" if base else "/operator", status_code=303)


@get("/operator/bases/{base_id:int}/place", include_in_schema=False, guards=[operators])
async def place_page(request: Caller, base_id: FromPath[int]) -> Template:
    return await _place_page(request, base_id)


@post("/operator/bases/{base_id:int}/place", include_in_schema=False, guards=[operators], status_code=303)
async def change_place(request: Caller, base_id: FromPath[int], clock: NamedDependency[Clock]) -> Template | Redirect:
    try:
        form = await read_form(request, PlaceForm)
        await travel.update_place(request.user, base_id, form.change(), now=clock.now())
    except FormErrors as invalid:
        return await _place_page(
            request, base_id, errors=invalid.errors, values=invalid.values, section="place", status_code=400
        )
    except DomainError as refusal:
        if refusal.status == 404:
            raise
        values = {key: str(value) for key, value in (await request.form()).items() if key != "_csrf_token"}
        return await _place_page(
            request, base_id, errors=errors_of(refusal), values=values, section="place", status_code=422
        )
    return done(
        request,
        _("The place is saved. Travellers see it on the base's page."),
        f"/operator/bases/{base_id}/place#place-form",
    )


def _climate_change(form: Any) -> tuple[ClimateIn, dict[str, str], dict[str, str]]:
    """The twelve rows of the climate form; a month left blank is left out."""
    values = {key: str(value).strip() for key, value in form.items() if key != "_csrf_token"}
    errors: dict[str, str] = {}
    months: list[ClimateMonth] = []
    for month in range(1, 13):
        high, low, rain = (
            values.get(f"high_{month}", ""),
            values.get(f"low_{month}", ""),
            values.get(f"rain_{month}", ""),
        )
        if not high and not low and not rain:
            continue
        try:
            months.append(
                msgspec.convert(
                    {
                        "month": month,
                        "high_c": high,
                        "low_c": low,
                        "rain_mm": rain or None,
                        "rainy": values.get(f"rainy_{month}") == "on",
                    },
                    ClimateMonth,
                    strict=False,
                )
            )
        except msgspec.ValidationError:
            errors[f"high_{month}"] = _(
                "Month %(n)s: give the average high and low in °C (from -60 to 60) and the rain in whole millimetres.",
                n=month,
            )
    source = values.get("source", "")[:200]
    return ClimateIn(months=months, source=source), errors, values


@post("/operator/bases/{base_id:int}/climate", include_in_schema=False, guards=[operators], status_code=303)
async def change_climate(request: Caller, base_id: FromPath[int], clock: NamedDependency[Clock]) -> Template | Redirect:
    change, errors, values = _climate_change(await request.form())
    if not errors:
        try:
            await climate.replace_climate(request.user, base_id, change, now=clock.now())
        except DomainError as refusal:
            if refusal.status == 404:
                raise
            errors = {
                f"high_{key.split('.')[-1]}" if key.startswith("months.") else key: str(value)
                for key, value in errors_of(refusal).items()
            }
    if errors:
        return await _place_page(request, base_id, errors=errors, values=values, section="climate", status_code=400)
    return done(request, _("The climate table is saved."), f"/operator/bases/{base_id}/place#climate-form")


@post(
    "/operator/bases/{base_id:int}/photos",
    include_in_schema=False,
    guards=[operators],
    status_code=303,
    request_max_body_size=UPLOAD_LIMIT,
)
async def add_photo(request: Caller, base_id: FromPath[int], clock: NamedDependency[Clock]) -> Template | Redirect:
    form = await request.form()
    upload = form.get("photo")
    data = await upload.read() if isinstance(upload, UploadFile) else b""
    alt_zh, alt_en = str(form.get("alt_zh") or ""), str(form.get("alt_en") or "")
    try:
        await photo_store.add_photo(request.user, base_id, data, alt_zh=alt_zh, alt_en=alt_en, now=clock.now())
    except DomainError as refusal:
        if refusal.status == 404:
            raise
        return await _place_page(
            request,
            base_id,
            errors=errors_of(refusal, "photo"),
            values={"alt_zh": alt_zh, "alt_en": alt_en},
            section="photos",
            status_code=422,
        )
    return done(request, _("The photo is added at the end of the gallery."), f"/operator/bases/{base_id}/place#photos")


class DescribeForm(msgspec.Struct):
    alt_zh: str = ""
    alt_en: str = ""


class MoveForm(msgspec.Struct):
    position: Annotated[int, msgspec.Meta(ge=1, le=100)]


async def _photo_target(request: Caller, photo_id: int) -> str:
    photo = await photo_store.get_photo(request.user, photo_id)
    return f"/operator/bases/{photo.base_id}/place#photo-{photo_id}"


@post("/operator/photos/{photo_id:int}/describe", include_in_schema=False, guards=[operators], status_code=303)
async def describe_photo(request: Caller, photo_id: FromPath[int]) -> Redirect:
    target = await _photo_target(request, photo_id)
    form = await read_form(request, DescribeForm)
    try:
        await photo_store.change_photo(request.user, photo_id, alt_zh=form.alt_zh, alt_en=form.alt_en)
    except DomainError as refusal:
        if refusal.status == 404:
            raise
        return refused(request, refusal, target)
    return done(request, _("The description is saved."), target)


@post("/operator/photos/{photo_id:int}/move", include_in_schema=False, guards=[operators], status_code=303)
async def move_photo(request: Caller, photo_id: FromPath[int]) -> Redirect:
    target = await _photo_target(request, photo_id)
    form = await read_form(request, MoveForm)
    await photo_store.change_photo(request.user, photo_id, position=form.position)
    return done(request, _("The photo is moved."), target)


@post("/operator/photos/{photo_id:int}/delete", include_in_schema=False, guards=[operators], status_code=303)
async def delete_photo(request: Caller, photo_id: FromPath[int]) -> Redirect:
    target = (await _photo_target(request, photo_id)).split("#")[0] + "#photos"
    await photo_store.delete_photo(request.user, photo_id)
    return done(request, _("The photo is deleted."), target)


ROUTES = [place_for_base, place_page, change_place, change_climate, add_photo, describe_photo, move_photo, delete_photo]
