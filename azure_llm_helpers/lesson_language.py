"""The language a lesson is read in, and the words its widgets show.

Both editions of a lesson run the same code; the Spanish lessons live in ``notebooks/es/``,
and Jupyter (like papermill and nbval) starts a notebook's kernel in the notebook's folder. So
the kernel's working directory tells the widgets which language to label themselves in. Error
messages stay English everywhere: they are what people search for.
"""

from __future__ import annotations

import os
from pathlib import Path

LANGUAGES = ("en", "es")

_LABELS: dict[str, dict[str, dict[str, str]]] = {
    "configuration_form": {
        "en": {"endpoint": "Endpoint", "api_version": "API version", "auth": "Auth mode",
               "auth_key": "API key", "auth_entra": "Microsoft Entra ID",
               "deployment": "Chat deployment", "api_key": "API key", "file": "File",
               "write": "Write .env"},
        "es": {"endpoint": "Punto de conexión", "api_version": "Versión de API",
               "auth": "Autenticación", "auth_key": "Clave de API",
               "auth_entra": "Id. de Microsoft Entra", "deployment": "Implementación",
               "api_key": "Clave de API", "file": "Archivo", "write": "Escribir .env"},
    },
    "playground": {
        "en": {"deployment": "Deployment", "temperature": "Temperature",
               "max_tokens": "Max tokens", "prompt": "Prompt", "run": "Run"},
        "es": {"deployment": "Implementación", "temperature": "Temperatura",
               "max_tokens": "Máx. tokens", "prompt": "Indicación", "run": "Ejecutar"},
    },
}


def notebook_language(cwd: str | os.PathLike[str] | None = None) -> str:
    """``"es"`` in a kernel started in ``notebooks/es/`` (a Spanish lesson), else ``"en"``."""
    folder = Path.cwd() if cwd is None else Path(cwd)
    return folder.name if folder.name in LANGUAGES else "en"


def widget_labels(widget: str, language: str | None = None) -> dict[str, str]:
    """The labels of one of the course's widgets (``configuration_form``, ``playground``)."""
    if widget not in _LABELS:
        raise ValueError(f"no labels for widget {widget!r}; known: {', '.join(_LABELS)}")
    language = language or notebook_language()
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    return dict(_LABELS[widget][language])
