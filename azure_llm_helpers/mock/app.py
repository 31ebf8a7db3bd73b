"""The mock's HTTP application: Azure OpenAI's data plane under ``/openai``."""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import errors
from .access import check_access
from .answers import answer_for, count_tokens, created_from, request_digest
from .config import MockConfig
from .identity import identity_routes

SUPPORTED_API_VERSIONS = frozenset({
    "2022-12-01", "2023-05-15", "2024-02-01", "2024-06-01", "2024-10-21",
    "2023-06-01-preview", "2023-07-01-preview", "2023-08-01-preview", "2023-09-01-preview",
    "2023-12-01-preview", "2024-02-15-preview", "2024-03-01-preview", "2024-04-01-preview",
    "2024-05-01-preview", "2024-07-01-preview", "2024-08-01-preview", "2024-09-01-preview",
    "2024-10-01-preview", "2024-12-01-preview", "2025-01-01-preview", "2025-02-01-preview",
    "2025-03-01-preview", "2025-04-01-preview",
})

_SAFE = {"filtered": False, "severity": "safe"}
_CHOICE_FILTERS = {"hate": _SAFE, "self_harm": _SAFE, "sexual": _SAFE, "violence": _SAFE}
_PROMPT_FILTERS = {**_CHOICE_FILTERS, "jailbreak": {"filtered": False, "detected": False}}


def create_app(config: MockConfig) -> Starlette:
    async def completions(request: Request) -> Response:
        return await _handle(request, "completions")

    async def chat_completions(request: Request) -> Response:
        return await _handle(request, "chat")

    async def _handle(request: Request, operation: str) -> Response:
        version = request.query_params.get("api-version")
        if version is None:
            return errors.resource_not_found()
        if version not in SUPPORTED_API_VERSIONS:
            return errors.api_version_not_supported()
        deployment = config.deployments.get(request.path_params["deployment"])
        denied = check_access(request, config, deployment, operation)
        if denied is not None:
            return denied
        if deployment is None:
            return errors.deployment_not_found()
        if deployment.kind != operation:
            name = "completion" if operation == "completions" else "chatCompletion"
            return errors.operation_not_supported(name, deployment.model)
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            return errors.bad_request("Invalid JSON in request body.")
        digest = request_digest(raw, deployment.name)
        if operation == "completions":
            prompt = body.get("prompt", "")
            prompts = prompt if isinstance(prompt, list) else [prompt]
            choices = [
                {"text": answer_for(config, p), "index": i, "finish_reason": "stop",
                 "logprobs": None, "content_filter_results": _CHOICE_FILTERS}
                for i, p in enumerate(prompts)
            ]
            prompt_tokens = sum(count_tokens(p) for p in prompts)
            completion_tokens = sum(count_tokens(c["text"]) for c in choices)
            payload = {"id": f"cmpl-{digest[:29]}", "object": "text_completion"}
            filters = [{"prompt_index": i, "content_filter_results": _PROMPT_FILTERS}
                       for i in range(len(prompts))]
        else:
            messages = body.get("messages", [])
            last = str(messages[-1].get("content", "")) if messages else ""
            text = answer_for(config, last)
            choices = [{
                "content_filter_results": _CHOICE_FILTERS, "finish_reason": "stop", "index": 0,
                "logprobs": None,
                "message": {"content": text, "refusal": None, "role": "assistant"},
            }]
            prompt_tokens = sum(count_tokens(str(m.get("content", ""))) for m in messages)
            completion_tokens = count_tokens(text)
            payload = {"id": f"chatcmpl-{digest[:29]}", "object": "chat.completion",
                       "system_fingerprint": f"fp_{digest[29:39]}"}
            filters = [{"prompt_index": 0, "content_filter_results": _PROMPT_FILTERS}]
        payload.update({
            "choices": choices,
            "created": created_from(digest),
            "model": deployment.response_model,
            "prompt_filter_results": filters,
            "usage": {"completion_tokens": completion_tokens, "prompt_tokens": prompt_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        })
        return JSONResponse(payload, headers={"x-ms-region": config.region})

    async def not_found(request: Request, exc: Exception) -> JSONResponse:
        return errors.resource_not_found()

    routes = [
        Route("/openai/deployments/{deployment}/completions", completions, methods=["POST"]),
        Route("/openai/deployments/{deployment}/chat/completions", chat_completions,
              methods=["POST"]),
        *identity_routes(config),
    ]
    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
