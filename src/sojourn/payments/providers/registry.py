"""Picking a provider by name: the only place that knows there are two."""

from __future__ import annotations

from functools import lru_cache

from sojourn.config import Settings
from sojourn.errors import Conflict
from sojourn.i18n import lazy_gettext as _l
from sojourn.payments.providers import PaymentProvider

PROVIDERS = ("wechat", "alipay")
CHANNELS = {"wechat": ("native", "h5", "jsapi"), "alipay": ("page", "wap")}


def configured(settings: Settings) -> tuple[str, ...]:
    flags = {"wechat": settings.wechat_configured, "alipay": settings.alipay_configured}
    return tuple(name for name in PROVIDERS if flags[name])


def provider(settings: Settings, name: str) -> PaymentProvider:
    if name not in configured(settings):
        raise Conflict(
            _l("This way of paying is not available now. Please choose another, or call 96111."),
            code="provider_not_available",
        )
    return _build(settings, name)


@lru_cache(maxsize=8)
def _build(settings: Settings, name: str) -> PaymentProvider:
    # Keys are read once per settings object; the SDK clients are safe to share between requests.
    if name == "wechat":
        from sojourn.payments.providers.wechat import WeChatPayProvider

        return WeChatPayProvider(settings)
    from sojourn.payments.providers.alipay import AlipayProvider

    return AlipayProvider(settings)
