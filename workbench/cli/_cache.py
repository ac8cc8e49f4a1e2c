"""`workbench cache stats|verify|prune`: look into the call cache, prove it intact, trim it."""

from __future__ import annotations

import argparse
import re
import time

HELP = "inspect, verify or prune the call cache (stats | verify [--fix] | prune --older-than 30d)"

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def duration(text: str) -> float:
    """`30d`, `12h`, `90m`, `45s`, `2w` (or `1.5d`) in seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(
            f"expected a duration like 30d, 12h, 90m, 45s or 2w, got {text!r}"
        )
    seconds = float(match[1]) * _UNITS[match[2]]
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"must be longer than nothing (got {text!r})")
    return seconds


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    path_help = "the cache file (default: $WORKBENCH_CACHE_DIR/calls.sqlite, else ~/.cache/workbench/calls.sqlite)"
    stats = sub.add_parser("stats", help="entries, size on disk, by model, oldest and newest")
    verify = sub.add_parser(
        "verify", help="check every entry's digest and SQLite's integrity_check"
    )
    verify.add_argument(
        "--fix",
        action="store_true",
        help="remove the entries that fail (a file SQLite finds damaged is rebuilt from its "
        "intact entries, the original kept next to it as *.damaged-TIME)",
    )
    verify.add_argument(
        "--adopt-legacy",
        action="store_true",
        help="give entries written before digests existed a digest (you vouch they were not "
        "altered); without it they are never served, and --fix removes them",
    )
    prune = sub.add_parser("prune", help="remove entries older than --older-than, then compact")
    prune.add_argument(
        "--older-than",
        type=duration,
        required=True,
        metavar="DURATION",
        help="e.g. 30d, 12h, 90m, 2w",
    )
    for p in (stats, verify, prune):
        p.add_argument("--path", metavar="FILE", help=path_help)


def handle(args: argparse.Namespace) -> int:
    from workbench.model.cache import default_path

    path = args.path or default_path()
    if args.action == "stats":
        return _stats(path)
    if args.action == "verify":
        return _verify(path, args.fix, args.adopt_legacy)
    return _prune(path, args.older_than)


def _stats(path) -> int:
    from workbench.model.cache import DIGEST, stats

    s = stats(path)
    models = ", ".join(f"{m} {n}" for m, n in s.by_model.items()) or "none"
    rows = [
        ("call cache", str(s.path)),
        ("size on disk", _size(s.size_bytes)),
        (
            "entries",
            f"{s.entries:,}"
            + (f" ({s.unverified:,} without a digest, never served)" if s.unverified else ""),
        ),
        ("by model", models),
        ("oldest", _when(s.oldest)),
        ("newest", _when(s.newest)),
        ("integrity", f"{DIGEST} over each entry's key and reply, checked on every read"),
    ]
    print("\n".join(f"{k:<14}{v}" for k, v in rows))
    return 0


def _verify(path, fix: bool, adopt: bool) -> int:
    from workbench.model.cache import verify

    v = verify(path, fix=fix, adopt_legacy=adopt)
    sqlite = "ok" if not v.problems else f"{len(v.problems)} problem(s), first: {v.problems[0]}"
    print(
        f"{v.path}: {v.entries:,} entries, {v.intact:,} intact, {v.mismatched:,} failed their "
        f"digest, {v.unverified:,} without a digest; SQLite integrity_check: {sqlite}"
    )
    if v.rebuilt is not None:
        print(
            f"rebuilt from its intact entries ({v.removed:,} dropped); the damaged file is {v.rebuilt}"
        )
    elif v.removed or v.adopted:
        print(f"removed {v.removed:,} entries, gave {v.adopted:,} old entries a digest")
    if v.bad:
        print(
            f"workbench: {v.bad:,} bad entries or problems left: `workbench cache verify --fix "
            f"--path {v.path}` removes them (--adopt-legacy keeps the ones without a digest)"
        )
        return 1
    return 0


def _prune(path, older_than_s: float) -> int:
    from workbench.model.cache import prune

    removed, before, after = prune(path, older_than_s)
    print(
        f"{path}: removed {removed:,} entries older than {_age(older_than_s)}; "
        f"{_size(before)} -> {_size(after)} on disk"
    )
    return 0


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n} B"


def _age(seconds: float) -> str:
    for unit in ("w", "d", "h", "m"):
        if seconds >= _UNITS[unit]:
            return f"{seconds / _UNITS[unit]:g}{unit}"
    return f"{seconds:g}s"


def _when(ts: float | None) -> str:
    if ts is None:
        return "-"
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts))
    ago = max(time.time() - ts, 0)
    unit = next((u for u in ("w", "d", "h", "m") if ago >= _UNITS[u]), "s")
    return f"{stamp} ({int(ago // _UNITS[unit])}{unit} ago)"
