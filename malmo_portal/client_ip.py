"""Who is signing in, for brute-force lockouts: the client's IP address and the user name."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind N trusted proxies the address the outermost one saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so with
    N trusted proxies the N-th entry from the right is the client; anything to its left was
    written by the client and cannot be trusted.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]


def attempted_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The user name tried, cut to the longest that an account can have.

    django-axes records failed attempts by user name; a name longer than its column would make
    PostgreSQL refuse the record and the login page fail, and no account has such a name.
    """
    field = get_user_model().USERNAME_FIELD
    username = (credentials or {}).get(field) or request.POST.get(field)
    if username is None:
        return None
    return str(username)[: get_user_model()._meta.get_field(field).max_length]
