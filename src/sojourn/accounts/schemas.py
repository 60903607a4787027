"""Sign-in and account shapes for the API."""

from typing import Annotated

import msgspec

LoginText = Annotated[str, msgspec.Meta(min_length=1, max_length=254, description="Mobile number or e-mail")]
PasswordText = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class TokenRequest(msgspec.Struct, forbid_unknown_fields=True):
    login: LoginText
    password: PasswordText


class TokenResponse(msgspec.Struct):
    access_token: str
    expires_in: int
    token_type: str = "bearer"


class MeOut(msgspec.Struct):
    id: int
    role: str
    display_name: str
    locale: str
    elder_mode: bool
    base_ids: list[int]
    member_ids: list[int]
