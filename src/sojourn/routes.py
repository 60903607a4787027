"""Every module that contributes route handlers (each exposes a ``ROUTES`` list)."""

from sojourn.accounts import api as accounts_api
from sojourn.accounts import preferences_web as accounts_preferences_web
from sojourn.accounts import recovery_api as accounts_recovery_api
from sojourn.accounts import recovery_web as accounts_recovery_web
from sojourn.accounts import rights_api as accounts_rights_api
from sojourn.accounts import rights_web as accounts_rights_web
from sojourn.accounts import web as accounts_web
from sojourn.admin import web as admin_web
from sojourn.alliance import admin_api as alliance_admin_api
from sojourn.alliance import admin_web as alliance_admin_web
from sojourn.alliance import api as alliance_api
from sojourn.alliance import staff_web as alliance_staff_web
from sojourn.audit import api as audit_api
from sojourn.bases import api as bases_api
from sojourn.bases import place_api as bases_place_api
from sojourn.bases import place_web as bases_place_web
from sojourn.bookings import api as bookings_api
from sojourn.bookings import family_web as bookings_family_web
from sojourn.bookings import hold_web as bookings_hold_web
from sojourn.bookings import rooms_api as bookings_rooms_api
from sojourn.bookings import trip_info_web as bookings_trip_info_web
from sojourn.bookings import trips_web as bookings_trips_web
from sojourn.bookings import web as bookings_web
from sojourn.feedback import api as feedback_api
from sojourn.feedback import web as feedback_web
from sojourn.health import api as health_api
from sojourn.health import web as health_web
from sojourn.hotline import api as hotline_api
from sojourn.hotline import web as hotline_web
from sojourn.hotline import web_enrol as hotline_web_enrol
from sojourn.operator import api as operator_api
from sojourn.operator import api_bases as operator_bases_api
from sojourn.operator import web as operator_web
from sojourn.operator import web_calendar as operator_calendar_web
from sojourn.operator import web_desk as operator_desk_web
from sojourn.operator import web_health as operator_health_web
from sojourn.operator import web_manifest as operator_manifest_web
from sojourn.operator import web_place as operator_place_web
from sojourn.operator import web_tours as operator_tours_web
from sojourn.payments import api as payments_api
from sojourn.payments import invoice_api as payments_invoice_api
from sojourn.payments import invoice_web as payments_invoice_web
from sojourn.payments import money_api as payments_money_api
from sojourn.payments import money_web as payments_money_web
from sojourn.payments import web as payments_web
from sojourn.stats import api as stats_api
from sojourn.stats import web as stats_web
from sojourn.system import api as system_api
from sojourn.tours import api as tours_api
from sojourn.tours import calendar_web as tours_calendar_web
from sojourn.tours import web as tours_web
from sojourn.travellers import api as travellers_api
from sojourn.travellers import web as travellers_web
from sojourn.web import favicon

ROUTE_MODULES = (
    stats_api,
    stats_web,
    alliance_admin_api,
    alliance_admin_web,
    alliance_staff_web,
    hotline_api,
    hotline_web,
    hotline_web_enrol,
    travellers_web,
    system_api,
    favicon,
    alliance_api,
    bases_api,
    bases_place_api,
    bases_place_web,
    tours_api,
    accounts_api,
    accounts_recovery_api,
    accounts_rights_api,
    travellers_api,
    bookings_api,
    bookings_rooms_api,
    payments_api,
    payments_money_api,
    payments_money_web,
    payments_web,
    payments_invoice_api,
    payments_invoice_web,
    feedback_api,
    health_api,
    tours_web,
    tours_calendar_web,
    bookings_web,
    bookings_family_web,
    bookings_hold_web,
    bookings_trips_web,
    bookings_trip_info_web,
    health_web,
    feedback_web,
    accounts_web,
    accounts_preferences_web,
    accounts_recovery_web,
    accounts_rights_web,
    audit_api,
    operator_api,
    operator_bases_api,
    operator_web,
    operator_calendar_web,
    operator_tours_web,
    operator_manifest_web,
    operator_desk_web,
    operator_place_web,
    operator_health_web,
    admin_web,
)


def route_handlers() -> list:
    return [handler for module in ROUTE_MODULES for handler in module.ROUTES]
