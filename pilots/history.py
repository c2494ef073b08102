"""Who changed what and when: a pilot's history, with its indicators and measurements.

The history page lists historical rows of three models, newest first. ``event_index`` is one
UNION query over the three history tables that pages cheaply (date, id and source only);
``events_for`` turns one page of it into readable events. Its queries depend on which kinds of
rows the page holds, never on how many rows the page or the history holds:

- per model on the page: its rows with their editor, their related objects (for labels) and
  the id of each row's previous version, then those previous versions (at most 6 queries);
- for pilot rows: the theme and partner snapshots of the rows and their previous versions (2).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import OuterRef, Subquery, Value
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.utils import get_m2m_reverse_field_name

from pilots.models import Indicator, Measurement, Pilot

# Values longer than this are cut on the page; the full text is in the pilot itself.
VALUE_PREVIEW_LIMIT = 300

SOURCES: dict[str, type[models.Model]] = {
    "pilot": Pilot,
    "indicator": Indicator,
    "measurement": Measurement,
}
# Fields that never change after creation; the event's subject names them instead.
SKIPPED_FIELDS = {
    "pilot": {"id", "slug"},
    "indicator": {"id", "pilot"},
    "measurement": {"id", "indicator", "recorded_at"},
}
# Related objects fetched with each row: the labels of foreign keys and of the subject.
RELATED = {
    "pilot": ("area", "lead", "adapted_from"),
    "indicator": ("definition",),
    "measurement": ("recorded_by", "indicator__definition"),
}
CREATED, CHANGED, DELETED = "+", "~", "-"


@dataclass
class Change:
    label: str
    old: str | None = None
    new: str | None = None


@dataclass
class Event:
    when: datetime
    who: str | None
    action: str
    kind: str
    subject: str
    changes: list[Change] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return {CREATED: _("created"), DELETED: _("deleted")}.get(self.action, _("changed"))


def event_index(pilot: Pilot) -> models.QuerySet:
    """(history_date, history_id, source) of every historical row about the pilot, newest first."""
    indicator_ids = Indicator.history.filter(pilot_id=pilot.pk).values("id")
    parts = {
        "pilot": Pilot.history.filter(id=pilot.pk),
        "indicator": Indicator.history.filter(pilot_id=pilot.pk),
        "measurement": Measurement.history.filter(indicator_id__in=indicator_ids),
    }
    first, *rest = (
        rows.order_by()
        .annotate(source=Value(source, output_field=models.CharField()))
        .values_list("history_date", "history_id", "source")
        for source, rows in parts.items()
    )
    return first.union(*rest, all=True).order_by("-history_date", "-history_id")


def _user_name(user: models.Model | None) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


def _tracked_fields(source: str) -> list[models.Field]:
    return [
        model_field
        for model_field in SOURCES[source]._meta.concrete_fields
        if model_field.editable and model_field.name not in SKIPPED_FIELDS[source]
    ]


def _fetch(source: str, history_ids: Sequence[int]) -> tuple[list[Any], dict[int, Any]]:
    """The page's rows of one history table, and the version before each of them."""
    history_model = SOURCES[source].history.model
    previous = (
        history_model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    rows = list(
        history_model.objects.filter(history_id__in=history_ids)
        .select_related("history_user", *RELATED[source])
        .annotate(previous_history_id=Subquery(previous))
    )
    wanted = [row.previous_history_id for row in rows if row.history_type == CHANGED]
    befores = history_model.objects.select_related(*RELATED[source]).in_bulk(
        [pk for pk in wanted if pk is not None]
    )
    return rows, befores


def _m2m_snapshots(history_ids: Sequence[int]) -> dict[str, dict[int, set[models.Model]]]:
    """For each tracked many-to-many field of Pilot: history_id -> the related objects then."""
    history_model = Pilot.history.model
    snapshots: dict[str, dict[int, set[models.Model]]] = {}
    if not history_ids:
        return snapshots
    for m2m_field in history_model._history_m2m_fields:
        target = get_m2m_reverse_field_name(m2m_field)
        m2m_model = getattr(history_model, m2m_field.name).model
        by_record: dict[int, set[models.Model]] = defaultdict(set)
        for row in m2m_model.objects.filter(history_id__in=history_ids).select_related(target):
            related = getattr(row, target)
            if related is not None:
                by_record[row.history_id].add(related)
        snapshots[m2m_field.name] = by_record
    return snapshots


def _is_empty(value: object) -> bool:
    return value is None or value == "" or value == set()


def _display(model_field: models.Field, row: Any) -> str | None:
    """A row's value of the field as text in the active language's formats; None if empty."""
    value = getattr(row, model_field.attname)
    if _is_empty(value):
        return None
    if model_field.is_relation:
        related = getattr(row, model_field.name)
        if related is None:
            return _("#%(id)s (deleted)") % {"id": value}
        if model_field.related_model is Pilot:
            return related.title
        return _user_name(related) if hasattr(related, "get_full_name") else str(related)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal | int | float):
        return number_format(value)
    return _shorten(str(value))


