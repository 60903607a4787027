"""Alliance members as the API shows them."""

import msgspec


class MemberOut(msgspec.Struct):
    id: int
    code: str  # GB/T 2260 province code
    name: str  # in the reader's language
    name_zh: str
    name_en: str
    organisation: str
    status: str
