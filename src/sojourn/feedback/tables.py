"""Post-trip feedback: ratings, NPS and comments, with operators' public replies."""

from piccolo.columns import Boolean, ForeignKey, OnDelete, SmallInt, Text, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check, Unique
from piccolo.table import Table

from sojourn.accounts.tables import Account
from sojourn.bases.tables import Base
from sojourn.bookings.tables import Booking
from sojourn.travellers.tables import Traveller

RATING_ASPECTS = (
    "accommodation",
    "food",
    "medical",
    "activities",
    "staff",
    "transport",
    "value",
    "safety",
)


class Feedback(Table, tablename="feedback"):
    """One traveller's feedback on one booking, editable for 14 days."""

    booking = ForeignKey(Booking, on_delete=OnDelete.restrict, null=False)
    traveller = ForeignKey(Traveller, on_delete=OnDelete.restrict, null=False)
    base = ForeignKey(Base, on_delete=OnDelete.restrict, null=False)
    entered_by = ForeignKey(Account, on_delete=OnDelete.restrict, null=False)
    accommodation = SmallInt()
    food = SmallInt()
    medical = SmallInt()
    activities = SmallInt()
    staff = SmallInt()
    transport = SmallInt()
    value = SmallInt()
    safety = SmallInt()
    nps = SmallInt()
    comment = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    editable_until = Timestamptz()
    hidden = Boolean(default=False)
    hidden_by = ForeignKey(Account, on_delete=OnDelete.restrict, null=True, default=None)
    abuse_flagged = Boolean(default=False)
    reply = Text(default="")
    replied_at = Timestamptz(null=True, default=None)
    replied_by = ForeignKey(Account, on_delete=OnDelete.restrict, null=True, default=None)

    feedback_once_per_traveller = Unique(["booking", "traveller"])
    feedback_ratings_in_range = Check(
        " AND ".join(f"{aspect} BETWEEN 1 AND 5" for aspect in RATING_ASPECTS) + " AND nps BETWEEN 0 AND 10"
    )
