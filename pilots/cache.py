"""Caching of the dashboards' figures, invalidated by a data version that every write moves on.

Figures are stored under a key that names the filters and the current data versions of what they
are made from. Every service that writes pilots, indicators, measurements, updates or stage
decisions (and the admin hooks that bypass them) calls ``bump_data_version()``, which moves the
counters on once the transaction commits; the next request then computes a new key and so never
reads figures from before the write. Old entries are never read again and expire on their own.

There is one counter per scope, so a write moves on only what it can change: a measurement
moves INDICATORS (progress, staleness), a journal entry UPDATES, and anything else, by default,
every scope. Figures made only from pilots then survive the steady stream of measurements.

Only a cache shared by every process is used. A local-memory cache belongs to one worker process:
a write handled by another worker could not move its counter, and the dashboard would show old
figures. With such a cache (the default without ``CACHE_URL``) the figures are computed on every
request, which the dashboard's grouped queries allow.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction

T = TypeVar("T")

VERSION_KEY = "pilots:data-version"
FIGURES_TIMEOUT = 60 * 60
PROCESS_LOCAL_BACKENDS = (LocMemCache, DummyCache)

PILOTS = "pilots"  # pilots, their areas, themes, partners, stages and evidence
INDICATORS = "indicators"  # indicators and measurements
UPDATES = "updates"  # journal entries
SCOPES = (PILOTS, INDICATORS, UPDATES)


def _cache() -> BaseCache:
    return caches["default"]


def _key(scope: str) -> str:
    return f"{VERSION_KEY}:{scope}"


def is_shared() -> bool:
    """Whether the configured cache is shared by all processes, so a write invalidates it."""
    return not isinstance(_cache(), PROCESS_LOCAL_BACKENDS)


def _fresh_version() -> int:
    # A lost counter (evicted, cache restarted) restarts from the clock, never from a number it
    # may have handed out before: entries keyed with old numbers must stay unreachable.
    return time.time_ns()


def data_version(scope: str = PILOTS) -> int | None:
    """The current data version of one scope, or None when the cache cannot hold one."""
    cache = _cache()
    version = cache.get(_key(scope))
    if version is None:
        cache.add(_key(scope), _fresh_version(), timeout=None)
        version = cache.get(_key(scope))
    return version


def _bump(scopes: tuple[str, ...]) -> None:
    cache = _cache()
    for scope in scopes:
        try:
            cache.incr(_key(scope))
        except ValueError:
            cache.set(_key(scope), _fresh_version(), timeout=None)


def bump_data_version(*scopes: str) -> None:
    """Invalidate cached figures of these scopes (all by default) once the transaction commits."""
    chosen = scopes or SCOPES
    transaction.on_commit(lambda: _bump(chosen))


def cached_figures(
    name: str, parts: str, compute: Callable[[], T], scopes: tuple[str, ...] = SCOPES
) -> T:
    """The figures for these parameters from the cache, computed and stored when missing.

    ``scopes`` names every kind of data the figures are made from.
    """
    if not is_shared():
        return compute()
    versions = [data_version(scope) for scope in scopes]
    if None in versions:
        return compute()
    digest = hashlib.sha256(parts.encode()).hexdigest()[:32]
    key = f"pilots:figures:{name}:{'.'.join(map(str, versions))}:{digest}"
    cache = _cache()
    figures = cache.get(key)
    if figures is None:
        figures = compute()
        cache.set(key, figures, FIGURES_TIMEOUT)
    return figures
