"""Configuration: validation against the pipeline's JSON schema plus the checks a schema cannot
express, and the derived quantities every rule needs (settings, update counts, seeds).

Every Snakemake job parses the workflow, which imports this module: the models (torch, ~2 s)
are therefore imported only inside the two checks that need them, which only the submitting
process runs (workflow/rules/common.smk).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import yaml

from rmtsgd.modules import MODULES


class ConfigError(ValueError):
    """A configuration value is missing, malformed or inconsistent; the message names the key."""


def load_yaml(path: str | Path) -> dict:
    """Read one YAML file into a dict."""
    with open(path) as handle:
        return yaml.safe_load(handle) or {}


def merge(base: Mapping, overlay: Mapping) -> dict:
    """Recursive merge of an overlay onto a base config (Snakemake's --configfile semantics)."""
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_config(*paths: str | Path) -> dict:
    """The config a run with these files gets: the first file, then each overlay on top."""
    config: dict = {}
    for path in paths:
        config = merge(config, load_yaml(path))
    return config


def _key(path) -> str:
    return ".".join(str(part) for part in path) or "<top level>"


# Counts must be written as integers: JSON Schema would accept 2.0 as an integer.


_STRICT_TYPES = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool)
)


_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, type_checker=_STRICT_TYPES
)


def validate_config(config: Mapping, schema_path: str | Path) -> None:
    """Raise ConfigError naming the first offending key, or return if the config is usable."""
    schema = load_yaml(schema_path)
    errors = sorted(
        _Validator(schema).iter_errors(config),
        key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))),
    )
    if errors:
        error = errors[0]
        raise ConfigError(f"config key '{_key(error.absolute_path)}': {_describe(error)}")
    _check_declared_deviations(config)
    for module in MODULES:
        module.checker()(config)


def _check_declared_deviations(config: Mapping) -> None:
    """Every declared deviation's band is an interval: low <= high."""
    for module, section in config.items():
        claims = section.get("claims") if isinstance(section, Mapping) else None
        for kind, spec in (claims or {}).items():
            if not isinstance(spec, Mapping):
                continue
            for name, entry in (spec.get("deviates") or {}).items():
                if entry is None:  # an inherited declaration dropped by an overlay
                    continue
                low, high = entry["band"]
                if not low <= high:
                    key = f"{module}.claims.{kind}.deviates.{name}.band"
                    raise ConfigError(
                        f"config key '{key}': expected [low, high], got {[low, high]}"
                    )


def _describe(error: jsonschema.ValidationError) -> str:
    """A reader's version of a schema error: what was found and what was expected."""
    expected = {
        "additionalProperties": "unknown key(s); allowed: "
        + ", ".join(sorted(error.schema.get("properties", {}))),
        "type": f"expected {error.validator_value}",
        "minimum": f"expected a value >= {error.validator_value}",
        "exclusiveMinimum": f"expected a value > {error.validator_value}",
        "exclusiveMaximum": f"expected a value < {error.validator_value}",
        "maximum": f"expected a value <= {error.validator_value}",
        "multipleOf": f"expected a multiple of {error.validator_value}",
        "maxItems": f"expected at most {error.validator_value} items",
        "minItems": "expected a non-empty list"
        if error.validator_value == 1
        else f"expected at least {error.validator_value} items",
        "enum": f"expected one of {error.validator_value}",
        "required": "missing required key",
        "uniqueItems": "expected distinct values",
        "pattern": "names may use only letters, digits, _ and -",
        "minProperties": "expected at least one entry",
    }.get(error.validator, "")
    return f"{error.message} ({expected})" if expected else error.message


def snapshot_schedule(updates: int, every: int) -> np.ndarray:
    """Update counts at which weights are kept: every `every` updates, the last one included."""
    if every <= 0 or every > updates:
        raise ValueError(f"snapshot interval must be in 1..{updates} updates, got {every}")
    steps = np.arange(every, updates + 1, every)
    return steps if steps[-1] == updates else np.append(steps, updates)


def shard_sizes(training: Mapping) -> list[int]:
    """Replicas of each training shard."""
    total, per = training["replicas"], training["replicas_per_shard"]
    return [min(per, total - start) for start in range(0, total, per)]


def derived_seed(base_seed: int, name: str, *indices: int) -> int:
    """Seed of the stream named `name` and `indices` (e.g. a shard; 0 when none is given):
    independent streams per job, stable under reordering of the config."""
    path = indices or (0,)
    sequence = np.random.SeedSequence([base_seed, zlib.crc32(name.encode()), *path])
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def shard_seed(base_seed: int, setting: Any, shard: int) -> int:
    """Seed of one shard of a named setting (anything with a `name`): independent streams per
    setting and shard."""
    return derived_seed(base_seed, setting.name, shard)


def as_plain(value: Any) -> Any:
    """Snakemake hands configs around as its own mapping types: make them plain for JSON."""
    if isinstance(value, Mapping):
        return {str(k): as_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_plain(v) for v in value]
    return value


def fail(key: str, message: str) -> None:
    raise ConfigError(f"config key '{key}': {message}")
