"""Adding a family member in the middle of booking, then going back to the step with the
people already ticked (and the new one ticked too). The record is made by
``travellers.services.create_traveller``, like everywhere else."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from sojourn.alliance.regions import PROVINCES
from sojourn.bookings.pages import booker_page, stay_query, steps_for
from sojourn.clock import Clock
from sojourn.crypto import KeyRing
from sojourn.di import NamedDependency
from sojourn.errors import DomainError, NotAllowed
from sojourn.i18n import current_locale
from sojourn.i18n import gettext as _
from sojourn.i18n import lazy_gettext as _l
from sojourn.tours import services as tours
from sojourn.tours.schemas import TourOut
from sojourn.travellers import services as travellers
from sojourn.travellers.schemas import TravellerIn
from sojourn.web.forms import read_form
from sojourn.web.params import DateChoice, TravellerChoice
from sojourn.web.sign_in import after_sign_in

# Where a schema field's problem is shown on this form.
FIELD_OF = {
    "birth_date": "birth_year",
    "emergency_contact": "emergency_name",
    "emergency_contact.name": "emergency_name",
    "emergency_contact.phone": "emergency_phone",
    "emergency_contact.relation": "emergency_relation",
}


class FamilyForm(msgspec.Struct):
    name: str = ""
    birth_year: str = ""
    birth_month: str = ""
    birth_day: str = ""
    home_province_code: str = ""
    phone: str = ""
    emergency_name: str = ""
    emergency_phone: str = ""
    emergency_relation: str = ""
    traveller_ids: list[int] = []
    arrival: str | None = None
    departure: str | None = None


def _messages() -> dict[str, str]:
    return {
        "name": _("Enter the name as it is on the identity card."),
        "birth_year": _("Enter the year, month and day of birth, for example 1956, 3, 8."),
        "home_province_code": _("Choose the province where this person lives."),
        "phone": _("Enter an 11-digit mobile number, like 138 0013 8000, or leave it empty."),
        "emergency_name": _("Enter the name of someone we can call in an emergency."),
        "emergency_phone": _("Enter the emergency contact's phone number, with its area code if it is a landline."),
        "emergency_relation": _("Say how they are related, for example son or neighbour."),
    }


def _provinces() -> list[tuple[str, str]]:
    chinese = current_locale() == "zh_CN"
    return [("", _("Choose a province"))] + [
        (code, names[0] if chinese else names[1]) for code, names in PROVINCES.items()
    ]


def _page(tour: TourOut, form: FamilyForm, errors: dict[str, str], status: int = 200) -> Template:
    return Template(
        "bookings/add_traveller.html",
        context={
            "tour": tour,
            "form": form,
            "errors": errors,
            "provinces": _provinces(),
            "steps": steps_for(tour.mode),
            "step": "travellers",
        },
        status_code=status,
    )


def _body(form: FamilyForm) -> TravellerIn:
    """The schema's own struct from the form; FormErrors-like dict on what is missing or malformed."""
    messages = _messages()
    errors: dict[str, str] = {}
    for field in ("name", "home_province_code", "emergency_name", "emergency_phone", "emergency_relation"):
        if not getattr(form, field).strip():
            errors[field] = messages[field]
    try:
        birth = dt.date(int(form.birth_year), int(form.birth_month), int(form.birth_day))
    except ValueError:
        errors["birth_year"] = messages["birth_year"]
        birth = None
    if errors:
        raise _Invalid(errors)
    mobile = "".join(ch for ch in form.phone if ch.isdigit())
    try:
        return msgspec.convert(
            {
                "name": form.name.strip(),
                "birth_date": birth,
                "home_province_code": form.home_province_code,
                "phone": mobile or None,
                "emergency_contact": {
                    "name": form.emergency_name.strip(),
                    "phone": form.emergency_phone.strip(),
                    "relation": form.emergency_relation.strip(),
                },
            },
            TravellerIn,
        )
    except msgspec.ValidationError as error:
        text = str(error)
        path = text.split("at `$.", 1)[1].split("`", 1)[0] if "at `$." in text else "name"
        field = FIELD_OF.get(path, path)
        raise _Invalid({field: messages.get(field, _("Please check this."))}) from None


class _Invalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid")
        self.errors = errors


async def _choices_after_sign_in(request: Request[Any, Any, Any]) -> str:
    """Back to choosing travellers, with the people and dates the form carried."""
    form = await read_form(request, FamilyForm, lists=("traveller_ids",))
    return f"/book/{request.path_params['tour_id']}?{stay_query(form.traveller_ids, form.arrival, form.departure)}"


@get("/book/{tour_id:int}/add-traveller", include_in_schema=False, guards=[booker_page])
async def add_traveller_page(
    request: Request[Any, Any, Any],
    tour_id: FromPath[int],
    clock: NamedDependency[Clock],
    traveller_ids: TravellerChoice = None,
    arrival: DateChoice = None,
    departure: DateChoice = None,
) -> Template | Redirect:
    principal = request.user
    tour = await tours.get_tour(tour_id, clock.now())
    people, _total = await travellers.list_travellers(principal, clock.today_in(tour.time_zone))
    form = FamilyForm(
        traveller_ids=traveller_ids or [],
        arrival=arrival or None,
        departure=departure or None,
        home_province_code=people[0].home_province_code if people else "",
    )
    return _page(tour, form, {})


@post(
    "/book/{tour_id:int}/add-traveller",
    include_in_schema=False,
    status_code=303,
    guards=[booker_page],
    opt=after_sign_in(_choices_after_sign_in),
)
async def add_traveller(
    request: Request[Any, Any, Any],
    tour_id: FromPath[int],
    clock: NamedDependency[Clock],
    keyring: NamedDependency[KeyRing],
) -> Template | Redirect:
    form = await read_form(request, FamilyForm, lists=("traveller_ids",))
    principal = request.user
    if principal.role.value != "traveller":
        raise NotAllowed(_l("Hotline staff add travellers on the hotline desk."))
    tour = await tours.get_tour(tour_id, clock.now())
    try:
        created = await travellers.create_traveller(
            principal, _body(form), keyring=keyring, today=clock.today_in(tour.time_zone)
        )
    except _Invalid as invalid:
        return _page(tour, form, invalid.errors, 400)
    except DomainError as refused:
        errors = {FIELD_OF.get(key, key): str(value) for key, value in refused.field_errors.items()}
        return _page(tour, form, errors or {"name": str(refused.message)}, refused.status)
    flash(request, _("%(name)s is added and ticked.", name=created.name), "ok")
    chosen = [*form.traveller_ids, created.id]
    return Redirect(f"/book/{tour_id}?{stay_query(chosen, form.arrival, form.departure)}", status_code=303)


ROUTES = [add_traveller_page, add_traveller]
