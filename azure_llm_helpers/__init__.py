"""Reusable plumbing for the Azure OpenAI course: configuration, auth, clients, diagnosis,
and a local mock of the service (:mod:`azure_llm_helpers.mock`).

Importing this package is cheap: heavy libraries load on first use.
"""

__all__: list[str] = []
