"""``/api/v1/bases/{id}/place`` (public) and the operators' side: location and travel,
climate by month, and photos of the bases they operate. Parse, call one service, answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, delete, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody

from sojourn.accounts.guards import operators
from sojourn.accounts.principal import Principal
from sojourn.bases import climate, photo_store, travel
from sojourn.bases.photos import UPLOAD_LIMIT
from sojourn.bases.place_schemas import ClimateIn, PhotoOut, PhotoPatch, PlaceIn, PlaceOut
from sojourn.clock import Clock
from sojourn.di import NamedDependency

Caller = Request[Principal, Any, Any]
TAGS = ["Operators"]


@dataclass
class PhotoUpload:
    """``multipart/form-data``: the photo (JPEG, PNG or HEIC, at most 15 MB) and what it shows."""

    photo: UploadFile
    alt_zh: str = ""
    alt_en: str = ""


@get("/api/v1/bases/{base_id:int}/place", tags=["Catalogue"], summary="Location, travel, climate and photos")
async def get_place(base_id: FromPath[int]) -> PlaceOut:
    return travel.place_out(await travel.place_of(base_id))


@patch(
    "/api/v1/operator/bases/{base_id:int}/place",
    tags=TAGS,
    summary="Change location, travel, check-in times and what to bring (fields left out stay)",
    guards=[operators],
)
async def change_place(
    request: Caller, base_id: FromPath[int], data: JSONBody[PlaceIn], clock: NamedDependency[Clock]
) -> PlaceOut:
    return travel.place_out(await travel.update_place(request.user, base_id, data, now=clock.now()))


@put(
    "/api/v1/operator/bases/{base_id:int}/climate",
    tags=TAGS,
    summary="Replace the climate by month (average high and low, rainfall, rainy months)",
    guards=[operators],
)
async def replace_climate(
    request: Caller, base_id: FromPath[int], data: JSONBody[ClimateIn], clock: NamedDependency[Clock]
) -> PlaceOut:
    await climate.replace_climate(request.user, base_id, data, now=clock.now())
    return travel.place_out(await travel.place_of(base_id, include_pending=True))


@post(
    "/api/v1/operator/bases/{base_id:int}/photos",
    tags=TAGS,
    summary="Add a photo (JPEG, PNG or HEIC; at most 15 MB and 40 megapixels; both descriptions required)",
    guards=[operators],
    request_max_body_size=UPLOAD_LIMIT,
)
async def add_photo(
    request: Caller,
    base_id: FromPath[int],
    data: Annotated[PhotoUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    clock: NamedDependency[Clock],
) -> PhotoOut:
    content = await data.photo.read()
    return await photo_store.add_photo(
        request.user, base_id, content, alt_zh=data.alt_zh, alt_en=data.alt_en, now=clock.now()
    )


@patch(
    "/api/v1/operator/photos/{photo_id:int}",
    tags=TAGS,
    summary="Change a photo's descriptions or its place in the gallery (1 = first)",
    guards=[operators],
)
async def change_photo(request: Caller, photo_id: FromPath[int], data: JSONBody[PhotoPatch]) -> PhotoOut:
    return await photo_store.change_photo(
        request.user, photo_id, alt_zh=data.alt_zh, alt_en=data.alt_en, position=data.position
    )


@delete("/api/v1/operator/photos/{photo_id:int}", tags=TAGS, summary="Delete a photo", guards=[operators])
async def delete_photo(request: Caller, photo_id: FromPath[int]) -> None:
    await photo_store.delete_photo(request.user, photo_id)


ROUTES = [get_place, change_place, replace_climate, add_photo, change_photo, delete_photo]
