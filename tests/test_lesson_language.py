"""Widgets label themselves in the notebook's language, read from the kernel's folder."""

from __future__ import annotations

import pytest

from azure_llm_helpers.lesson_language import LANGUAGES, notebook_language, widget_labels


def test_a_kernel_in_notebooks_es_is_spanish_anything_else_english(tmp_path):
    assert notebook_language(tmp_path / "notebooks" / "es") == "es"
    assert notebook_language(tmp_path / "notebooks") == "en"
    assert notebook_language(tmp_path / "estudio") == "en"


def test_the_current_folder_decides(tmp_path, monkeypatch):
    (tmp_path / "es").mkdir()
    monkeypatch.chdir(tmp_path / "es")
    assert widget_labels("playground")["run"] == "Ejecutar"
    monkeypatch.chdir(tmp_path)
    assert widget_labels("playground")["run"] == "Run"


@pytest.mark.parametrize("widget", ["configuration_form", "playground"])
def test_every_label_exists_in_every_language_and_is_translated(widget):
    english = widget_labels(widget, "en")
    for language in LANGUAGES:
        labels = widget_labels(widget, language)
        assert labels.keys() == english.keys()
        assert all(labels.values())
    spanish = widget_labels(widget, "es")
    assert spanish["deployment"] == "Implementación"
    assert [k for k in english if english[k] == spanish[k]] == []


def test_an_unknown_widget_or_language_is_named():
    with pytest.raises(ValueError, match="'form'.*configuration_form"):
        widget_labels("form")
    with pytest.raises(ValueError, match="'fr'"):
        widget_labels("playground", "fr")
