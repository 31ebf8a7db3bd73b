"""The lessons' set-up call: mock and live, key and Entra ID, every mistake stopped with its fix.

Real mock over real HTTP; "live" here is the mock treated as a remote resource through a .env.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from azure_llm_helpers import check_connection, load_settings
from azure_llm_helpers._constants import SECRET_SHAPES
from azure_llm_helpers.lesson import Course, SetupError, setup

ROOT = Path(__file__).resolve().parent.parent
COURSE_VARIABLES = ("AZURE_OPENAI_", "OPENAI_", "IDENTITY_", "AZURE_POD_IDENTITY_")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """setup() writes os.environ, as in a kernel: start clean, restore afterwards."""
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith(COURSE_VARIABLES):
            del os.environ[name]
    monkeypatch.chdir(tmp_path)  # no .env above a temporary folder
    yield
    os.environ.clear()
    os.environ.update(saved)


def write_env(folder: Path, values: dict[str, str]) -> None:
    (folder / ".env").write_text("".join(f"{k}={v}\n" for k, v in values.items()))


def remote_env(mock, **deployments: str) -> dict[str, str]:
    """What a learner copies into .env: endpoint, key, version and deployment names."""
    names = ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION")
    env = {n: mock.env[n] for n in names}
    env.update({f"AZURE_OPENAI_{k.upper()}_DEPLOYMENT": v for k, v in deployments.items()})
    return env


def test_mock_mode_with_a_key(capsys):
    course = setup("mock", "key", completions=None, chat=None)
    out = capsys.readouterr().out
    assert isinstance(course, Course) and course.mock and course.auth_args == {}
    assert course.chat == os.environ["AZURE_OPENAI_CHAT_DEPLOYMENT"]
    assert "✔" in out and f"chat={course.chat}" in out
    assert "127.0.0.1" not in out and "localhost" not in out, "never the mock's port"
    reply = openai.AzureOpenAI(**course.auth_args).chat.completions.create(
        model=course.chat, messages=[{"role": "user", "content": "Tell me a joke"}])
    assert "two-tired" in reply.choices[0].message.content


def test_aad_mode_uses_a_token_provider_never_a_fixed_token(capsys):
    course = setup("mock", "aad", chat=None)
    provider = course.auth_args["azure_ad_token_provider"]
    assert callable(provider) and provider is course.token_provider
    assert "AZURE_OPENAI_API_KEY" not in os.environ and "AZURE_OPENAI_AD_TOKEN" not in os.environ
    reply = openai.AzureOpenAI(**course.auth_args).chat.completions.create(
        model=course.chat, messages=[{"role": "user", "content": "hi"}])
    assert reply.choices
    assert course.v1_api_key is provider
    text = capsys.readouterr().out + repr(course)
    assert not any(shape.search(text) for shape in SECRET_SHAPES.values())


def test_key_mode_after_aad_mode_finds_the_key_again():
    setup("mock", "aad", chat=None, quiet=True)
    course = setup("mock", "key", chat=None, quiet=True)
    assert os.environ["AZURE_OPENAI_API_KEY"] and course.auth_args == {}


def test_a_name_given_wins_over_the_environment(mock):
    write_env(Path.cwd(), remote_env(mock, chat="does-not-exist"))
    course = setup("live", "key", chat=mock.env["AZURE_OPENAI_CHAT_DEPLOYMENT"], quiet=True)
    assert course.chat == mock.env["AZURE_OPENAI_CHAT_DEPLOYMENT"]


def test_live_mode_takes_names_and_key_from_dotenv(mock, capsys):
    chat = mock.env["AZURE_OPENAI_CHAT_DEPLOYMENT"]
    write_env(Path.cwd(), remote_env(mock, chat=chat))
    course = setup("live", "key", chat=None)
    assert course.chat == chat and not course.mock
    assert os.environ["AZURE_OPENAI_ENDPOINT"] == mock.env["AZURE_OPENAI_ENDPOINT"]
    assert "127.0.0.1" not in capsys.readouterr().out
    assert course.fault("status=429") == {}, "no fault injection in live mode"


def test_live_without_dotenv_names_the_missing_endpoint_and_where_to_find_it():
    with pytest.raises(SetupError) as caught:
        setup("live", "key", chat=None)
    text = str(caught.value)
    assert "AZURE_OPENAI_ENDPOINT is not set" in text and "Keys and Endpoint" in text


def test_live_with_the_unedited_example_names_the_placeholders():
    (Path.cwd() / ".env").write_text((ROOT / ".env.example").read_text())
    with pytest.raises(SetupError) as caught:
        setup("live", "key", chat=None)
    text = str(caught.value)
    assert "placeholder" in text and "AZURE_OPENAI_ENDPOINT" in text
    assert "KEY 1" in text


def test_a_misspelt_deployment_stops_the_lesson_with_the_fix(mock):
    write_env(Path.cwd(), remote_env(mock, chat=mock.env["AZURE_OPENAI_CHAT_DEPLOYMENT"],
                                     completions="gpt-35-turbo-instruct-prdo"))
    with pytest.raises(SetupError) as caught:
        setup("live", "key", chat=None, completions=None)
    text = str(caught.value)
    assert "DeploymentNotFound" in text or "Deployment not found" in text
    assert "gpt-35-turbo-instruct-prdo" in text and "Deployments" in text


def test_a_missing_deployment_names_its_variable(mock):
    write_env(Path.cwd(), remote_env(mock))
    with pytest.raises(SetupError, match="AZURE_OPENAI_COMPLETIONS_DEPLOYMENT.*retired"):
        setup("live", "key", completions=None)


def test_an_unreachable_endpoint_is_explained(mock, free_port):
    env = remote_env(mock, chat="x")
    env["AZURE_OPENAI_ENDPOINT"] = f"http://127.0.0.1:{free_port}/"
    write_env(Path.cwd(), env)
    with pytest.raises(SetupError, match="Connection refused"):
        setup("live", "key", chat=None)


@pytest.mark.parametrize(("mode", "auth", "problem"), [
    ("remote", "key", "mode='remote'"), ("mock", "entra", "auth='entra'")])
def test_bad_mode_or_auth_says_which_values_exist(mode, auth, problem):
    with pytest.raises(SetupError, match=problem):
        setup(mode, auth)


def test_setup_error_shows_as_its_message_in_jupyter():
    lines = SetupError("no chat deployment")._render_traceback_()
    assert len(lines) == 1 and "no chat deployment" in lines[0]


def test_check_connection_checks_every_configured_deployment(mock):
    os.environ.update(mock.env)
    settings = load_settings(env_file=None, completions_deployment="gpt-35-turbo-instruct-prdo")
    diagnosis = check_connection(settings)
    assert not diagnosis and diagnosis.code == "DeploymentNotFound"
    assert "prdo" in diagnosis.checked
    assert check_connection(load_settings(env_file=None)).ok


def test_load_settings_speaks_the_lessons_auth_vocabulary(mock):
    os.environ.update(mock.env)
    assert load_settings(env_file=None, auth="aad").api_key is None


@pytest.fixture
def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
