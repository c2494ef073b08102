"""What needs a team's attention: the rules behind the start page and the reminder digests.

- Stale: a running pilot with no indicator measured in the last 90 days, or never.
- Overdue: a running pilot whose end date has passed.
- Incomplete: an indicator without a baseline or a target.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Max, Q, QuerySet

from pilots.models import Indicator, Pilot, PilotQuerySet

STALE_AFTER = timedelta(days=90)


def stale_pilots(pilots: PilotQuerySet, today: date) -> QuerySet[Pilot]:
    """Running pilots without a recent measurement, annotated with ``last_measured``."""
    return (
        pilots.running()
        .annotate(last_measured=Max("indicators__latest_period_end"))
        .filter(Q(last_measured__lt=today - STALE_AFTER) | Q(last_measured__isnull=True))
    )


def overdue_pilots(pilots: PilotQuerySet, today: date) -> QuerySet[Pilot]:
    return pilots.running().filter(end_date__lt=today)


def incomplete_indicators(pilots: QuerySet[Pilot]) -> QuerySet[Indicator]:
    return Indicator.objects.filter(pilot__in=pilots).filter(
        Q(baseline_value__isnull=True) | Q(target_value__isnull=True)
    )
