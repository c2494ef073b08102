"""Synthetic demo and scale data for ``manage.py seed_demo``.

Everything here is invented: people, organisations, figures. Statistics carry ``DEMO_SOURCE`` so
nobody mistakes them for real ones.
"""

DEMO_SOURCE = "Syntetiska demodata"
SYNTHETIC_AREA_PREFIX = "demoomrade-"
BULK_PARTNER_PREFIX = "Demopartner "
