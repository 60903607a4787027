"""Query parameters in the alliance's own words (Litestar enforces ``Parameter`` limits on them)."""

from typing import Annotated

from litestar.params import Parameter

from sojourn.alliance.tables import TripMode

Mode = Annotated[TripMode | None, Parameter(description="migratory, vacation or interactive")]
