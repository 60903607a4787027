"""Query-parameter and header types with their limits, shared by the API controllers.

Litestar enforces ``Parameter(...)`` constraints on query parameters (it ignores
``msgspec.Meta`` there), so every constrained query parameter is declared here.
"""

from typing import Annotated

from litestar.params import HeaderParameter, Parameter

AreaCode = Annotated[
    str | None,
    Parameter(pattern=r"^[1-9][0-9]{5}$", description="A GB/T 2260 province or city code, e.g. 460000"),
]
Month = Annotated[str | None, Parameter(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$", description="A month, YYYY-MM")]
SearchText = Annotated[str | None, Parameter(max_length=60, description="Words in a title, base or city")]
Limit = Annotated[int, Parameter(ge=1, le=200, description="At most this many items")]
Offset = Annotated[int, Parameter(ge=0, le=1_000_000, description="Skip this many items")]
DateChoice = Annotated[
    str | None, Parameter(pattern=r"^(|[0-9]{4}-[0-9]{2}-[0-9]{2})$", description="A date, YYYY-MM-DD")
]
TravellerChoice = Annotated[list[int] | None, Parameter(max_items=10, description="The people who travel")]
# Creating bookings, waiting-list entries and payments (``bookings.idempotency``).
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key", description="Send the same key to retry safely: the first answer is repeated"
    ),
]
