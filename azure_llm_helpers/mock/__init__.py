"""A local Azure OpenAI resource that the real SDKs cannot tell from Azure.

>>> from azure_llm_helpers.mock import MockServer
>>> with MockServer() as mock:              # doctest: +SKIP
...     print(mock.url)

It serves ``POST /openai/deployments/{name}/completions``, ``.../chat/completions``,
``.../embeddings`` and ``GET /openai/models`` (the dated API), and the v1 API
``POST /openai/v1/chat/completions``, ``/openai/v1/embeddings``, ``GET /openai/v1/models``
(the deployment in the body's ``model``), with Azure's bodies, headers, streams and
errors; deployments, canned answers, content-filter triggers, rate limits and faults come
from a TOML file documented in ``default_config.toml``.  docs/fidelity.md says what each
behaviour was checked against.

Model retirement: the ``x-mock-retirement`` header
------------------------------------------------------
Deployments of a retired model "always return error responses" on Azure.  The mock reports
Microsoft Learn's retirement dates in the models list but refuses requests only when
asked, per request or for the whole resource (``[resource] retirement = "enforce"``)::

    x-mock-retirement: enforce                    # retired models answer 404, as on Azure
    x-mock-retirement: enforce; today=2027-03-01  # ... as if it were that day
    x-mock-retirement: report                     # never refuse

From the openai SDK: ``OpenAI(..., default_headers={"x-mock-retirement": "enforce"})``.

Fault injection per request: the ``x-mock-fault`` header
---------------------------------------------------------
Semicolon- (or comma-) separated ``key=value`` pairs, layered over the deployment's own
``[deployments.faults]`` table; the keys are the same::

    x-mock-fault: status=429; fail_first=2     # attempts 1 and 2 get 429, the 3rd succeeds
    x-mock-fault: status=503; error_rate=0.5; seed=7
    x-mock-fault: latency_ms=1500              # a slow answer (teach timeouts)
    x-mock-fault: stream_chunk_delay_ms=40     # a paced stream
    x-mock-fault: latency_per_token_ms=20
    x-mock-fault: hang                         # never answers; the client must time out

``fail_first`` counts the openai SDK's attempts (its ``x-stainless-retry-count`` header),
so a lesson re-run fails the same way; without that header it counts requests per
deployment and header value.  ``error_rate`` draws from a random stream seeded by ``seed``.
Injected 429/503 carry ``Retry-After`` and ``retry-after-ms`` (``retry_after_ms``,
default 1000).  From the openai SDK::

    client.chat.completions.create(..., extra_headers={"x-mock-fault": "status=429; fail_first=2"})

An invalid header value gets a 400 naming the bad key.  The header is the mock's own:
Azure ignores it, so the same lesson code runs unchanged against a live resource.
"""

from importlib.util import find_spec


# The mock's server packages are an extra: say how to get them rather than fail deep inside.
def _missing(name: str) -> bool:
    try:
        return find_spec(name) is None
    except ValueError:  # blocked with sys.modules[name] = None
        return True


for _needed in ("uvicorn", "jwt"):
    if _missing(_needed):
        raise ModuleNotFoundError(
            f"azure_llm_helpers.mock needs the [mock] extra, and {_needed!r} is not installed: "
            "run `pip install 'azure-llm-helpers[mock]'` (in the course folder: "
            "`pip install -e '.[mock]'`).", name=_needed)

from .config import Deployment, MockConfig, MockConfigError, load_config  # noqa: E402
from .server import MockServer, RunningMock, ensure_mock  # noqa: E402

__all__ = ["Deployment", "MockConfig", "MockConfigError", "MockServer", "RunningMock",
           "ensure_mock", "load_config"]
