"""A payment sandbox that speaks both providers' protocols, for the demo and the tests.

``sojourn payments sandbox --port 8600 --data-dir DIR`` starts it; on first start it makes its
keys and merchants in DIR and writes ``DIR/sojourn.env`` with the settings that point Sojourn at
it. Sojourn talks to it exactly as to WeChat Pay and Alipay (base URL and keys from settings): it
verifies the SDKs' real signed requests, keeps orders, shows the senior's phone and Alipay's
cashier, and sends signed notifications with retries. See docs/payments.md.
"""