def _shorten(text: str) -> str:
    if len(text) > VALUE_PREVIEW_LIMIT:
        return text[: VALUE_PREVIEW_LIMIT - 1] + "…"
    return text


def _changes(source: str, row: Any, before: Any | None, snapshots: dict) -> list[Change]:
    """What differs from the previous version; a creation differs from nothing."""
    fields = _tracked_fields(source)
    if before is not None:
        delta = row.diff_against(before, included_fields=[f.name for f in fields])
        changed = set(delta.changed_fields)
        pairs = [(f, _display(f, before), _display(f, row)) for f in fields if f.name in changed]
    elif row.history_type == CREATED:
        pairs = [(f, None, _display(f, row)) for f in fields if _display(f, row) is not None]
    else:
        pairs = []
    if source == "pilot" and row.history_type != DELETED:
        for m2m_field in Pilot._meta.many_to_many:
            by_record = snapshots.get(m2m_field.name, {})
            new = by_record.get(row.history_id, set())
            old = by_record.get(before.history_id, set()) if before else set()
            if old != new:
                pairs.append((m2m_field, _joined(old), _joined(new)))
    return [Change(label=capfirst(f.verbose_name), old=old, new=new) for f, old, new in pairs]


def _joined(items: set[models.Model]) -> str | None:
    return _shorten(", ".join(sorted(str(item) for item in items))) if items else None


def _subject(source: str, row: Any, definitions: dict[int, str]) -> str:
    if source == "pilot":
        return row.title
    if source == "indicator":
        return row.definition.label if row.definition else _("indicator #%(id)s") % {"id": row.id}
    if row.indicator is not None:
        name = row.indicator.definition.label
    else:
        # A deleted indicator takes its measurements along; its own row is usually on the page.
        name = definitions.get(row.indicator_id) or _("indicator #%(id)s") % {
            "id": row.indicator_id
        }
    return _("%(indicator)s, period ending %(date)s") % {
        "indicator": name,
        "date": date_format(row.period_end, "SHORT_DATE_FORMAT"),
    }


def events_for(index_rows: Iterable[tuple[datetime, int, str]]) -> list[Event]:
    """Readable events for a page of ``event_index``, in the page's order."""
    order = [(source, history_id) for _when, history_id, source in index_rows]
    ids_by_source: dict[str, list[int]] = defaultdict(list)
    for source, history_id in order:
        ids_by_source[source].append(history_id)

    rows: dict[tuple[str, int], Any] = {}
    befores: dict[tuple[str, int], Any] = {}
    for source, history_ids in ids_by_source.items():
        fetched, previous = _fetch(source, history_ids)
        for row in fetched:
            rows[source, row.history_id] = row
            befores[source, row.history_id] = previous.get(row.previous_history_id)

    snapshots = _m2m_snapshots(
        [
            version.history_id
            for key, row in rows.items()
            if key[0] == "pilot"
            for version in (row, befores[key])
            if version is not None
        ]
    )
    definitions = {
        row.id: row.definition.label
        for key, row in rows.items()
        if key[0] == "indicator" and row.definition is not None
    }
    kinds = {"pilot": _("Pilot"), "indicator": _("Indicator"), "measurement": _("Measurement")}
    return [
        Event(
            when=rows[key].history_date,
            who=_user_name(rows[key].history_user),
            action=rows[key].history_type,
            kind=kinds[key[0]],
            subject=_subject(key[0], rows[key], definitions),
            changes=_changes(key[0], rows[key], befores[key], snapshots),
        )
        for key in order
        if key in rows
    ]
