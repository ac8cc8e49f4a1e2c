"""What looks like a credential in a config: key names, bearer values, URL user info. Pure."""

from __future__ import annotations

import re
from typing import Any

_SECRET_KEY = re.compile(
    r"api[_-]?key|secret|password|passwd|authorization|credential|access[_-]?key"
    r"|(^|[_-])token$|auth[_-]?token|ad[_-]?token|session[_-]?token|^x-api-key$"
    r"|subscription[_-]?key|^cookie$",
    re.IGNORECASE,
)


_SECRET_VALUE = re.compile(r"\s*(bearer|basic)\s+\S|\s*sk-[a-z0-9_-]{8,}", re.IGNORECASE)


_SECRET_QUERY = re.compile(r"key|token|secret|sig|password|auth|code", re.IGNORECASE)


def secret_like_names(value: Any, path: str = "") -> list[str]:
    """Dotted paths of keys (at any depth) that look like they hold a credential. Pure."""
    found: list[str] = []
    if isinstance(value, dict):
        for name, item in value.items():
            where = f"{path}.{name}" if path else str(name)
            if _SECRET_KEY.search(str(name)):
                found.append(where)
            found.extend(secret_like_names(item, where))
    elif isinstance(value, str) and _SECRET_VALUE.match(value):
        found.append(path or "(value)")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found.extend(secret_like_names(item, f"{path}[{i}]"))
    return found


def url_problem(url: str) -> str | None:
    """Why `url` is not a usable, credential-free endpoint URL, or None. Pure."""
    from urllib.parse import parse_qsl, urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http:// or https:// URL with a host"
    if parts.username or parts.password:
        return "must not carry credentials (user:password@); use api_key_env"
    if any(_SECRET_QUERY.search(name) for name, _ in parse_qsl(parts.query)):
        return "must not carry a key in its query string; use api_key_env"
    return None
