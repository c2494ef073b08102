"""Caching of the dashboards' figures, invalidated by a data version that every write moves on.

Figures are stored under a key that names the filters and the current data version. Every service
that writes pilots, indicators, measurements, updates or stage decisions (and the admin hooks that
bypass them) calls ``bump_data_version()``, which moves the counter on once the transaction
commits; the next request then computes a new key and so never reads figures from before the
write. Old entries are never read again and expire on their own.

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


def _cache() -> BaseCache:
    return caches["default"]


def is_shared() -> bool:
    """Whether the configured cache is shared by all processes, so a write invalidates it."""
    return not isinstance(_cache(), PROCESS_LOCAL_BACKENDS)


def _fresh_version() -> int:
    # A lost counter (evicted, cache restarted) restarts from the clock, never from a number it
    # may have handed out before: entries keyed with old numbers must stay unreachable.
    return time.time_ns()


def data_version() -> int | None:
    """The current data version, or None when the cache cannot hold one."""
    cache = _cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _fresh_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def _bump() -> None:
    cache = _cache()
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, _fresh_version(), timeout=None)


def bump_data_version() -> None:
    """Invalidate cached figures once the current transaction commits (at once outside one)."""
    transaction.on_commit(_bump)


def cached_figures(name: str, parts: str, compute: Callable[[], T]) -> T:
    """The figures for these parameters from the cache, computed and stored when missing."""
    if not is_shared():
        return compute()
    version = data_version()
    if version is None:
        return compute()
    digest = hashlib.sha256(parts.encode()).hexdigest()[:32]
    key = f"pilots:figures:{name}:{version}:{digest}"
    cache = _cache()
    figures = cache.get(key)
    if figures is None:
        figures = compute()
        cache.set(key, figures, FIGURES_TIMEOUT)
    return figures
