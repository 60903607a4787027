"""Row ids as the API accepts them: positive and within PostgreSQL's integer (a larger number
is no id of ours; refusing it in the schema gives a field error instead of a database error)."""

from typing import Annotated

import msgspec

MAX_ID = 2_147_483_647
RowId = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID, description="An id (a positive 32-bit integer)")]
