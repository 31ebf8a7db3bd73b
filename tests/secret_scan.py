"""Find anything shaped like an Azure key or a bearer token in a notebook's outputs."""

from __future__ import annotations

import json
from pathlib import Path

from azure_llm_helpers._constants import SECRET_SHAPES

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def secrets_in_outputs(path: Path, known: tuple[str, ...] = ()) -> list[str]:
    """Describe every secret-shaped string in the outputs (and parameters) of a notebook."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for index, cell in enumerate(nb.get("cells", [])):
        texts = [json.dumps(_without_widget_ids(out)) for out in cell.get("outputs", [])]
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            texts.append("".join(cell.get("source", "")))
        for text in texts:
            for what, shape in SECRET_SHAPES.items():
                if shape.search(text):
                    found.append(f"{path.name} cell {index}: {what}")
            found += [f"{path.name} cell {index}: a known secret" for k in known if k and k in text]
    return found


def _without_widget_ids(output: dict) -> dict:
    """An output without ipywidgets' view reference, whose model_id is 32 random hex digits."""
    data = output.get("data")
    if not isinstance(data, dict) or WIDGET_VIEW not in data:
        return output
    return {**output, "data": {k: v for k, v in data.items() if k != WIDGET_VIEW}}
