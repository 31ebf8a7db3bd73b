"""The ``[identity]`` and ``[[role_assignments]]`` tables of the mock's config, checked and typed.

See the end of ``default_config.toml`` for every key and the default principals.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from ..._constants import COGNITIVE_SERVICES_RESOURCE
from ..config import MockConfig, MockConfigError

PRINCIPAL_KINDS = ("system_assigned", "user_assigned", "user")
AZURE_CLI_APP_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"  # the Azure CLI's public client id

# Built-in roles and the data actions they grant (docs/fidelity.md, "Identity");
# `*` matches anything.
#: The prefix of every Azure OpenAI data action.
OPENAI_DATA_ACTIONS = "Microsoft.CognitiveServices/accounts/OpenAI"
ROLES: dict[str, tuple[str, ...]] = {
    "Cognitive Services OpenAI User": (
        f"{OPENAI_DATA_ACTIONS}/*/read",
        f"{OPENAI_DATA_ACTIONS}/deployments/completions/action",
        f"{OPENAI_DATA_ACTIONS}/deployments/chat/completions/action",
        f"{OPENAI_DATA_ACTIONS}/deployments/extensions/chat/completions/action",
        f"{OPENAI_DATA_ACTIONS}/deployments/embeddings/action",
        f"{OPENAI_DATA_ACTIONS}/deployments/audio/action",
        f"{OPENAI_DATA_ACTIONS}/deployments/search/action",
        f"{OPENAI_DATA_ACTIONS}/engines/completions/action",
        f"{OPENAI_DATA_ACTIONS}/engines/search/action",
        f"{OPENAI_DATA_ACTIONS}/engines/generate/action",
        f"{OPENAI_DATA_ACTIONS}/images/generations/action",
        f"{OPENAI_DATA_ACTIONS}/responses/*",
    ),
    "Cognitive Services OpenAI Contributor": (f"{OPENAI_DATA_ACTIONS}/*",),
}


@dataclass(frozen=True)
class Principal:
    """A managed identity or a signed-in user, as Entra ID knows it."""

    name: str
    kind: str
    object_id: str
    client_id: str = ""
    resource_id: str = ""
    display_name: str = ""
    token_lifetime: int | None = None

    def claims(self) -> dict[str, Any]:
        """The principal-specific claims of its v1.0 access tokens (docs/fidelity.md)."""
        if self.kind == "user":
            given, _, family = (self.display_name or self.name.split("@")[0]).partition(" ")
            return {
                "acr": "1", "amr": ["pwd", "mfa"], "appid": AZURE_CLI_APP_ID, "appidacr": "0",
                "family_name": family, "given_name": given, "idtyp": "user",
                "name": self.display_name or self.name, "oid": self.object_id,
                "scp": "user_impersonation", "sub": self.object_id, "unique_name": self.name,
                "upn": self.name,
            }
        return {
            "appid": self.client_id, "appidacr": "2", "idtyp": "app", "oid": self.object_id,
            "sub": self.object_id, "xms_mirid": self.resource_id,
        }


@dataclass(frozen=True)
class IdentitySettings:
    tenant_id: str
    subscription_id: str
    subscription_name: str
    token_lifetime: int
    clock_skew: int
    resources: tuple[str, ...]
    imds_has_identity: bool
    principals: tuple[Principal, ...]
    # object id -> role names
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def find(self, kind: str | tuple[str, ...], **ids: str) -> Principal | None:
        """The first principal of ``kind`` whose ids match every given (non-empty) value."""
        kinds = (kind,) if isinstance(kind, str) else kind
        wanted = {k: v for k, v in ids.items() if v}
        for p in self.principals:
            if p.kind in kinds and all(
                getattr(p, k).lower() == v.lower() for k, v in wanted.items()
            ):
                return p
        return None

    def principal_by_name(self, name: str) -> Principal | None:
        return next((p for p in self.principals if name in (p.name, p.object_id)), None)

    def lifetime_for(self, principal: Principal, requested: int | None) -> int:
        """Seconds a new token lives: the principal's or global setting, or less if asked."""
        limit = principal.token_lifetime or self.token_lifetime
        return limit if requested is None else min(requested, limit)

    def resource_known(self, resource: str) -> bool:
        return normalize_resource(resource) in {normalize_resource(r) for r in self.resources}

    def allowed(self, object_id: str, data_action: str) -> bool:
        return any(
            _matches(pattern, data_action)
            for role in self.roles.get(object_id, ()) for pattern in ROLES[role]
        )


def read_settings(config: MockConfig) -> IdentitySettings:
    """Parse the identity tables of ``config.raw``; a bad entry is a ``MockConfigError``."""
    raw = config.raw.get("identity", {})
    try:
        principals = tuple(_principal(p) for p in raw.get("principals", []))
        settings = IdentitySettings(
            tenant_id=str(raw["tenant_id"]),
            subscription_id=str(raw.get("subscription_id", "")),
            subscription_name=str(raw.get("subscription_name", "Azure subscription 1")),
            token_lifetime=_positive(raw.get("token_lifetime", 3600), "token_lifetime"),
            clock_skew=int(raw.get("clock_skew", 0)),
            resources=tuple(raw.get("resources", [COGNITIVE_SERVICES_RESOURCE])),
            imds_has_identity=bool(raw.get("imds_has_identity", False)),
            principals=principals,
        )
    except KeyError as exc:
        raise MockConfigError(f"[identity] is missing {exc}") from None
    except (TypeError, ValueError) as exc:
        raise MockConfigError(f"[identity]: invalid entry ({exc})") from None
    roles: dict[str, list[str]] = {}
    for entry in config.raw.get("role_assignments", []):
        who, role = entry.get("principal", ""), entry.get("role", "")
        principal = settings.principal_by_name(who)
        if principal is None:
            raise MockConfigError(f"[[role_assignments]]: no principal named {who!r}")
        if role not in ROLES:
            raise MockConfigError(
                f"[[role_assignments]]: unknown role {role!r}; known: {', '.join(ROLES)}"
            )
        roles.setdefault(principal.object_id, []).append(role)
    return IdentitySettings(**{
        **settings.__dict__, "roles": {k: tuple(v) for k, v in roles.items()},
    })


def _principal(entry: dict[str, Any]) -> Principal:
    kind = entry.get("kind", "")
    if kind not in PRINCIPAL_KINDS:
        raise ValueError(f"principal {entry.get('name')!r}: kind must be one of {PRINCIPAL_KINDS}")
    lifetime = entry.get("token_lifetime")
    return Principal(
        name=str(entry["name"]), kind=kind, object_id=str(entry["object_id"]),
        client_id=str(entry.get("client_id", "")), resource_id=str(entry.get("resource_id", "")),
        display_name=str(entry.get("display_name", "")),
        token_lifetime=None if lifetime is None else _positive(lifetime, "token_lifetime"),
    )


def _positive(value: object, name: str) -> int:
    number = int(value)  # type: ignore[call-overload]
    if number < 1:
        raise ValueError(f"{name} must be at least 1 second")
    return number


def normalize_resource(resource: str) -> str:
    return resource.rstrip("/").lower()


def _matches(pattern: str, action: str) -> bool:
    # Azure's data-action wildcards: `*` stands for any run of characters, case-insensitive.
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())
