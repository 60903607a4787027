"""Piccolo Admin's own user and session tables, under Sojourn's names.

Nobody signs in to them: every Sojourn administrator gets a mirror row here, and a session
created server-side (see ``admin.web``). They are created by a raw migration and are not in
the app's table list, so auto-migrations leave them alone.
"""

from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase


class AdminConsoleUser(BaseUser, tablename="admin_console_user"):
    pass


class AdminConsoleSession(SessionsBase, tablename="admin_console_session"):
    pass
