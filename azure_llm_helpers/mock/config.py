"""The mock resource's configuration: deployments, key, region and canned answers.

The file format is TOML (see ``default_config.toml`` beside this module, which is
also the built-in default).  A user file is layered over the default: top-level
tables it names replace the default's.
"""

from __future__ import annotations

import re
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CONFIG_PATH = Path(__file__).with_name("default_config.toml")
KINDS = ("completions", "chat", "embeddings")


class MockConfigError(ValueError):
    """The mock's configuration file is wrong; the message says where."""


@dataclass(frozen=True)
class Deployment:
    """One model deployment on the mock resource."""

    name: str
    model: str
    version: str
    kind: str

    @property
    def response_model(self) -> str:
        """The ``model`` field Azure returns: the underlying model, never the deployment."""
        if self.kind == "chat" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", self.version):
            return f"{self.model}-{self.version}"
        return self.model


@dataclass(frozen=True)
class CannedAnswer:
    pattern: re.Pattern[str]
    answer: str


@dataclass(frozen=True)
class MockConfig:
    """Everything the mock serves; immutable once loaded."""

    api_key: str = field(repr=False)
    region: str
    default_api_version: str
    deployments: dict[str, Deployment]
    answers: tuple[CannedAnswer, ...] = field(default_factory=tuple)
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
    except (KeyError, TypeError, re.error) as exc:
        raise MockConfigError(f"{path or DEFAULT_CONFIG_PATH}: invalid entry ({exc})") from exc


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MockConfigError(f"mock config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise MockConfigError(f"{path}: not valid TOML ({exc})") from None


def _build(data: dict) -> MockConfig:
    resource = data.get("resource", {})
    deployments = {}
    for entry in data.get("deployments", []):
        dep = Deployment(
            name=entry["name"], model=entry["model"], version=str(entry["version"]),
            kind=entry["kind"],
        )
        if dep.kind not in KINDS:
            raise MockConfigError(f"deployment {dep.name!r}: kind must be one of {KINDS}")
        deployments[dep.name] = dep
    answers = tuple(
        CannedAnswer(re.compile(a["pattern"], re.IGNORECASE), a["answer"])
        for a in data.get("answers", [])
    )
    return MockConfig(
        api_key=resource.get("api_key") or secrets.token_hex(16),
        region=resource.get("region", "East US"),
        default_api_version=resource.get("default_api_version", "2024-10-21"),
        deployments=deployments,
        answers=answers,
        raw=data,
    )
