"""Everything a sandbox request handler needs, kept on the app's state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sojourn.payments.sandbox.keys import SandboxKeys
from sojourn.payments.sandbox.notifier import Notifier
from sojourn.payments.sandbox.orders import SandboxState


@dataclass
class Sandbox:
    keys: SandboxKeys
    notifier: Notifier
    base_url: str
    state: SandboxState = field(default_factory=SandboxState)
    bills: dict[str, bytes] = field(default_factory=dict)  # download token -> file


def sandbox_of(request: Any) -> Sandbox:
    return request.app.state.sandbox
