"""The Responses API (``/openai/v1/responses`` and the dated ``/openai/responses``).

Modules: ``routes`` (which route, which api-version), ``endpoint`` (the handler mixed into
``MockApp``), ``request`` (body checks), ``conversation`` (``previous_response_id`` and
input items), ``planner`` (the response object), ``events`` (typed SSE events),
``reasoning`` (reasoning deployments), ``schema`` (strict JSON schemas), ``store`` (the
bounded in-memory store).  Nothing is imported here, so the mock starts as fast as before:
the planner loads with the first Responses request.
"""
