"""The project's own wiring that must run once at start."""

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class PortalConfig(AppConfig):
    name = "malmo_portal"
    verbose_name = "Malmö Pilot Portal"

    def ready(self) -> None:
        from malmo_portal.middleware import start_session_clock

        # Stamped when the session is made, so the first page after signing in writes nothing.
        user_logged_in.connect(start_session_clock, dispatch_uid="portal-session-clock")
