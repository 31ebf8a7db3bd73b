"""Azure OpenAI's error responses, with the bodies Azure really sends.

Sources for every text are in ``shared/reference/FIDELITY.md`` (§2, §3, §7).
"""

from __future__ import annotations

from starlette.responses import JSONResponse


def azure_error(status: int, code: str, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status)


def resource_not_found() -> JSONResponse:
    return azure_error(404, "404", "Resource not found")


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
    return azure_error(400, "BadRequest", message, param=param, type="invalid_request_error")
