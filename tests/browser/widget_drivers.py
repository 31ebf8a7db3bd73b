"""How a learner uses each lesson's widgets, keyed by lesson number.

A driver gets the page (the lesson already run), the JupyterLab server (whose mock the
kernel talks to) and a path prefix for close-up screenshots; it uses the widgets like a
learner and asserts on what they show. Expected
answers come from the mock through the real SDK, never from hard-coded strings.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dotenv import dotenv_values
from openai import AzureOpenAI

from azure_llm_helpers.lesson_language import widget_labels

from .jupyterlab import JupyterLab

# What a learner types into the playground, in the lesson's language.
PLAYGROUND_PROMPTS = {"en": "Write a haiku about deployments", "es": "Cuéntame un chiste"}


def sdk_completion(lab: JupyterLab, deployment: str, prompt: str, max_tokens: int) -> str:
    env = lab.mock.env
    client = AzureOpenAI(azure_endpoint=env["AZURE_OPENAI_ENDPOINT"],
                         api_key=env["AZURE_OPENAI_API_KEY"],
                         api_version=env["OPENAI_API_VERSION"])
    reply = client.completions.create(model=deployment, prompt=prompt, max_tokens=max_tokens)
    return reply.choices[0].text.strip()


def wait_for_text(page, output, needle: str) -> str:
    page.wait_for_function("([el, needle]) => el.innerText.includes(needle)",
                           arg=[output.element_handle(), needle], timeout=30_000)
    return output.inner_text().strip()


def configuration_form(page, lab: JupyterLab, shot: Path) -> None:
    """00: the form starts empty, refuses the mock's endpoint and a missing key, writes .env."""
    write = page.locator("button.widget-button", has_text="Write .env")
    form = page.locator(".widget-vbox", has=write).last
    form.scroll_into_view_if_needed()
    field = {name: form.locator(".widget-inline-hbox", has=page.locator(
        ".widget-label", has_text=name)).locator("input") for name in
        ("Endpoint", "API version", "Deployment", "API key", "File")}
    # Never the mock's endpoint: its port dies with the mock, and mock mode needs no .env.
    assert field["Endpoint"].input_value() == ""
    env = lab.mock.env
    output = form.locator(".widget-output")
    form.locator(".widget-dropdown select").select_option(label="API key")
    field["Endpoint"].fill(lab.mock.url)
    field["API version"].fill(env["OPENAI_API_VERSION"])
    field["Deployment"].fill(env["AZURE_OPENAI_CHAT_DEPLOYMENT"])
    field["File"].fill("from-the-form.env")
    write.click()
    refusal = wait_for_text(page, output, "Not written")
    assert "mock" in refusal.lower(), refusal

    resource = "https://my-resource.openai.azure.com/"
    field["Endpoint"].fill(resource)
    write.click()  # no key yet: a clear refusal, nothing written
    refusal = wait_for_text(page, output, "KEY 1")
    assert "key" in refusal.lower(), refusal
    assert not (lab.notebooks / "from-the-form.env").exists()

    field["API key"].fill(env["AZURE_OPENAI_API_KEY"])
    write.click()
    report = wait_for_text(page, output, "Written to from-the-form.env")
    assert env["AZURE_OPENAI_API_KEY"] not in page.content(), "the key shows in the page"
    form.screenshot(path=f"{shot}-form.png")
    assert "Traceback" not in report, report
    written_file = lab.notebooks / "from-the-form.env"
    written = dotenv_values(written_file)
    written_file.unlink()  # later lessons' file browsers show what a learner's would
    assert written == {
        "AZURE_OPENAI_ENDPOINT": resource, "OPENAI_API_VERSION": env["OPENAI_API_VERSION"],
        "AZURE_OPENAI_CHAT_DEPLOYMENT": env["AZURE_OPENAI_CHAT_DEPLOYMENT"],
        "AZURE_OPENAI_API_KEY": env["AZURE_OPENAI_API_KEY"]}


def playground(page, lab: JupyterLab, shot: Path, language: str = "en") -> None:
    """03: pick the completions deployment, write a prompt, Run, read the answer."""
    labels = widget_labels("playground", language)
    run = page.locator("button.widget-button", has_text=labels["run"])
    form = page.locator(".widget-vbox", has=run).last
    form.scroll_into_view_if_needed()
    select = form.locator(".widget-dropdown select")
    options = select.locator("option").all_inner_texts()
    deployment = next(o for o in options if "instruct" in o)
    select.select_option(label=deployment)
    for name in ("deployment", "temperature", "prompt"):
        assert form.locator(".widget-label", has_text=labels[name]).count() == 1, labels[name]
    prompt = PLAYGROUND_PROMPTS[language]
    form.locator(".widget-textarea textarea").fill(prompt)
    max_tokens = int(form.locator(".widget-readout").nth(1).inner_text())
    output = form.locator(".widget-output")
    assert output.inner_text().strip() == "", "the answer area starts empty"

    run.click()
    page.wait_for_function(
        "el => el.innerText.trim().length > 0", arg=output.element_handle(), timeout=30_000)
    shown = output.inner_text().strip()
    assert "Traceback" not in shown and "Error" not in shown, shown
    form.screenshot(path=f"{shot}-playground.png")
    assert shown == sdk_completion(lab, deployment, prompt, max_tokens)


DRIVERS: dict[str, Callable[..., None]] = {
    "00": configuration_form,
    "03": playground,
}
