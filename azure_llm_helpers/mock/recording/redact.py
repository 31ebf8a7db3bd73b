"""Take every secret out of an interaction before it is written (and the same way when a
request is matched during replay, so redaction never breaks a match).

What goes: the caller's key and bearer token wherever they appear, anything shaped like a
key or a token (``SECRET_SHAPES``), the resource's host (replaced by ``HOST_PLACEHOLDER``),
subscription, tenant and principal ids, and the request-id headers.  Request headers are
not kept at all except an allow-list that carries no credential.

Two things that *look* like secrets are kept, because replay needs them byte for byte:
ids with a prefix (``resp_<32 hex>``, ``call_...``: Azure's Responses ids are exactly the
32-hex key shape) and base64 embeddings (long alphanumeric runs occur in them by chance).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..._constants import SECRET_SHAPES

HOST_PLACEHOLDER = "<resource>.openai.azure.com"
REDACTED = "<redacted>"
ZERO_GUID = "00000000-0000-0000-0000-000000000000"
#: Response headers whose values identify one call at one resource; replay makes new ones.
REQUEST_ID_HEADERS = frozenset({"apim-request-id", "x-request-id", "x-ms-client-request-id"})
#: The only request headers written to a recording: none of them can carry a credential.
KEPT_REQUEST_HEADERS = frozenset({"content-type", "accept"})
#: Response headers that describe one hop of one connection (or set state), never replayed.
DROPPED_RESPONSE_HEADERS = frozenset({
    "content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive",
    "date", "set-cookie", "server",
})

_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# Subscription and tenant ids sit after a path segment or a key that names them.
_SCOPED_GUID = re.compile(
    r"((?:subscriptions|tenants|tenant|tenantId|tenant_id|tid|oid|subscriptionId|"
    r"subscription_id|principal|principalId|principal_id|objectId|"
    r"login\.microsoftonline\.com)[\"'`]?\s*[/:=]?\s*[\"'`]?)" + _GUID, re.IGNORECASE)
# A whole JWT, signature included (SECRET_SHAPES' pattern stops after the claims).
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}(?:\.[A-Za-z0-9_-]+)?")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{20,}")  # not "the bearer of"
# ``resp_``, ``msg_``, ``call_``, ``chatcmpl-``...: an id, whatever its digits look like.
_ID_PREFIX = re.compile(r"(?:^|[^A-Za-z0-9])[a-z]{2,12}[_-]$")
# Keys whose string values are base64 vectors, not text.
_BINARY_KEYS = frozenset({"embedding", "b64_json", "data"})
_BASE64 = re.compile(r"[A-Za-z0-9+/]{128,}={0,2}")  # keys are 32 or 84 long


class Redactor:
    """Redacts the secrets of one recording session (``secrets`` are exact strings to drop,
    such as the key a caller sent; ``host`` is the upstream resource's host[:port])."""

    def __init__(self, host: str | None = None, secrets: Iterable[str] = ()) -> None:
        self.host = host
        self._secrets = {s for s in secrets if s and len(s) >= 8}

    def add_secret(self, value: str | None) -> None:
        """Remember a credential seen in a request, so it is removed from everything."""
        if value and len(value) >= 8:
            self._secrets.add(value)
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "bearer" and len(token.strip()) >= 8:
                token = token.strip()
                self._secrets.add(token)

    def text(self, value: str) -> str:
        """Redact one string."""
        for secret in self._secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        if self.host and self.host in value:
            value = value.replace(self.host, HOST_PLACEHOLDER)
        value = _JWT.sub(REDACTED, value)
        value = _BEARER.sub(lambda m: m.group(1) + REDACTED, value)
        value = _SCOPED_GUID.sub(lambda m: m.group(1) + ZERO_GUID, value)
        for shape in SECRET_SHAPES.values():
            value = shape.sub(lambda m: _unless_id(m, REDACTED), value)
        return value

    def final(self, document: str) -> str:
        """A last pass over a whole file: known secrets, tokens and the host, which never
        occur by chance inside a base64 vector (so this pass cannot corrupt one)."""
        for secret in self._secrets:
            document = document.replace(secret, REDACTED)
        if self.host:
            document = document.replace(self.host, HOST_PLACEHOLDER)
        document = _BEARER.sub(lambda m: m.group(1) + REDACTED, document)
        return _JWT.sub(REDACTED, document)

    def json(self, value: Any, key: str = "") -> Any:
        """Redact every string (and key) in a parsed JSON value; base64 vectors are kept."""
        if isinstance(value, str):
            if key in _BINARY_KEYS and _BASE64.fullmatch(value):
                return self._known_only(value)
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(k): self.json(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json(v, key) for v in value]
        return value

    def _known_only(self, value: str) -> str:
        for secret in self._secrets:
            value = value.replace(secret, REDACTED)
        return value

    def request_headers(self, headers: Iterable[tuple[str, str]]) -> dict[str, str]:
        """The request headers worth keeping (an allow-list: credentials never pass)."""
        return {k.lower(): self.text(v) for k, v in headers if k.lower() in KEPT_REQUEST_HEADERS}

    def response_headers(self, headers: Iterable[tuple[str, str]]) -> list[list[str]]:
        kept = []
        for name, value in headers:
            name = name.lower()
            if name in DROPPED_RESPONSE_HEADERS or name in ("api-key", "authorization"):
                continue
            kept.append([name, ZERO_GUID if name in REQUEST_ID_HEADERS else self.text(value)])
        return kept


def _unless_id(match: re.Match[str], replacement: str) -> str:
    before = match.string[max(0, match.start() - 14):match.start()]
    return match.group(0) if _ID_PREFIX.search(before) else replacement
