"""The course's own commands, the same on Linux, macOS and Windows.

    python -m azure_llm_helpers.course lab|run|test|doctor|wheelhouse [options]

``make lab`` and friends call this; on Windows (no ``make``) call it directly, e.g.
``py -m azure_llm_helpers.course lab``. It creates ``.venv`` with the standard library's
``venv`` (its layout read from ``sysconfig``: ``Scripts\\`` on Windows, ``bin/`` elsewhere),
installs the course into it with ``uv`` when it can and ``pip`` otherwise, then runs the
command with the venv's interpreter. Everything here but ``doctor``'s in-venv checks uses
the standard library only, so the base interpreter needs nothing installed.
"""
