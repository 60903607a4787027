"""Languages: Simplified Chinese first, English too, through Babel message catalogs.

Message ids are English. The catalogs (``locale/<lang>/LC_MESSAGES/messages.po``)
are compiled in memory when first used, so the repository holds no binary files.
The language of the current request lives in a context variable set by the
locale middleware; ``gettext`` reads it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, Translations

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
LOCALE_DIR = Path(__file__).parent / "locale"

_current_locale: ContextVar[str] = ContextVar("sojourn_locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> Translations:
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return Translations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def current_locale() -> str:
    return _current_locale.get()


def set_locale(locale: str) -> None:
    _current_locale.set(locale if locale in LOCALES else DEFAULT_LOCALE)


@contextmanager
def using_locale(locale: str) -> Iterator[None]:
    token = _current_locale.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current_locale.reset(token)


def gettext(message: str, **variables: object) -> str:
    text = translations(current_locale()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_locale()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def lazy_gettext(message: str, **variables: object) -> LazyProxy:
    """A message translated when it is rendered, in the language of that moment."""
    return LazyProxy(gettext, message, enable_cache=False, **variables)


_ = gettext


def negotiate(accept_language: str | None) -> str:
    """Pick zh_CN or en from an Accept-Language header; Chinese when nothing matches.

    Every Chinese tag (zh, zh-CN, zh-TW, zh-Hans) maps to zh_CN, the only Chinese catalog.
    """
    if not accept_language:
        return DEFAULT_LOCALE
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            if parameter.startswith("q="):
                try:
                    quality = float(parameter[2:])
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.lower()))
    for _, _, tag in sorted(ranked):
        if tag == "zh" or tag.startswith("zh-"):
            return "zh_CN"
        if tag == "en" or tag.startswith("en-"):
            return "en"
    return DEFAULT_LOCALE


def language_tag(locale: str) -> str:
    """The BCP 47 tag for <html lang> and Content-Language."""
    return "zh-CN" if locale == "zh_CN" else "en"
