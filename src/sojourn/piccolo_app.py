"""The single Piccolo app holding every Sojourn table; its migrations live in
``piccolo_migrations/`` at the top of the repository (bundled into the wheel)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from sojourn.accounts.tables import (
    Account,
    AccountBase,
    AccountMember,
    ApiToken,
    BaseGrantRequest,
    OneTimeCode,
    OperatorInvitation,
)
from sojourn.alliance.tables import Agreement, Member
from sojourn.audit.tables import AuditEvent
from sojourn.bases.place_tables import BaseClimateMonth, BasePlace, Photo, PhotoRendition
from sojourn.bases.tables import Base, CapacityNight, FreeRun, RoomNight, RoomType
from sojourn.bookings.tables import Booking, BookingRoom, BookingTraveller, IdempotencyRecord, WaitlistEntry
from sojourn.feedback.tables import Feedback
from sojourn.health.tables import Consent, HealthDeclaration, ReviewMessage, ScreeningRule
from sojourn.notifications.tables import OutboxMessage
from sojourn.payments.tables import (
    Instalment,
    InvoiceRequest,
    LedgerEntry,
    Payee,
    Payment,
    PrepaymentRule,
    ProviderNotification,
    ReconciliationDifference,
    ReconciliationRun,
    Refund,
    TourPaymentTerms,
)
from sojourn.stats.tables import (
    StatsBaseBookingMonth,
    StatsBaseStayMonth,
    StatsBookingMonth,
    StatsCapacityMonth,
    StatsFeedbackMonth,
    StatsFlowChange,
    StatsFlowMonth,
    StatsHealthMonth,
    StatsOriginBookingChange,
    StatsOriginBookingMonth,
    StatsStayMonth,
    StatsVersion,
)
from sojourn.tours.tables import Tour, TourQuota
from sojourn.travellers.tables import AgentMandate, Traveller


def migrations_folder() -> Path:
    """The repository's folder in a checkout; the copy bundled into the wheel otherwise."""
    package = Path(__file__).resolve().parent
    checkout = package.parent.parent / "piccolo_migrations"
    return checkout if checkout.is_dir() else package / "piccolo_migrations"


APP_CONFIG = AppConfig(
    app_name="sojourn",
    migrations_folder_path=str(migrations_folder()),
    table_classes=[
        Member,
        Agreement,
        Base,
        CapacityNight,
        FreeRun,
        RoomType,
        RoomNight,
        Tour,
        TourQuota,
        Account,
        AccountBase,
        AccountMember,
        ApiToken,
        OperatorInvitation,
        BaseGrantRequest,
        OneTimeCode,
        Traveller,
        AgentMandate,
        Booking,
        BookingTraveller,
        BookingRoom,
        WaitlistEntry,
        IdempotencyRecord,
        HealthDeclaration,
        ReviewMessage,
        Consent,
        ScreeningRule,
        Feedback,
        AuditEvent,
        OutboxMessage,
        StatsStayMonth,
        StatsBookingMonth,
        StatsCapacityMonth,
        StatsFeedbackMonth,
        StatsHealthMonth,
        StatsVersion,
        StatsBaseStayMonth,
        StatsBaseBookingMonth,
        StatsFlowMonth,
        StatsFlowChange,
        StatsOriginBookingMonth,
        StatsOriginBookingChange,
        BasePlace,
        BaseClimateMonth,
        Photo,
        PhotoRendition,
        TourPaymentTerms,
        PrepaymentRule,
        Payee,
        Instalment,
        Payment,
        Refund,
        LedgerEntry,
        InvoiceRequest,
        ProviderNotification,
        ReconciliationDifference,
        ReconciliationRun,
    ],
    migration_dependencies=[],
    commands=[],
)
