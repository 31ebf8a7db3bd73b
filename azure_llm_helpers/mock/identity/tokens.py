"""The mock's token issuer: RS256 JWTs shaped like Entra ID v1.0 access tokens, and their check.

One signing key per issuer, made on first use (~60 ms) so the mock's start-up stays fast.
The private key never leaves this object; only the public half is published (JWKS).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

# pyjwt and cryptography cost ~30 ms and several MiB to import; most mock runs never see
# a token, so they are imported on first use (key generation, signing or a bearer check).


class TokenRejected(Exception):
    """A bearer token the data plane must refuse; the message says why (for logs, never a body)."""


class TokenIssuer:
    """Signs and verifies the mock's access tokens for one tenant."""

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        # v1.0 issuer: Azure OpenAI gets v1.0 tokens from managed identity and the Azure CLI.
        self.issuer = f"https://sts.windows.net/{tenant_id}/"
        self._key: rsa.RSAPrivateKey | None = None
        self._kid = ""
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # no key material, ever
        return f"TokenIssuer(issuer={self.issuer!r})"

    @property
    def has_key(self) -> bool:
        return self._key is not None

    def _signing_key(self) -> rsa.RSAPrivateKey:
        with self._lock:
            if self._key is None:
                from cryptography.hazmat.primitives.asymmetric import rsa

                self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
                self._kid = _thumbprint(self._public_jwk_fields())
            return self._key

    def _public_jwk_fields(self) -> dict[str, str]:
        assert self._key is not None
        from jwt.algorithms import RSAAlgorithm

        jwk = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"kty": jwk["kty"], "n": jwk["n"], "e": jwk["e"]}

    @property
    def kid(self) -> str:
        self._signing_key()
        return self._kid

    def jwks(self) -> dict[str, Any]:
        """The public key set, as Entra's ``/discovery/v2.0/keys`` publishes it."""
        self._signing_key()
        key = {**self._public_jwk_fields(), "use": "sig", "kid": self._kid, "issuer": self.issuer}
        return {"keys": [key]}

    def sign(self, claims: dict[str, Any]) -> str:
        """Sign ``claims`` exactly as given (tests use this to make bad tokens on purpose)."""
        key = self._signing_key()
        import jwt

        return jwt.encode(claims, key, algorithm="RS256", headers={"typ": "JWT", "kid": self._kid})

    def issue(
        self, *, audience: str, lifetime: int, principal_claims: dict[str, Any],
        now: float | None = None,
    ) -> tuple[str, int]:
        """A fresh access token for ``audience``; returns ``(token, expires_on)``."""
        iat = int(time.time() if now is None else now)
        exp = iat + lifetime
        claims = {
            "aud": audience, "iss": self.issuer, "iat": iat, "nbf": iat, "exp": exp,
            "aio": _opaque(), "tid": self.tenant_id, "uti": _opaque()[:22], "ver": "1.0",
            "rh": "0." + _opaque(), **principal_claims,
        }
        return self.sign(claims), exp

    def verify(self, token: str, audiences: list[str], leeway: float = 0) -> dict[str, Any]:
        """The claims if this issuer signed the token and it is valid now, else TokenRejected."""
        if self._key is None:  # nothing was ever issued, so nothing can be ours
            raise TokenRejected("no token has been issued by this mock yet")
        import jwt  # already loaded: a key exists, so something was signed

        try:
            header = jwt.get_unverified_header(token)
            if header.get("kid") != self._kid:
                raise TokenRejected("signed with a key this mock does not have")
            return jwt.decode(
                token, self._key.public_key(), algorithms=["RS256"], audience=audiences,
                issuer=self.issuer, leeway=leeway,
                options={"require": ["aud", "iss", "exp", "nbf", "iat", "oid"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRejected("token expired") from None
        except jwt.ImmatureSignatureError:
            raise TokenRejected("token not yet valid (nbf is in the future)") from None
        except jwt.InvalidAudienceError:
            raise TokenRejected("wrong audience") from None
        except jwt.InvalidIssuerError:
            raise TokenRejected("unknown issuer") from None
        except jwt.InvalidSignatureError:
            raise TokenRejected("bad signature") from None
        except jwt.InvalidTokenError as exc:
            raise TokenRejected(f"invalid token ({type(exc).__name__})") from None


def _thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638 JWK thumbprint: a stable key id derived from the public key."""
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _opaque() -> str:
    # Entra's aio/uti/rh claims are opaque; random base64url text of the same flavour.
    return base64.urlsafe_b64encode(uuid.uuid4().bytes * 2).rstrip(b"=").decode()
