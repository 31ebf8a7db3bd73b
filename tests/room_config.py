"""A room's mock configuration for the learner tests: one chat deployment, two learners."""

from __future__ import annotations

ALICE, BOB = "a1" * 16, "b2" * 16
CHAT = """
[[deployments]]
name = "chat"
model = "gpt-4o-mini"
version = "2024-07-18"
kind = "chat"
requests_per_minute = {rpm}
"""
LEARNERS = f"""
[[learners]]
name = "alice"
key = "{ALICE}"

[[learners]]
name = "bob"
key = "{BOB}"
"""
