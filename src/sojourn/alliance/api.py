"""Public catalogue: alliance members."""

from litestar import get

from sojourn.alliance import services
from sojourn.alliance.schemas import MemberOut
from sojourn.web.pagination import Page


@get("/api/v1/members", tags=["Catalogue"], summary="Alliance members")
async def list_members() -> Page[MemberOut]:
    members = await services.list_members()
    return Page(items=members, total=len(members))


ROUTES = [list_members]
