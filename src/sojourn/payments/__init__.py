"""Payments: WeChat Pay and Alipay through their SDKs, payment schedules within provincial caps,
refunds through the provider that took the money, and a ledger that balances (docs/payments.md)."""
