"""The sandbox's Litestar app: WeChat Pay API v3 at ``/v3/…``, Alipay at ``/alipay/gateway.do``,
the phone pages and the control API at ``/sandbox/…``, all on one port."""

from __future__ import annotations

import logging
from pathlib import Path

from litestar import Litestar
from litestar.datastructures import State

from sojourn.payments.sandbox import alipay, phone, wechat
from sojourn.payments.sandbox.context import Sandbox
from sojourn.payments.sandbox.keys import load_or_create
from sojourn.payments.sandbox.notifier import Notifier

log = logging.getLogger(__name__)

# WeChat Pay retries after 15 s, 15 s, 30 s, 3 min, 10 min, 20 min, 30 min ... (its documentation).
DEFAULT_RETRY_DELAYS = (15.0, 15.0, 30.0, 180.0, 600.0, 1200.0, 1800.0)


def create_sandbox_app(
    data_dir: Path, base_url: str, retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS
) -> Litestar:
    keys = load_or_create(data_dir)
    keys.write_env(base_url)
    sandbox = Sandbox(keys=keys, notifier=Notifier(retry_delays=retry_delays), base_url=base_url.rstrip("/"))

    async def stop_notifier() -> None:
        await sandbox.notifier.close()

    return Litestar(
        route_handlers=[*wechat.ROUTES, *alipay.ROUTES, *phone.ROUTES],
        state=State({"sandbox": sandbox}),
        on_shutdown=[stop_notifier],
        openapi_config=None,
        debug=False,
    )
