"""The portal's own middleware: language choice, session time limits and request guards."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _


class PortalLocaleMiddleware:
    """Like Django's LocaleMiddleware, but ignores the browser's Accept-Language header.

    The portal is Swedish first: a browser set to English still starts in Swedish, and the
    language switch (which sets the language cookie) is the one way to change it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


def start_session_clock(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """Start the idle and total clocks of a session that has just signed in."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SessionTimeoutMiddleware.SIGNED_IN_AT] = now
        request.session[SessionTimeoutMiddleware.LAST_SEEN] = now


class SessionTimeoutMiddleware:
    """Signs a user out after SESSION_IDLE_SECONDS without a request or SESSION_COOKIE_AGE in all.

    The session records when it was first seen signed in and, at most once a minute, when it was
    last used, so an active user does not cost a session write per request.
    """

    SIGNED_IN_AT = "_portal_signed_in_at"
    LAST_SEEN = "_portal_last_seen"
    TOUCH_EVERY = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        now = int(time.time())
        session = request.session
        signed_in_at = session.setdefault(self.SIGNED_IN_AT, now)
        last_seen = session.get(self.LAST_SEEN, now)
        if now - last_seen > settings.SESSION_IDLE_SECONDS:
            reason = _("You were signed out after %(minutes)d minutes without activity.") % {
                "minutes": settings.SESSION_IDLE_SECONDS // 60
            }
        elif now - signed_in_at > settings.SESSION_COOKIE_AGE:
            reason = _("You were signed out: a session lasts at most %(hours)d hours.") % {
                "hours": settings.SESSION_COOKIE_AGE // 3600
            }
        else:
            if now - last_seen >= self.TOUCH_EVERY or self.LAST_SEEN not in session:
                session[self.LAST_SEEN] = now
            return
        logout(request)
        # The page that asked is answered by the login redirect; the message says why.
        messages.info(request, reason)


class PortalLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's login requirement, with a whole-page redirect for htmx requests.

    A form sent with htmx after the session ended would otherwise get the login page swapped
    into a corner of the pilot page; HX-Redirect makes the browser open the login page instead.
    """

    def handle_no_permission(self, request: HttpRequest, view_func: Callable) -> HttpResponse:
        response = super().handle_no_permission(request, view_func)
        if request.headers.get("HX-Request") == "true":
            redirect = HttpResponse(status=204)
            redirect["HX-Redirect"] = response["Location"]
            return redirect
        return response


class AdminQueryStringGuardMiddleware:
    """Answers 400 to admin requests whose values the database would refuse with an error.

    The admin's lists pass filters and searches straight to the database, and its bulk actions
    the ids of the chosen rows; the databases refuse some values in ways that would be server
    errors (PostgreSQL stores no NUL; SQLite refuses LIKE patterns over 50,000 bytes and ids
    beyond 64 bits). The portal's own pages read such values through forms that explain.
    """

    MAX_VALUE_LENGTH = 1_000
    ID_RANGE = range(1, 2**63)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix = reverse("admin:index")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(self.admin_prefix) and not self._usable(request):
            return HttpResponseBadRequest(loader.get_template("400.html").render())
        return self.get_response(request)

    def _usable(self, request: HttpRequest) -> bool:
        for key, values in request.GET.lists():
            for text in (key, *values):
                if "\x00" in text or len(text) > self.MAX_VALUE_LENGTH:
                    return False
        if request.method == "POST":
            chosen = request.POST.getlist("_selected_action")
            return all(pk.isdigit() and int(pk) in self.ID_RANGE for pk in chosen)
        return True
