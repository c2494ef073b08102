"""gunicorn's settings, read from the directory it starts in.

Access log lines carry the request id that the portal's own log lines carry, so the two can be
joined, and never the token of a share link (the path of a share page is its secret).
"""

from gunicorn.glogging import Logger

from malmo_portal.log_filters import RedactShareTokens, redact


class PortalLogger(Logger):
    """gunicorn's logger with share-link tokens taken out of access and error lines."""

    def setup(self, cfg: object) -> None:
        super().setup(cfg)
        self.error_log.addFilter(RedactShareTokens())

    def atoms(self, resp: object, req: object, environ: dict, request_time: object) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) for key, value in atoms.items()}


logger_class = PortalLogger
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s" %({x-request-id}o)s'
