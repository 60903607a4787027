"""The language switch and the elder-mode switch: remembered in cookies, and in the account."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, post
from litestar.datastructures import Cookie
from litestar.response import Redirect

from sojourn.accounts import services as accounts
from sojourn.i18n import LOCALES
from sojourn.web.forms import read_form, safe_next
from sojourn.web.middleware import LANGUAGE_COOKIE
from sojourn.web.templating import ELDER_COOKIE

ONE_YEAR = 365 * 24 * 3600


class LanguageForm(msgspec.Struct):
    locale: Annotated[str, msgspec.Meta(pattern="^(zh_CN|en)$")]


class ElderModeForm(msgspec.Struct):
    elder_mode: Annotated[str, msgspec.Meta(pattern="^(on|off)$")]


def _back(request: Request[Any, Any, Any]) -> str:
    referer = request.headers.get("referer", "")
    host = request.headers.get("host", "")
    if referer and host and f"//{host}/" in referer + "/":
        return safe_next("/" + referer.split(f"//{host}/", 1)[1])
    return "/"


def _cookie(name: str, value: str, request: Request[Any, Any, Any]) -> Cookie:
    secure = request.app.state.settings.secure_cookies
    return Cookie(key=name, value=value, max_age=ONE_YEAR, httponly=True, samesite="lax", secure=secure, path="/")


@post("/preferences/language", include_in_schema=False, status_code=303)
async def set_language(request: Request[Any, Any, Any]) -> Redirect:
    form = await read_form(request, LanguageForm)
    assert form.locale in LOCALES
    if request.scope.get("user"):
        await accounts.set_preferences(request.scope["user"], locale=form.locale)
    return Redirect(_back(request), status_code=303, cookies=[_cookie(LANGUAGE_COOKIE, form.locale, request)])


@post("/preferences/elder-mode", include_in_schema=False, status_code=303)
async def set_elder_mode(request: Request[Any, Any, Any]) -> Redirect:
    form = await read_form(request, ElderModeForm)
    on = form.elder_mode == "on"
    if request.scope.get("user"):
        await accounts.set_preferences(request.scope["user"], elder_mode=on)
    return Redirect(_back(request), status_code=303, cookies=[_cookie(ELDER_COOKIE, "1" if on else "0", request)])


ROUTES = [set_language, set_elder_mode]
