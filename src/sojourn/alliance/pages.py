"""What the alliance's pages share: the page that shows a new invitation code, once (made by an
administrator's approval in ``staff_web`` or a coordinator's request in ``admin_web``)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.background_tasks import BackgroundTask
from litestar.response import Template

from sojourn.accounts.principal import Principal
from sojourn.alliance import invitation_messages
from sojourn.alliance.admin_schemas import InvitationOut


def code_page(request: Request[Principal, Any, Any], invitation: InvitationOut) -> Template:
    """The new code, once; the message to the person goes out after this page is sent."""
    task = BackgroundTask(invitation_messages.send_invitation, request.app.state.settings, invitation)
    return Template("alliance/invitation_code.html", context={"invitation": invitation}, background=task)
