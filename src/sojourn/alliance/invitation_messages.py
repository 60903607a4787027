"""The message that carries an invitation code to a future base staff member."""

from __future__ import annotations

from sojourn.accounts.logins import parse_login
from sojourn.alliance.admin_schemas import InvitationOut
from sojourn.config import Settings
from sojourn.i18n import DEFAULT_LOCALE, using_locale
from sojourn.i18n import gettext as _
from sojourn.notifications.direct import send_now
from sojourn.notifications.messages import Message


def invitation_message(invitation: InvitationOut, locale: str = DEFAULT_LOCALE) -> Message:
    with using_locale(locale):
        return Message(
            subject=_("Your invitation to work with Sojourn"),
            body=_(
                "Hello %(name)s, your invitation code is %(code)s. Open the page /invitation, enter the code "
                "and choose your own password within 7 days. Never tell the code to anyone.",
                name=invitation.display_name,
                code=invitation.code or "",
            ),
        )


async def send_invitation(settings: Settings, invitation: InvitationOut) -> None:
    login = parse_login(invitation.login)
    await send_now(
        settings,
        kind="operator_invitation",
        login_kind=login.kind,
        login=login.value,
        locale=DEFAULT_LOCALE,
        display_name=invitation.display_name,
        message=invitation_message(invitation),
    )
