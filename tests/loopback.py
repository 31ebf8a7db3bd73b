"""One HTTP client for the tests' raw requests to the mock.

Each new httpx client reads the CA bundle (0.05 s on a quiet machine, 0.3 s on a loaded
one), so a module that sends a hundred raw requests through ``httpx.post`` spends most of
its time there. Keep-alive connections to the mock are reused, as an SDK's would be.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx


@cache
def client() -> httpx.Client:
    import httpx  # on first use: a module that only imports this pays nothing

    return httpx.Client(timeout=60)
