"""Settings are validated when they are read: a value of the wrong type or out of range, from a
``CNC_KG_*`` variable, a TOML key or a command-line option, is one line naming where it came
from, the value and what is allowed; the command exits 2 without a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.config import SettingError, load_settings

CNC_KG = Path(sys.executable).parent / "cnc-kg"
EXIT_USAGE = 2


@pytest.mark.parametrize(("variable", "value", "named"), [
    ("CNC_KG_QUERY_TIMEOUT", "ten", "a number"),
    ("CNC_KG_QUERY_TIMEOUT", "-5", "≥"),
    ("CNC_KG_MAX_RESULT_ROWS", "0", "whole number ≥ 1"),
    ("CNC_KG_MAX_RESULT_ROWS", "1.5", "whole number"),
    ("CNC_KG_PORT", "99999", "from 1 to 65535"),
    ("CNC_KG_WORKERS", "0", "from 1 to 64"),
    ("CNC_KG_QUERY_TIMEOUT", "nan", "a number"),
    ("CNC_KG_PUBLIC_URL", "kg.example.org", "http(s) URL"),
])
def test_bad_variable_named_with_value_and_rule(monkeypatch, variable, value, named):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message
    assert variable in message and repr(value) in message and named in message


@pytest.mark.parametrize(("line", "key", "named"), [
    ("query_timeout = -5", "query_timeout", "≥ 0.01"),
    ("max_result_rows = 0", "max_result_rows", "≥ 1"),
    ("workers = true", "workers", "whole number"),
    ('threads = "four"', "threads", "whole number"),
    ("service_allow = [1, 2]", "service_allow", "list of strings"),
    ("no_such_setting = 1", "no_such_setting", "unknown setting"),
])
def test_bad_toml_key_named_with_file_and_rule(tmp_path, line, key, named):
    config = tmp_path / "cnc-kg.toml"
    config.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(SettingError) as caught:
        load_settings(config_file=config)
    message = str(caught.value)
    assert str(config) in message and key in message and named in message


def test_good_values_accepted_and_public_url_derived(monkeypatch):
    monkeypatch.setenv("CNC_KG_QUERY_TIMEOUT", "2.5")
    settings = load_settings(port=8123)
    assert settings.query_timeout == 2.5
    assert settings.public_url == "http://127.0.0.1:8123/"
    assert load_settings(public_url="https://kg.example.org").public_url == \
        "https://kg.example.org/"


def _cnc_kg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(CNC_KG), *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize(("args", "env", "named"), [
    (("serve", "--port", "99999"), {}, "--port = 99999"),
    (("serve", "--workers", "0"), {}, "--workers = 0"),
    (("serve",), {"CNC_KG_QUERY_TIMEOUT": "ten"}, "CNC_KG_QUERY_TIMEOUT = 'ten'"),
    (("validate",), {"CNC_KG_MAX_RESULT_ROWS": "0"}, "CNC_KG_MAX_RESULT_ROWS = '0'"),
])
def test_cli_one_line_exit_2(built_root, args, env, named):
    done = _cnc_kg("--root", str(built_root), *args, env=env)
    assert done.returncode == EXIT_USAGE
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert named in done.stderr and "Traceback" not in done.stderr


def test_cli_names_the_toml_key(built_root, tmp_path):
    config = tmp_path / "cnc-kg.toml"
    config.write_text("query_timeout = -5\n", encoding="utf-8")
    done = _cnc_kg("--root", str(built_root), "serve", env={"CNC_KG_CONFIG": str(config)})
    assert done.returncode == EXIT_USAGE
    assert done.stderr.strip() == f"cnc-kg: {config}: query_timeout = -5: expected a number ≥ 0.01"
