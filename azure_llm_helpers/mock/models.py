"""``GET /openai/models`` and ``GET /openai/v1/models``: the models behind the deployments.

Each entry has the fields of the v1 spec's ``OpenAI.Model`` (``id``, ``object``,
``created``, ``owned_by``) and those of Azure's models list (``created_at``, ``status``,
``capabilities``, ``lifecycle_status``, ``deprecation``), with the retirement dates
Microsoft Learn publishes (lifecycle.py; docs/fidelity.md, "Model retirement").
"""

from __future__ import annotations

from .config import MockConfig
from .lifecycle import epoch

_CREATED = 1_700_000_000  # a fixed point: the same list every time


def models_list(config: MockConfig) -> dict:
    seen = {}
    for deployment in config.deployments.values():
        seen.setdefault(deployment.response_model, deployment)
    data = []
    for model, d in seen.items():
        entry = {
            "id": model, "object": "model", "created": _CREATED, "owned_by": "system",
            "created_at": _CREATED, "status": "succeeded",
            "lifecycle_status": d.lifecycle.status,
            "capabilities": {"fine_tune": False, "inference": True,
                             "completion": d.serves("completions"),
                             "chat_completion": d.serves("chat"),
                             "embeddings": d.serves("embeddings")},
            "deprecation": {},
        }
        retirement = epoch(d.lifecycle.retirement)
        if retirement is not None:
            entry["deprecation"]["inference"] = retirement
        data.append(entry)
    return {"data": data, "object": "list"}
