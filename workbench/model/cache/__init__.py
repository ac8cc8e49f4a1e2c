"""The call cache: replies on disk with a digest each, and its maintenance
(`workbench cache stats|verify|prune`)."""

from __future__ import annotations

from workbench.model.cache._errors import CacheError, explain, kind_of
from workbench.model.cache._key import DIGEST, cache_key, default_path, entry_digest, intact
from workbench.model.cache._maintenance import Stats, Verified, prune, stats, verify
from workbench.model.cache._store import BUSY_TIMEOUT_S, REJECTED, CallCache

__all__ = [
    "BUSY_TIMEOUT_S",
    "CacheError",
    "CallCache",
    "DIGEST",
    "REJECTED",
    "Stats",
    "Verified",
    "cache_key",
    "default_path",
    "entry_digest",
    "explain",
    "intact",
    "kind_of",
    "prune",
    "stats",
    "verify",
]
