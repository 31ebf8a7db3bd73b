"""The mock resource's configuration: deployments, key, region, answers, filters, faults.

The file format is TOML (see ``default_config.toml`` beside this module, which is
also the built-in default and documents every key).  A user file is layered over the
default: top-level tables it names replace the default's.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .._constants import LATEST_GA_API_VERSION
from . import lifecycle, reasoning
from .faults import FaultSpec, FaultSpecError, parse_fault_table
from .learner_limits import LearnerLimits, parse_learner_limits
from .user_cache import cached

DEFAULT_CONFIG_PATH = Path(__file__).with_name("default_config.toml")
KINDS = ("completions", "chat", "embeddings", "reasoning")
# What each kind of deployment serves; a reasoning deployment is a chat model that thinks.
_SERVES = {"completions": ("completions",), "chat": ("chat", "responses"),
           "embeddings": ("embeddings",), "reasoning": ("chat", "responses")}
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
    "gpt-4.1": (1047576, 32768),
    "gpt-5": (400000, 128000),
    "gpt-5-mini": (400000, 128000),
    "gpt-5-nano": (400000, 128000),
    "gpt-5.1": (400000, 128000),
    "gpt-5.2": (400000, 128000),
    "o4-mini": (200000, 100000),
    "text-embedding-ada-002": (8191, 0),
    "text-embedding-3-small": (8191, 0),
    "text-embedding-3-large": (8191, 0),
}
_KIND_LIMITS = {"completions": (4097, 4096), "chat": (128000, 16384), "embeddings": (8191, 0),
                "reasoning": (200000, 100000)}
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
    # kind "reasoning": the effort values and default (from the model unless overridden).
    reasoning_rules: reasoning.Rules | None = None
    lifecycle: lifecycle.Lifecycle = field(
        default_factory=lambda: lifecycle.Lifecycle("generally-available"))

    @property
    def reasoning(self) -> bool:
        return self.kind == "reasoning"

    def serves(self, operation: str) -> bool:
        """Whether this deployment answers ``operation`` (else OperationNotSupported)."""
        return operation in _SERVES[self.kind]

    @property
    def response_model(self) -> str:
        """The ``model`` field Azure returns: the underlying model, never the deployment."""
        if self.kind in ("chat", "reasoning") and re.fullmatch(r"\d{4}-\d{2}-\d{2}", self.version):
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
    alternatives: tuple[str, ...] = ()  # what a higher temperature, a seed or n > 1 draws


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
    # A room's learners: key -> learner name. Each key gets rate-limit windows of its own.
    learners: dict[str, str] = field(default_factory=dict, repr=False)
    # Each learner's requests a minute, over Azure's short periods (learner_limits.py).
    learner_limits: LearnerLimits = field(default_factory=LearnerLimits)
    # Model retirement: reported always, enforced only when asked (lifecycle.py).
    retirement: lifecycle.Policy = field(default_factory=lifecycle.Policy)
    responses_deployment: str = ""
    reasoning_deployment: str = ""
    # The whole parsed file, so feature modules (identity, faults) can read their own tables.
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    def first_deployment(self, kind: str) -> str:
        return next((d.name for d in self.deployments.values() if d.kind == kind), "")

    def deployment_for(self, role: str) -> str:
        """The deployment the lessons use for ``role``: "responses" or "reasoning"."""
        named = self.responses_deployment if role == "responses" else self.reasoning_deployment
        if named:
            return named
        if role == "reasoning":
            return next((d.name for d in self.deployments.values()
                         if d.reasoning_rules and d.reasoning_rules.default != "none"), "")
        return next((d.name for d in self.deployments.values() if d.serves("responses")), "")


def load_config(path: str | Path | None = None) -> MockConfig:
    """Read the default configuration, then ``path`` (if given) over it."""
    data = default_data()
    if path is not None:
        data.update(_read(Path(path)))
    try:
        return _build(data)
    except MockConfigError as exc:
        raise MockConfigError(f"{path or DEFAULT_CONFIG_PATH}: {exc}") from None
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise MockConfigError(f"{path or DEFAULT_CONFIG_PATH}: invalid entry ({exc})") from None


def default_data(cache_dir: Path | None = None) -> dict:
    """``default_config.toml`` parsed, from the user's cache when it holds this version of
    the file (``user_cache.py``): importing tomllib and parsing cost 10 ms of every start."""
    raw = DEFAULT_CONFIG_PATH.read_bytes()
    return cached(f"default_config.{sys.implementation.cache_tag}.marshal",
                  hashlib.sha256(raw).hexdigest(), lambda: _read(DEFAULT_CONFIG_PATH),
                  directory=cache_dir, valid=lambda data: isinstance(data, dict))


def _read(path: Path) -> dict:
    import tomllib  # here, not at import: the default configuration usually comes cached

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
        **_model_facts(entry, model, kind, where),
        name=entry["name"], model=model, version=str(entry["version"]), kind=kind,
        requests_per_minute=_int(entry, "requests_per_minute", 0, where),
        tokens_per_minute=_int(entry, "tokens_per_minute", 0, where),
        context_window=_int(entry, "context_window", context, where),
        max_output_tokens=_int(entry, "max_output_tokens", output, where),
        default_max_tokens=_int(entry, "default_max_tokens", 0, where),
        dimensions=_int(entry, "dimensions", _EMBEDDING_DIMENSIONS.get(model, 1536), where),
        faults=faults,
    )


def _model_facts(entry: dict, model: str, kind: str, where: str) -> dict:
    """Reasoning rules and lifecycle dates: the model's published ones, then the entry's."""
    facts: dict = {}
    published = lifecycle.published(model, str(entry["version"]))
    dates = {}
    for key, attr in (("deprecation_date", "deprecation"), ("retirement_date", "retirement")):
        if key in entry:
            try:
                dates[attr] = lifecycle.parse_date(str(entry[key]), f"{where}: {key}")
            except ValueError as exc:
                raise MockConfigError(str(exc)) from None
    facts["lifecycle"] = lifecycle.Lifecycle(
        entry.get("lifecycle_status", published.status),
        dates.get("deprecation", published.deprecation),
        dates.get("retirement", published.retirement))
    if kind == "reasoning":
        rules = reasoning.default_rules(model)
        efforts = tuple(entry.get("reasoning_efforts", rules.efforts))
        default = entry.get("default_reasoning_effort", rules.default)
        unknown = [e for e in (*efforts, default) if e not in reasoning.ALL_EFFORTS]
        if unknown or default not in efforts:
            raise MockConfigError(
                f"{where}: reasoning efforts must be among {reasoning.ALL_EFFORTS} and "
                f"include default_reasoning_effort; got {efforts} / {default!r}")
        facts["reasoning_rules"] = reasoning.Rules(efforts, default, rules.sampling_when_none)
    return facts


def _retirement(resource: dict) -> lifecycle.Policy:
    mode = resource.get("retirement", "report")
    if mode not in lifecycle.MODES:
        raise MockConfigError(f"resource.retirement must be one of {lifecycle.MODES}")
    today = resource.get("today")
    try:
        day = lifecycle.parse_date(str(today), "resource.today") if today else None
    except ValueError as exc:
        raise MockConfigError(str(exc)) from None
    return lifecycle.Policy(mode, day)


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


def _learners(entries: list, api_key: str) -> dict[str, str]:
    """``[[learners]]`` (name, key): one seat each in a shared room (see course/room.py)."""
    found: dict[str, str] = {}
    for entry in entries:
        name, key = entry.get("name", ""), entry.get("key", "")
        if not re.fullmatch(r"[A-Za-z0-9._@-]{1,64}", name):
            raise MockConfigError(f"learners: name {name!r} must be 1-64 letters, digits, . _ @ -")
        if not isinstance(key, str) or len(key) < 16 or key == api_key or key in found:
            raise MockConfigError(f"learners: {name}'s key must be 16+ characters and differ "
                                  "from every other key")
        found[key] = name
    if len(set(found.values())) != len(found):
        raise MockConfigError("learners: each name may appear once")
    return found


def _build(data: dict) -> MockConfig:
    resource = data.get("resource", {})
    deployments = {}
    for entry in data.get("deployments", []):
        dep = _deployment(entry)
        deployments[dep.name] = dep
    answers = tuple(
        CannedAnswer(re.compile(a["pattern"], re.IGNORECASE), a["answer"],
                     tuple(str(x) for x in a.get("alternatives", ())))
        for a in data.get("answers", [])
    )
    tokenizer = resource.get("tokenizer", "cl100k_base")
    if tokenizer not in ("cl100k_base", "approximate"):
        raise MockConfigError("resource.tokenizer must be 'cl100k_base' or 'approximate'")
    api_key = resource.get("api_key") or secrets.token_hex(16)
    return MockConfig(
        api_key=api_key,
        region=resource.get("region", "East US"),
        default_api_version=resource.get("default_api_version", LATEST_GA_API_VERSION),
        deployments=deployments,
        answers=answers,
        filters=tuple(_trigger(t) for t in data.get("content_filters", [])),
        tokenizer=tokenizer,
        max_request_bytes=_int(resource, "max_request_bytes", 8 * 1024 * 1024, "resource"),
        retirement=_retirement(resource),
        responses_deployment=resource.get("responses_deployment", ""),
        reasoning_deployment=resource.get("reasoning_deployment", ""),
        learners=_learners(data.get("learners", []), api_key),
        learner_limits=parse_learner_limits(data.get("learner_limits", {})),
        raw=data,
    )
