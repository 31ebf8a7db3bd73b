"""Azure OpenAI's error responses, with the bodies Azure really sends.

Sources for every text are in ``shared/reference/FIDELITY.md`` (§2, §3, §7); where that
file is silent the texts are the ones public reports show Azure passing through from
the model service (``invalid_request_error`` family).  Nothing here ever echoes a key.
"""

from __future__ import annotations

from starlette.responses import JSONResponse, Response


def azure_error(status: int, code: str | None, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status)


def invalid_request(message: str, param: str | None = None, code: str | None = None,
                    status: int = 400) -> JSONResponse:
    """The OpenAI-style validation error Azure passes through for bad parameters."""
    return JSONResponse({"error": {"message": message, "type": "invalid_request_error",
                                   "param": param, "code": code}}, status)


def resource_not_found() -> Response:
    # Byte for byte as Azure sends it, including the space after "message":.
    return Response(b'{"error":{"code":"404","message": "Resource not found"}}', 404,
                    media_type="application/json")


def api_version_not_supported() -> JSONResponse:
    return azure_error(400, "BadRequest", "API version not supported")


def invalid_key() -> JSONResponse:
    return azure_error(
        401, "401",
        "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
        "provide a valid key for an active subscription and use a correct regional API "
        "endpoint for your resource.",
    )


def missing_key() -> JSONResponse:
    return JSONResponse(
        {"statusCode": 401, "message": "Access denied due to missing subscription key. Make sure "
         "to include subscription key when making requests to an API."},
        401,
    )


def invalid_token() -> JSONResponse:
    return JSONResponse(
        {"statusCode": 401, "message": "Unauthorized. Access token is missing, invalid, audience "
         "is incorrect (https://cognitiveservices.azure.com), or have expired."},
        401,
    )


def permission_denied() -> JSONResponse:
    return azure_error(401, "PermissionDenied", "Principal does not have access to API/Operation.")


def deployment_not_found() -> JSONResponse:
    return azure_error(
        404, "DeploymentNotFound",
        "The API deployment for this resource does not exist. If you created the deployment "
        "within the last 5 minutes, please wait a moment and try again.",
    )


def operation_not_supported(operation: str, model: str) -> JSONResponse:
    return azure_error(
        400, "OperationNotSupported",
        f"The {operation} operation does not work with the specified model, {model}. Please "
        "choose different model and try again. You can learn more about which models can be "
        "used with each operation here: https://go.microsoft.com/fwlink/?linkid=2197993.",
    )


def bad_request(message: str, param: str | None = None) -> JSONResponse:
    return invalid_request(message, param)


def unparsable_json() -> JSONResponse:
    return invalid_request(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
        "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
        "sent was not valid JSON. If you have trouble figuring out how to fix this, please "
        "contact us through our help center at help.openai.com.)"
    )


def request_too_large(limit: int) -> JSONResponse:
    return azure_error(413, "RequestEntityTooLarge",
                       f"The request body is too large. The maximum size is {limit} bytes.")


def content_filtered(filter_results: dict) -> JSONResponse:
    return JSONResponse({"error": {
        "message": "The response was filtered due to the prompt triggering Azure OpenAI's "
        "content management policy. Please modify your prompt and retry. To learn more about "
        "our content filtering policies please read our documentation: "
        "https://go.microsoft.com/fwlink/?linkid=2198766",
        "type": None, "param": "prompt", "code": "content_filter", "status": 400,
        "innererror": {"code": "ResponsibleAIPolicyViolation",
                       "content_filter_result": filter_results},
    }}, 400)


_OPERATION_IDS = {"completions": "Completions_Create", "chat": "ChatCompletions_Create",
                  "embeddings": "embeddings_create"}


def rate_limited(operation: str, api_version: str, what: str, retry_after: int) -> JSONResponse:
    """429; ``what`` is "token" or "call".  Retry-After headers are added by the caller."""
    return azure_error(
        429, "429",
        f"Requests to the {_OPERATION_IDS.get(operation, operation)} Operation under Azure "
        f"OpenAI API version {api_version} have exceeded {what} rate limit of your current "
        f"OpenAI S0 pricing tier. Please retry after {retry_after} "
        f"second{'s' if retry_after != 1 else ''}. Please go here: "
        "https://aka.ms/oai/quotaincrease if you would like to further increase the default "
        "rate limit.",
    )


def server_error(request_id: str) -> JSONResponse:
    return JSONResponse({"error": {
        "message": "The server had an error while processing your request. Sorry about that! "
        "You can retry your request, or contact us through an Azure support request at: "
        "https://go.microsoft.com/fwlink/?linkid=2213926 if the error persists. (Please include "
        f"the request ID {request_id} in your message.)",
        "type": "server_error", "param": None, "code": None}}, 500)


def service_unavailable() -> JSONResponse:
    return azure_error(503, "ServiceUnavailable",
                       "The service is temporarily unable to process your request. "
                       "Please try again later.")
