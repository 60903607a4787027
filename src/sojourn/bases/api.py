"""Public catalogue: bases."""

from litestar import get
from litestar.params import FromPath

from sojourn.alliance.params import Mode
from sojourn.bases import services
from sojourn.bases.schemas import BaseOut
from sojourn.web.pagination import Page
from sojourn.web.params import AreaCode


@get("/api/v1/bases", tags=["Catalogue"], summary="Sojourn bases")
async def list_bases(province: AreaCode = None, mode: Mode = None) -> Page[BaseOut]:
    bases = await services.list_bases(province=province, mode=mode.value if mode else None)
    return Page(items=bases, total=len(bases))


@get("/api/v1/bases/{base_id:int}", tags=["Catalogue"], summary="One base")
async def get_base(base_id: FromPath[int]) -> BaseOut:
    return await services.get_base(base_id)


ROUTES = [list_bases, get_base]
