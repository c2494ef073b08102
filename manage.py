#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "malmo_portal.settings")
    if "DJANGO_SECRET_KEY" not in os.environ:
        # A checkout without configuration is a developer's: management commands there run
        # in development mode. A deployment sets DJANGO_SECRET_KEY and so keeps DEBUG off;
        # the web server (wsgi.py) never takes this shortcut.
        os.environ.setdefault("DJANGO_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
