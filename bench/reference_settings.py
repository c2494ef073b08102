"""The production settings with two reference pages added for `make bench` only.

Everything but the URL configuration is the portal's own, so the references pay exactly what
every signed-in page pays: the whole middleware stack, the session and the user.
"""

from malmo_portal.settings import *  # noqa: F403 - the portal's settings, unchanged

ROOT_URLCONF = "bench.reference_urls"
