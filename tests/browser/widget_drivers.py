"""How a learner uses each lesson's widgets, keyed by lesson number."""

from __future__ import annotations

from collections.abc import Callable

DRIVERS: dict[str, Callable] = {}
