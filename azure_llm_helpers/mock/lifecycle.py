"""Model lifecycle: deprecation and retirement dates, the mock's clock, and enforcement.

Dates come from Microsoft Learn, "Azure OpenAI model deprecations and retirements"
(docs/fidelity.md, "Model retirement"); a deployment in the config may override them.
Azure says deployments of a retired model "always return error responses".  The mock
reports the dates by default (in the models list; Azure documents no response header for
them) but refuses requests only when enforcement is on: ``[resource] retirement =
"enforce"`` in the config, or per request the ``x-mock-retirement`` header::

    x-mock-retirement: enforce                   # today's date (or [resource] today)
    x-mock-retirement: enforce; today=2027-03-01 # as if it were that day
    x-mock-retirement: report                    # never refuse, even if the config enforces
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

HEADER = "x-mock-retirement"
MODES = ("report", "enforce")


@dataclass(frozen=True)
class Lifecycle:
    """What Microsoft Learn publishes about one model version."""

    status: str  # "generally-available" | "preview", as the models list spells it
    deprecation: dt.date | None = None  # no new customers from this day
    retirement: dt.date | None = None  # every request fails from this day


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# (model, version) first, then model alone.  Source: the retirement table on Microsoft
# Learn (models.md include, ms.date 2025-12-16, with the 2026-10-01 extension for gpt-4o
# and gpt-4o-mini on Global/Data Zone/Provisioned deployments) and the legacy-models page.
CATALOGUE: dict[tuple[str, str | None], Lifecycle] = {
    ("gpt-4o", None): Lifecycle("generally-available", _d("2025-11-20"), _d("2026-10-01")),
    ("gpt-4o-mini", None): Lifecycle("generally-available", _d("2025-07-18"), _d("2026-10-01")),
    ("gpt-4.1", None): Lifecycle("generally-available", _d("2026-04-14"), _d("2026-10-14")),
    ("gpt-4.1-mini", None): Lifecycle("generally-available", _d("2026-04-14"),
                                      _d("2026-10-14")),
    ("gpt-4.1-nano", None): Lifecycle("generally-available", _d("2026-04-14"),
                                      _d("2026-10-14")),
    ("o3", None): Lifecycle("generally-available", _d("2026-04-16"), _d("2026-10-16")),
    ("o4-mini", None): Lifecycle("generally-available", _d("2026-04-16"), _d("2026-10-16")),
    ("o3-mini", None): Lifecycle("generally-available", _d("2026-01-31"), _d("2026-08-02")),
    ("gpt-5-chat", None): Lifecycle("preview", None, _d("2026-03-01")),
    ("gpt-5", None): Lifecycle("generally-available", _d("2026-08-07"), _d("2027-02-06")),
    ("gpt-5-mini", None): Lifecycle("generally-available", _d("2026-08-07"), _d("2027-02-06")),
    ("gpt-5-nano", None): Lifecycle("generally-available", _d("2026-08-07"), _d("2027-02-06")),
    ("gpt-5.1", None): Lifecycle("generally-available", _d("2026-11-13"), _d("2027-05-15")),
    # Published as "no earlier than" dates.
    ("gpt-5.2", None): Lifecycle("generally-available", _d("2026-12-12"), _d("2027-05-12")),
    # Embeddings: "No retirement scheduled. Will not retire before April 15, 2027".
    ("text-embedding-3-small", None): Lifecycle("generally-available", None, _d("2027-04-15")),
    ("text-embedding-3-large", None): Lifecycle("generally-available", None, _d("2027-04-15")),
    ("text-embedding-ada-002", None): Lifecycle("generally-available", None, _d("2027-04-15")),
    # Gone from both tables; the last table that listed it said "no earlier than May 31,
    # 2025" (plausible, see docs/fidelity.md).
    ("gpt-35-turbo-instruct", None): Lifecycle("generally-available", None, _d("2025-05-31")),
}


def published(model: str, version: str) -> Lifecycle:
    """The catalogue entry for a model version (a GA model without dates if unknown)."""
    return (CATALOGUE.get((model, version)) or CATALOGUE.get((model, None))
            or Lifecycle("generally-available"))


def parse_date(text: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{where} must be a date like 2027-02-06, not {text!r}") from None


@dataclass(frozen=True)
class Policy:
    """Whether retirement is enforced, and which day the mock believes it is."""

    mode: str = "report"
    today: dt.date | None = None  # None: the real date (UTC)

    def date(self) -> dt.date:
        return self.today or dt.datetime.now(dt.UTC).date()

    def refuses(self, lifecycle: Lifecycle) -> bool:
        return (self.mode == "enforce" and lifecycle.retirement is not None
                and self.date() >= lifecycle.retirement)


def parse_header(value: str, base: Policy) -> Policy:
    """``enforce`` / ``report``, optionally ``; today=YYYY-MM-DD``; ValueError if malformed."""
    mode, today = base.mode, base.today
    for part in (p.strip() for p in value.replace(",", ";").split(";")):
        if not part:
            continue
        key, _, raw = part.partition("=")
        key = key.strip().lower()
        if key in MODES and not raw:
            mode = key
        elif key == "today" and raw:
            today = parse_date(raw, "today")
        else:
            raise ValueError(f"unknown part {part!r}; use 'enforce', 'report' or "
                             "'today=YYYY-MM-DD'")
    return Policy(mode, today)


def epoch(day: dt.date | None) -> int | None:
    if day is None:
        return None
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
