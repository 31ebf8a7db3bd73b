"""The mock resource's configuration: deployments, key, region, answers, filters, faults.

The file format is TOML (see ``default_config.toml`` beside this module, which is
also the built-in default and documents every key).  A user file is layered over the
default: top-level tables it names replace the default's.
"""

from __future__ import annotations

import re
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .._constants import LATEST_GA_API_VERSION
from .faults import FaultSpec, FaultSpecError, parse_fault_table

DEFAULT_CONFIG_PATH = Path(__file__).with_name("default_config.toml")
KINDS = ("completions", "chat", "embeddings")
CATEGORIES = ("hate", "self_harm", "sexual", "violence")
SEVERITIES = ("low", "medium", "high")

# Published limits of the models a course is likely to deploy: (context window, max output).
# Unknown models fall back by kind; any deployment can override both in the file.
_MODEL_LIMITS = {
    "gpt-35-turbo-instruct": (4097, 4096),
    "gpt-35-turbo": (16385, 4096),
    "gpt-35-turbo-16k": (16385, 4096),
    "gpt-4": (8192, 4096),
    "gpt-4o": (128000, 16384),
    "gpt-4o-mini": (128000, 16384),
    "text-embedding-ada-002": (8191, 0),
    "text-embedding-3-small": (8191, 0),
    "text-embedding-3-large": (8191, 0),
}
_KIND_LIMITS = {"completions": (4097, 4096), "chat": (128000, 16384), "embeddings": (8191, 0)}
_EMBEDDING_DIMENSIONS = {"text-embedding-3-large": 3072}


class MockConfigError(ValueError):
    """The mock's configuration file is wrong; the message says where."""


@dataclass(frozen=True)
class Deployment:
    """One model deployment on the mock resource."""

    name: str
    model: str
    version: str
    kind: str
    requests_per_minute: int = 0  # 0: no limit
    tokens_per_minute: int = 0  # 0: no limit
    context_window: int = 0
    max_output_tokens: int = 0
    default_max_tokens: int = 0  # applied when a request sets no max_tokens; 0: model limit
    dimensions: int = 1536
    faults: FaultSpec = field(default_factory=FaultSpec)

    @property
    def response_model(self) -> str:
        """The ``model`` field Azure returns: the underlying model, never the deployment."""
        if self.kind == "chat" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", self.version):
            return f"{self.model}-{self.version}"
        return self.model

    @property
    def accepts_dimensions(self) -> bool:
        """Only the text-embedding-3 family lets a caller shorten the vector."""
        return self.model.startswith("text-embedding-3")


@dataclass(frozen=True)
class CannedAnswer:
    pattern: re.Pattern[str]
    answer: str


@dataclass(frozen=True)
class FilterTrigger:
    """A pattern that makes Azure's content filter fire, on the prompt or the completion."""

    pattern: re.Pattern[str]
    category: str
    severity: str
    stage: str  # "prompt" (400 content_filter) or "completion" (finish_reason content_filter)


@dataclass(frozen=True)
class MockConfig:
    """Everything the mock serves; immutable once loaded."""

    api_key: str = field(repr=False)
    region: str
    default_api_version: str
    deployments: dict[str, Deployment]
    answers: tuple[CannedAnswer, ...] = field(default_factory=tuple)
    filters: tuple[FilterTrigger, ...] = field(default_factory=tuple)
    tokenizer: str = "cl100k_base"
    max_request_bytes: int = 8 * 1024 * 1024
    # The whole parsed file, so feature modules (identity, faults) can read their own tables.
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    def first_deployment(self, kind: str) -> str:
        return next((d.name for d in self.deployments.values() if d.kind == kind), "")


def load_config(path: str | Path | None = None) -> MockConfig:
    """Read the default configuration, then ``path`` (if given) over it."""
    data = _read(DEFAULT_CONFIG_PATH)
    if path is not None:
        data.update(_read(Path(path)))
    try:
        return _build(data)
    except MockConfigError as exc:
        raise MockConfigError(f"{path or DEFAULT_CONFIG_PATH}: {exc}") from None
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise MockConfigError(f"{path or DEFAULT_CONFIG_PATH}: invalid entry ({exc})") from None


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MockConfigError(f"mock config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise MockConfigError(f"{path}: not valid TOML ({exc})") from None


def _int(entry: dict, key: str, default: int, where: str) -> int:
    value = entry.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise MockConfigError(f"{where}: {key} must be a whole number >= 0, not {value!r}")
    return value


def _deployment(entry: dict) -> Deployment:
    where = f"deployment {entry.get('name', '?')!r}"
    kind = entry["kind"]
    if kind not in KINDS:
        raise MockConfigError(f"{where}: kind must be one of {KINDS}, not {kind!r}")
    model = entry["model"]
    context, output = _MODEL_LIMITS.get(model, _KIND_LIMITS[kind])
    try:
        faults = parse_fault_table(entry.get("faults", {}))
    except FaultSpecError as exc:
        raise MockConfigError(f"{where}: faults: {exc}") from None
    return Deployment(
        name=entry["name"], model=model, version=str(entry["version"]), kind=kind,
        requests_per_minute=_int(entry, "requests_per_minute", 0, where),
        tokens_per_minute=_int(entry, "tokens_per_minute", 0, where),
        context_window=_int(entry, "context_window", context, where),
        max_output_tokens=_int(entry, "max_output_tokens", output, where),
        default_max_tokens=_int(entry, "default_max_tokens", 0, where),
        dimensions=_int(entry, "dimensions", _EMBEDDING_DIMENSIONS.get(model, 1536), where),
        faults=faults,
    )


def _trigger(entry: dict) -> FilterTrigger:
    category = entry.get("category", "violence")
    severity = entry.get("severity", "medium")
    stage = entry.get("stage", "prompt")
    if category not in CATEGORIES:
        raise MockConfigError(f"content_filters: category must be one of {CATEGORIES}")
    if severity not in SEVERITIES:
        raise MockConfigError(f"content_filters: severity must be one of {SEVERITIES}")
    if stage not in ("prompt", "completion"):
        raise MockConfigError("content_filters: stage must be 'prompt' or 'completion'")
    return FilterTrigger(re.compile(entry["pattern"], re.IGNORECASE), category, severity, stage)


def _build(data: dict) -> MockConfig:
    resource = data.get("resource", {})
    deployments = {}
    for entry in data.get("deployments", []):
        dep = _deployment(entry)
        deployments[dep.name] = dep
    answers = tuple(
        CannedAnswer(re.compile(a["pattern"], re.IGNORECASE), a["answer"])
        for a in data.get("answers", [])
    )
    tokenizer = resource.get("tokenizer", "cl100k_base")
    if tokenizer not in ("cl100k_base", "approximate"):
        raise MockConfigError("resource.tokenizer must be 'cl100k_base' or 'approximate'")
    return MockConfig(
        api_key=resource.get("api_key") or secrets.token_hex(16),
        region=resource.get("region", "East US"),
        default_api_version=resource.get("default_api_version", LATEST_GA_API_VERSION),
        deployments=deployments,
        answers=answers,
        filters=tuple(_trigger(t) for t in data.get("content_filters", [])),
        tokenizer=tokenizer,
        max_request_bytes=_int(resource, "max_request_bytes", 8 * 1024 * 1024, "resource"),
        raw=data,
    )
