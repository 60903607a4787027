"""The sandbox's identities, made on first start in its data directory and never committed.

Both sides' keys are made here, as a merchant's onboarding at a provider would: the provider's
own signing keys (WeChat Pay's platform key, Alipay's key), the merchant's API keys (the alliance
as WeChat Pay service provider, the alliance's Alipay third-party app), the APIv3 key, and a few
sub-merchants / authorised merchants. ``sojourn.env`` lists the settings that point Sojourn at the
sandbox; ``merchants.json`` the payees to register.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

SP_MCHID = "1900000001"
SP_APPID = "wx8888888888888888"
ALIPAY_APP_ID = "2021000000000001"
MERCHANTS = 8


@dataclass(frozen=True)
class SandboxKeys:
    directory: Path
    wechat_platform_key: RSAPrivateKey
    wechat_public_key_id: str
    wechat_merchant_public_key: RSAPublicKey
    wechat_merchant_serial: str
    apiv3_key: str
    alipay_platform_key: RSAPrivateKey
    alipay_app_public_key: RSAPublicKey
    wechat_sub_mchids: tuple[str, ...]
    alipay_merchants: dict[str, str]  # app_auth_token -> merchant PID (seller_id)

    @property
    def env_file(self) -> Path:
        return self.directory / "sojourn.env"

    def settings_env(self, base_url: str) -> dict[str, str]:
        d = self.directory
        return {
            "SOJOURN_WECHAT_API_URL": f"{base_url}",
            "SOJOURN_WECHAT_SP_MCHID": SP_MCHID,
            "SOJOURN_WECHAT_SP_APPID": SP_APPID,
            "SOJOURN_WECHAT_PRIVATE_KEY_FILE": str(d / "wechat_merchant_key.pem"),
            "SOJOURN_WECHAT_CERT_SERIAL_NO": self.wechat_merchant_serial,
            "SOJOURN_WECHAT_APIV3_KEY_FILE": str(d / "wechat_apiv3.key"),
            "SOJOURN_WECHAT_PUBLIC_KEY_FILE": str(d / "wechat_platform_public.pem"),
            "SOJOURN_WECHAT_PUBLIC_KEY_ID": self.wechat_public_key_id,
            "SOJOURN_ALIPAY_GATEWAY_URL": f"{base_url}/alipay/gateway.do",
            "SOJOURN_ALIPAY_APP_ID": ALIPAY_APP_ID,
            "SOJOURN_ALIPAY_PRIVATE_KEY_FILE": str(d / "alipay_app_key.pem"),
            "SOJOURN_ALIPAY_PUBLIC_KEY_FILE": str(d / "alipay_platform_public.pem"),
        }

    def write_env(self, base_url: str) -> Path:
        lines = [f"{name}={value}" for name, value in self.settings_env(base_url).items()]
        self.env_file.write_text("\n".join(lines) + "\n")
        return self.env_file


def _private(path: Path) -> RSAPrivateKey:
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.write_bytes(pem)
        path.chmod(0o600)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(loaded, RSAPrivateKey)
    return loaded


def _public_pem(key: RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _text(path: Path, make: str) -> str:
    if not path.exists():
        path.write_text(make)
        path.chmod(0o600)
    return path.read_text().strip()


def load_or_create(directory: Path) -> SandboxKeys:
    """Read the sandbox's keys from ``directory``, making whatever is missing."""
    directory.mkdir(parents=True, exist_ok=True)
    wechat_platform = _private(directory / "wechat_platform_key.pem")
    (directory / "wechat_platform_public.pem").write_bytes(_public_pem(wechat_platform))
    wechat_merchant = _private(directory / "wechat_merchant_key.pem")
    alipay_platform = _private(directory / "alipay_platform_key.pem")
    (directory / "alipay_platform_public.pem").write_bytes(_public_pem(alipay_platform))
    alipay_app = _private(directory / "alipay_app_key.pem")
    identity_file = directory / "merchants.json"
    if not identity_file.exists():
        identity = {
            "wechat_public_key_id": "PUB_KEY_ID_" + secrets.token_hex(12).upper(),
            "wechat_merchant_serial": secrets.token_hex(20).upper(),
            "wechat_sub_mchids": [f"16{n:08d}" for n in range(1, MERCHANTS + 1)],
            "alipay_merchants": {f"202612BB{secrets.token_hex(16)}": f"2088{n:012d}" for n in range(1, MERCHANTS + 1)},
        }
        identity_file.write_text(json.dumps(identity, indent=2))
    identity = json.loads(identity_file.read_text())
    return SandboxKeys(
        directory=directory,
        wechat_platform_key=wechat_platform,
        wechat_public_key_id=identity["wechat_public_key_id"],
        wechat_merchant_public_key=wechat_merchant.public_key(),
        wechat_merchant_serial=identity["wechat_merchant_serial"],
        apiv3_key=_text(directory / "wechat_apiv3.key", secrets.token_hex(16)),
        alipay_platform_key=alipay_platform,
        alipay_app_public_key=alipay_app.public_key(),
        wechat_sub_mchids=tuple(identity["wechat_sub_mchids"]),
        alipay_merchants=dict(identity["alipay_merchants"]),
    )
