"""The pages a senior's phone or browser shows at the sandbox: "扫码支付" with 支付 / 取消, and
Alipay's cashier. Plain HTML forms (no scripts), so they work in any browser and in tests."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from litestar import Response

from sojourn.payments.providers import yuan
from sojourn.payments.sandbox.orders import SandboxOrder

STYLE = (
    "body{font:20px/1.5 system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}"
    "button,a.button{font-size:22px;min-width:8rem;min-height:3rem;margin:.5rem .5rem 0 0}"
)
NAMES = {"wechat": "微信支付 WeChat Pay", "alipay": "支付宝 Alipay"}


def _page(title: str, body: str, status: int = 200) -> Response:
    html = (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )
    return Response(content=html.encode(), status_code=status, media_type="text/html; charset=utf-8")


def phone_page(order: SandboxOrder, message: str = "") -> Response:
    """The phone after scanning (WeChat) or the cashier (Alipay): the order, and the senior's choice."""
    facts = (
        f"<p>{escape(NAMES[order.provider])}（沙箱 sandbox）</p>"
        f"<dl><dt>商品 Item</dt><dd>{escape(order.description)}</dd>"
        f"<dt>金额 Amount</dt><dd>¥{yuan(order.amount_fen)}</dd>"
        f"<dt>订单号 Order</dt><dd>{escape(order.out_trade_no)}</dd></dl>"
    )
    note = f'<p role="status">{escape(message)}</p>' if message else ""
    if order.state == "NOTPAY":
        actions = (
            f'<form method="post" action="/sandbox/phone/{escape(order.token)}/pay"><button type="submit">支付 Pay</button></form>'
            f'<form method="post" action="/sandbox/phone/{escape(order.token)}/cancel"><button type="submit">取消 Cancel</button></form>'
        )
    elif order.status == "SUCCESS":
        actions = "<p>支付成功 Paid</p>"
        if order.return_url:
            back = _return_link(order)
            actions += f'<p><a class="button" href="{escape(back)}">返回商家 Back to the merchant</a></p>'
    else:
        actions = "<p>订单已关闭 This order is closed</p>"
    return _page("扫码支付" if order.provider == "wechat" else "支付宝收银台", facts + note + actions)


def _return_link(order: SandboxOrder) -> str:
    # Alipay's return (同步返回) says where the senior came from; merchants must not trust it, only notifications.
    params = {
        "out_trade_no": order.out_trade_no,
        "trade_no": order.transaction_id,
        "total_amount": yuan(order.amount_fen),
    }
    separator = "&" if "?" in order.return_url else "?"
    return order.return_url + separator + urlencode(params)


def cashier_error(problem: dict[str, Any]) -> Response:
    text = f"错误代码 {problem.get('sub_code', problem.get('code'))}：{problem.get('sub_msg', '')}"
    return _page("支付宝收银台", f"<p role='alert'>{escape(text)}</p>", status=400)


def not_found() -> Response:
    return _page("扫码支付", "<p role='alert'>二维码已失效 This code is not valid.</p>", status=404)
