"""Azure OpenAI's error responses, with the bodies Azure really sends.

Every refusal is one exception, ``AzureError`` (status, the exact body bytes, extra
headers): code anywhere below ``app.py`` does ``raise errors.invalid_request(...)`` and the
app renders it once, adding Azure's request-id, region and rate-limit headers. The texts
are the ones Azure documents and sends; where Azure passes an error through from the model
service they are the ``invalid_request_error`` family. Nothing here ever echoes a key.
"""

from __future__ import annotations

import json
import math

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class AzureError(Exception):
    """An error response as Azure sends it: status, JSON body bytes and extra headers."""

    def __init__(self, status: int, body: dict | bytes,
                 headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.body = body if isinstance(body, bytes) else _dumps(body).encode()
        self.headers = dict(headers or {})
        # The x-ratelimit-remaining-* values as of a 429's refusal (None: read them on sending).
        self.remaining: tuple[int, int] | None = None
        super().__init__(status, self.body)

    def __repr__(self) -> str:
        return f"AzureError({self.status}, {self.body!r})"


def azure_error(status: int, code: str | None, message: str, **extra: object) -> AzureError:
    """Azure's own envelope: ``{"error": {"code": ..., "message": ...}}``."""
    return AzureError(status, {"error": {"code": code, "message": message, **extra}})


def invalid_request(message: str, param: str | None = None, code: str | None = None,
                    status: int = 400) -> AzureError:
    """The OpenAI-style validation error Azure passes through for bad parameters."""
    return AzureError(status, {"error": {"message": message, "type": "invalid_request_error",
                                         "param": param, "code": code}})


def resource_not_found() -> AzureError:
    # Byte for byte as Azure sends it, including the space after "message":.
    return AzureError(404, b'{"error":{"code":"404","message": "Resource not found"}}')


def api_version_not_supported() -> AzureError:
    return azure_error(400, "BadRequest", "API version not supported")


def invalid_key() -> AzureError:
    return azure_error(
        401, "401",
        "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
        "provide a valid key for an active subscription and use a correct regional API "
        "endpoint for your resource.",
    )


def missing_key() -> AzureError:
    return AzureError(401, {
        "statusCode": 401, "message": "Access denied due to missing subscription key. Make "
        "sure to include subscription key when making requests to an API."})


def deployment_not_found() -> AzureError:
    return azure_error(
        404, "DeploymentNotFound",
        "The API deployment for this resource does not exist. If you created the deployment "
        "within the last 5 minutes, please wait a moment and try again.",
    )


def operation_not_supported(operation: str, model: str) -> AzureError:
    return azure_error(
        400, "OperationNotSupported",
        f"The {operation} operation does not work with the specified model, {model}. Please "
        "choose different model and try again. You can learn more about which models can be "
        "used with each operation here: https://go.microsoft.com/fwlink/?linkid=2197993.",
    )


def unparsable_json() -> AzureError:
    return invalid_request(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
        "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
        "sent was not valid JSON. If you have trouble figuring out how to fix this, please "
        "contact us through our help center at help.openai.com.)"
    )


def request_too_large(limit: int) -> AzureError:
    return azure_error(413, "RequestEntityTooLarge",
                       f"The request body is too large. The maximum size is {limit} bytes.")


def content_filtered(filter_results: dict) -> AzureError:
    return AzureError(400, {"error": {
        "message": "The response was filtered due to the prompt triggering Azure OpenAI's "
        "content management policy. Please modify your prompt and retry. To learn more about "
        "our content filtering policies please read our documentation: "
        "https://go.microsoft.com/fwlink/?linkid=2198766",
        "type": None, "param": "prompt", "code": "content_filter", "status": 400,
        "innererror": {"code": "ResponsibleAIPolicyViolation",
                       "content_filter_result": filter_results},
    }})


_OPERATION_IDS = {"completions": "Completions_Create", "chat": "ChatCompletions_Create",
                  "embeddings": "embeddings_create"}


def retry_headers(seconds: float) -> dict[str, str]:
    """Azure sends both; the openai SDK prefers the millisecond one."""
    return {"retry-after": str(max(1, math.ceil(seconds))),
            "retry-after-ms": str(max(1, math.ceil(seconds * 1000)))}


def rate_limited(operation: str, api_version: str, what: str, retry_after: float,
                 remaining: tuple[int, int] | None = None) -> AzureError:
    """429; ``what`` is "token" or "call", ``retry_after`` in seconds, ``remaining`` the
    (requests, tokens) left when it was refused."""
    seconds = max(1, round(retry_after))
    error = azure_error(
        429, "429",
        f"Requests to the {_OPERATION_IDS.get(operation, operation)} Operation under Azure "
        f"OpenAI API version {api_version} have exceeded {what} rate limit of your current "
        f"OpenAI S0 pricing tier. Please retry after {seconds} "
        f"second{'s' if seconds != 1 else ''}. Please go here: "
        "https://aka.ms/oai/quotaincrease if you would like to further increase the default "
        "rate limit.",
    )
    error.headers.update(retry_headers(retry_after))
    error.remaining = remaining
    return error


def server_error(request_id: str) -> AzureError:
    return AzureError(500, {"error": {
        "message": "The server had an error while processing your request. Sorry about that! "
        "You can retry your request, or contact us through an Azure support request at: "
        "https://go.microsoft.com/fwlink/?linkid=2213926 if the error persists. (Please include "
        f"the request ID {request_id} in your message.)",
        "type": "server_error", "param": None, "code": None}})


def service_unavailable(retry_after: float | None = None) -> AzureError:
    """503; with ``retry_after`` (seconds) it carries Retry-After headers."""
    error = azure_error(503, "ServiceUnavailable",
                        "The service is temporarily unable to process your request. "
                        "Please try again later.")
    if retry_after is not None:
        error.headers.update(retry_headers(retry_after))
    return error
