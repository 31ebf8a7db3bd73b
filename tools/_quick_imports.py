"""Imported first by the lesson runner: two optional imports that cost seconds and do nothing.

- jsonschema (imported by nbformat) imports ``rfc3987_syntax`` when it is installed
  (JupyterLab's jupyter-events pulls it in), and that module compiles a Lark grammar at
  import: 2-3 s on a quiet machine, 9-11 s on a loaded one. It serves only the "iri"/"uri"
  formats, which notebook validation never checks (nbformat's schemas use no ``format``).
- papermill tries ``papermill.abs`` (Azure Blob Storage paths), which imports azure-identity
  (1-2 s) and then fails on the absent azure-storage-blob, leaving the same stub for
  ``abs://`` paths that an absent module leaves. The runner reads and writes local files.

Marking a module ``None`` in ``sys.modules`` makes its import raise ImportError, which both
libraries catch: the runner's start-up halves, nothing it uses changes.
"""

import sys

for _name in ("rfc3987_syntax", "papermill.abs"):
    sys.modules.setdefault(_name, None)
