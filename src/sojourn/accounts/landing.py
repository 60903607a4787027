"""Where each role's work is: the page a person lands on after signing in without a ``next``."""

from __future__ import annotations

from sojourn.accounts.tables import Role
from sojourn.web.forms import safe_next

HOME_PAGES: dict[Role, str] = {
    Role.traveller: "/",  # the home page: find a stay, and the trips in the header
    Role.agent: "/hotline",
    Role.operator: "/operator",
    Role.coordinator: "/alliance",
    Role.admin: "/alliance/members",
}


def landing_page(role: Role, next_target: str | None) -> str:
    """A safe ``next`` wins (the page that sent the person to sign in); otherwise the role's home.

    ``/`` counts as no choice: it is what the sign-in link in the header carries.
    """
    home = HOME_PAGES[role]
    chosen = safe_next(next_target, home)
    return home if chosen == "/" else chosen
