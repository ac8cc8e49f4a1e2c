"""Loading a config: files (JSON, TOML, YAML), dotted --set overrides, merged and validated,
with one-line errors that name the key."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from workbench.config._model_spec import PANEL_TAGS, ROLES, Models
from workbench.config._run_config import RunConfig
from workbench.config._thresholds import check_reachable
from workbench.errors import ConfigError


def load_config(
    path: str | Path | None = None,
    sets: list[str] | None = None,
    base: RunConfig | dict | None = None,
) -> RunConfig:
    """Build a RunConfig from a file (JSON/TOML/YAML), `--set KEY=VALUE` pairs, or both."""
    if isinstance(base, RunConfig):
        data: dict[str, Any] = base.model_dump(exclude_unset=True)
    else:
        data = dict(base or {})
    if path is not None:
        data = deep_merge(data, read_config_file(Path(path)))
    for item in sets or []:
        key, value = parse_set(item)
        _set_dotted(data, key, value)
    return validate_config(data)


def validate_config(data: dict[str, Any]) -> RunConfig:
    """Validate a plain dict, turning pydantic's report into one clear line."""
    from pydantic import ValidationError

    try:
        config = RunConfig.model_validate(data)
        check_reachable(
            config.thresholds(), config.side_rollouts("weak"), config.side_rollouts("strong")
        )
    except ValidationError as exc:
        raise ConfigError(_one_line(exc)) from None
    except ValueError as exc:
        raise ConfigError(f"config: {exc}") from None
    return config


def parse_set(item: str) -> tuple[str, Any]:
    """`acceptance.weak_max=0.4` -> ("acceptance.weak_max", 0.4); values are JSON when they parse."""
    if "=" not in item:
        raise ConfigError(f"--set expects KEY=VALUE, got {item!r}")
    key, raw = item.split("=", 1)
    key = key.strip()
    if not key or any(not part for part in key.split(".")):
        raise ConfigError(f"--set has an empty key in {item!r}")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key, value


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        if isinstance(node, list):  # a judge panel: `models.judge.N.KEY`
            node = _member(node, part, key)
            continue
        child = node.get(part)
        in_models = depth == 1 and parts[0] == "models" and part in ROLES
        if isinstance(child, str) and in_models:
            child = {"model": child}
        if child is None and in_models:
            child = getattr(Models(), part).model_dump(exclude_defaults=True)
        if not isinstance(child, dict | list) or (isinstance(child, list) and not in_models):
            child = {}
        node[part] = child
        node = child
    if isinstance(node, list):
        _member(node, parts[-1], key)
        node[int(parts[-1])] = value
        return
    node[parts[-1]] = value


def _member(panel: list[Any], part: str, key: str) -> dict[str, Any]:
    """Member `part` (an index) of a judge panel, as a mapping that `--set` can change."""
    if not part.isdigit() or int(part) >= len(panel):
        raise ConfigError(
            f"--set {key}: models.judge is a panel of {len(panel)}: name a member by its "
            f"index (models.judge.0 to models.judge.{len(panel) - 1}), or set models.judge"
        )
    index = int(part)
    if isinstance(panel[index], str):
        panel[index] = {"model": panel[index]}
    return panel[index]


def deep_merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for key, value in b.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def read_config_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read as UTF-8 text: {exc}") from None
    try:
        if path.suffix == ".toml":
            data = tomllib.loads(text)
        elif path.suffix in (".yaml", ".yml"):
            data = _load_yaml(text, path)
        else:
            data = json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"{path}: not valid {path.suffix.lstrip('.').upper() or 'JSON'}: {exc}"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping")
    base = path.parent
    for role, value in (data.get("prompts") or {}).items():
        if isinstance(value, str) and not Path(value).is_absolute():
            data["prompts"][role] = str(base / value)
    return data


def _load_yaml(text: str, path: Path) -> Any:
    try:
        import yaml
    except ImportError:
        raise ConfigError(f"{path}: YAML configs need PyYAML (pip install pyyaml)") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}".replace("\n", " ")) from None


def _one_line(exc: Any) -> str:
    err = exc.errors()[0]
    loc = ".".join(
        str(p) for p in err["loc"] if not str(p).startswith("function-") and p not in PANEL_TAGS
    )
    if err["type"] == "extra_forbidden" and loc.endswith("api_key"):
        return f"config: {loc}: keys never go in a config; set api_key_env to the variable's name"
    if err["type"] == "extra_forbidden":
        parent = loc.rsplit(".", 1)[0] if "." in loc else ""
        known = _known_keys(parent)
        hint = f" (known: {', '.join(known)})" if known else ""
        what = "role" if parent == "models" or parent == "prompts" else "config key"
        return f"config: unknown {what} '{loc}'{hint}"
    msg = err["msg"].removeprefix("Value error, ")
    got = err.get("input")
    secret = "credential" in msg or "key" in msg  # never echo what may be a key
    shown = "" if isinstance(got, dict | list) or got is None or secret else f" (got {got!r})"
    return f"config: {loc + ': ' if loc else ''}{msg}{shown}"


def _known_keys(dotted: str) -> list[str]:
    model: Any = RunConfig
    for part in [p for p in dotted.split(".") if p]:
        field = model.model_fields.get(part)
        if field is None or not isinstance(field.annotation, type):
            return []
        model = field.annotation
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []
