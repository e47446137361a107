"""The hosting files are what the hosted demo needs, and the Docker command line really serves it.

No Docker engine runs here, so the Dockerfile is parsed (base image, non-root user, EXPOSE,
HEALTHCHECK, CMD) and its CMD and HEALTHCHECK are run as they are written, on an ephemeral loopback
port, from the repository root (which is what the image's WORKDIR holds).
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
import streamlit.config as st_config

from tests.e2e.conftest import _free_port

ROOT = Path(__file__).resolve().parents[1]
DEV_ONLY = ("pytest", "hypothesis", "playwright", "ruff", "torch")


# ---------------------------------------------------------------- Dockerfile and .dockerignore


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs: comments dropped, backslash continuations joined."""
    logical: list[str] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    if current:
        logical.append(current)
    pairs = []
    for line in logical:
        word, _, rest = line.partition(" ")
        pairs.append((word.upper(), rest.strip()))
    return pairs


def only(pairs: list[tuple[str, str]], name: str) -> str:
    """The arguments of the last ``name`` instruction (Docker uses the last CMD/USER/...)."""
    found = [args for word, args in pairs if word == name]
    assert found, f"Dockerfile has no {name}"
    return found[-1]


def exec_form(args: str) -> list[str]:
    """A JSON-array (exec form) argument list; shell form is refused (signals, PID 1)."""
    assert args.startswith("["), f"use the exec form (JSON array), got {args!r}"
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value)
    return value


def healthcheck_command(args: str) -> list[str]:
    """The CMD of a ``HEALTHCHECK [--options] CMD [...]`` line."""
    _, sep, command = args.partition("CMD ")
    assert sep, f"HEALTHCHECK without CMD: {args!r}"
    return exec_form(command.strip())


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Whether ``path`` (relative, '/'-separated) is left out of the build context."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pat = pattern[1:] if negate else pattern
        candidates = [pat, pat.removeprefix("**/")] if pat.startswith("**/") else [pat]
        for prefix in prefixes:
            names = [prefix, *(prefix.split("/")[-1:] if pat.startswith("**/") else [])]
            if any(fnmatch.fnmatchcase(n, c) for n in names for c in candidates):
                ignored = not negate
                break
    return ignored


@pytest.fixture(scope="module")
def docker() -> list[tuple[str, str]]:
    return dockerfile_instructions((ROOT / "Dockerfile").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def test_dockerfile_parser_joins_continuations_and_skips_comments() -> None:
    pairs = dockerfile_instructions("# c\nFROM a:1\nENV A=1 \\\n    B=2\n\nUSER x\n")
    assert pairs == [("FROM", "a:1"), ("ENV", "A=1  B=2"), ("USER", "x")]


def test_base_image_is_slim_python_311(docker) -> None:
    image = only(docker, "FROM").split()[0]
    assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?", image), image


def test_runs_as_non_root_user_with_uid_1000(docker) -> None:
    user = only(docker, "USER").split(":")[0]
    assert user not in {"root", "0"}
    runs = " ".join(args for word, args in docker if word == "RUN")
    assert re.search(rf"useradd\b.*--uid 1000\b.*\b{user}\b", runs), "HF Spaces run as uid 1000"
    # USER comes after the last RUN, so nothing at runtime has root rights.
    words = [word for word, _ in docker]
    assert max(i for i, w in enumerate(words) if w == "USER") > max(
        i for i, w in enumerate(words) if w == "RUN"
    )


def test_installs_runtime_pins_only(docker) -> None:
    runs = [args for word, args in docker if word == "RUN" and "pip install" in args]
    assert runs == ["pip install --no-cache-dir -r requirements.txt"]
    pins = [
        ln.split("#")[0].strip()
        for ln in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    ]
    pins = [p for p in pins if p]
    assert pins and all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", p) for p in pins), pins
    assert not any(p.split("==")[0].lower() in DEV_ONLY for p in pins)


def test_exposes_8501_and_healthchecks_the_health_endpoint(docker) -> None:
    assert only(docker, "EXPOSE").split() == ["8501"]
    probe = healthcheck_command(only(docker, "HEALTHCHECK"))
    assert probe[0] == "python", "slim images have no curl: probe with python's urllib"
    assert "http://127.0.0.1:8501/_stcore/health" in " ".join(probe)


def image_env(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """The ``ENV KEY=value ...`` settings of the image (later ones win)."""
    env: dict[str, str] = {}
    for word, args in pairs:
        if word == "ENV":
            for item in args.split():
                key, sep, value = item.partition("=")
                if sep:
                    env[key] = value
    return env


def test_one_blas_thread_per_computation(docker) -> None:
    env = image_env(docker)
    assert env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == "1"


def test_cmd_serves_app_py_on_all_interfaces_port_8501(docker) -> None:
    cmd = exec_form(only(docker, "CMD"))
    assert cmd[:3] == ["streamlit", "run", "app.py"]
    assert "--server.port=8501" in cmd and "--server.address=0.0.0.0" in cmd


def test_build_context_holds_the_runtime_and_leaves_out_the_rest(ignore_patterns) -> None:
    # Committed and new (not git-ignored) files: what a checkout being built would hold.
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()
    from bench.bench_load import page_scripts

    page_dirs = {script.split("/")[0] for script in page_scripts()}
    runtime = [
        p for p in tracked
        if p.split("/")[0] in {"app.py", "landscape", "optimizers", "viz", ".streamlit",
                               "requirements.txt", *page_dirs}
        and not p.endswith(".pyc")
    ]
    assert "app.py" in runtime and ".streamlit/config.toml" in runtime
    assert all(script in runtime for script in page_scripts())
    kept_out = [p for p in runtime if dockerignored(p, ignore_patterns)]
    assert not kept_out, f".dockerignore drops files the app needs: {kept_out}"
    for dev in ("tests/test_deploy.py", "bench", "requirements-dev.txt", ".git/HEAD",
                "landscape/__pycache__/base.cpython-311.pyc"):
        assert dockerignored(dev, ignore_patterns), dev


# ---------------------------------------------------------------- .streamlit/config.toml


@pytest.fixture(scope="module")
def config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def _flatten(table: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def test_every_config_key_is_a_streamlit_option(config) -> None:
    known = set(st_config.get_config_options())
    unknown = sorted(k for k in _flatten(config) if k not in known)
    assert not unknown, f"typos or options this Streamlit does not have: {unknown}"


def test_config_is_production_minded(config) -> None:
    flat = _flatten(config)
    assert flat["server.headless"] is True
    assert flat["browser.gatherUsageStats"] is False
    assert flat["server.fileWatcherType"] == "none"
    assert flat["client.toolbarMode"] == "minimal"
    assert flat["client.showErrorDetails"] == "none", "visitors must not see tracebacks"
    assert 0 < flat["server.maxUploadSize"] <= 5
    # Security defaults kept: neither switched off.
    assert flat.get("server.enableXsrfProtection", True) is True
    assert flat.get("server.enableCORS", True) is True


def test_the_theme_is_light_whatever_the_system_prefers(config) -> None:
    """The figures' colours are chosen on white; Streamlit's dark theme lost near-black optimizers
    and black marks. ``base = "light"`` alone forces it: a [theme.light] or [theme.dark] table
    hands the choice back to the visitor's system (seen in Chromium with a dark colour scheme)."""
    theme = config["theme"]
    assert theme["base"] == "light"
    assert "light" not in theme and "dark" not in theme
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", theme["primaryColor"])


# ---------------------------------------------------------------- the image's command, run here


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode("utf-8", errors="replace")


def _local(argv: list[str], port: int) -> list[str]:
    """The image's argv for this machine: same program via this Python, loopback, free port."""
    if argv[0] == "streamlit":
        argv = [sys.executable, "-m", "streamlit", *argv[1:]]
    elif argv[0] == "python":
        argv = [sys.executable, *argv[1:]]
    return [
        a.replace("8501", str(port)).replace("--server.address=0.0.0.0",
                                              "--server.address=127.0.0.1")
        for a in argv
    ]


def test_docker_cmd_serves_health_and_pages_and_healthcheck_passes(docker, tmp_path) -> None:
    port = _free_port()
    cmd = _local(exec_form(only(docker, "CMD")), port)
    probe = _local(healthcheck_command(only(docker, "HEALTHCHECK")), port)
    assert "--server.address=127.0.0.1" in cmd, "the local run must stay on loopback"
    # The image's ENV and a fresh HOME, like the container's: only the repository's
    # .streamlit/config.toml applies. ($PATH in the image's ENV stays this machine's PATH.)
    settings = {k: v for k, v in image_env(docker).items() if "$" not in v}
    env = {**os.environ, **settings, "HOME": str(tmp_path)}
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stdout.read().decode(errors="replace")
            try:
                status, body = _get(f"{base}/_stcore/health")
                break
            except OSError:
                assert time.monotonic() < deadline, "no health endpoint within 60 s"
                time.sleep(0.3)
        assert (status, body.strip()) == (200, "ok")
        for path in ("/", "/race"):
            status, body = _get(base + path)
            assert status == 200 and "<title>" in body and 'id="root"' in body, path
        healthy = subprocess.run(probe, cwd=ROOT, capture_output=True, timeout=30, check=False)
        assert healthy.returncode == 0, healthy.stderr.decode(errors="replace")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    log = server.stdout.read().decode(errors="replace")
    assert "Traceback" not in log, log
    # The probe fails once the server is gone (it is a real check, not an always-0 command).
    dead = subprocess.run(probe, cwd=ROOT, capture_output=True, timeout=30, check=False)
    assert dead.returncode != 0


def test_theme_uses_the_figures_palette(config) -> None:
    from viz.style import optimizer_color

    palette = {optimizer_color(name).upper() for name in
               ("sgd", "momentum", "nesterov", "adam", "rmsprop", "adagrad", "adamw", "amsgrad",
                "nadam", "radam")}
    theme = config["theme"]
    assert {c.upper() for c in theme["chartCategoricalColors"]} <= palette
    assert theme["primaryColor"].upper() == optimizer_color("sgd").upper()


def test_production_config_hides_exception_details_from_visitors(tmp_path) -> None:
    """With the repository's config an uncaught error shows no message, type or traceback."""
    from streamlit.testing.v1 import AppTest

    script = tmp_path / "boom.py"
    script.write_text("raise ValueError('secret-detail /etc/passwd')\n", encoding="utf-8")
    st_config.get_config_options(force_reparse=True)  # the repository's .streamlit/config.toml
    assert st_config.get_option("client.showErrorDetails") == "none"
    at = AppTest.from_file(str(script), default_timeout=30).run()
    assert len(at.exception) == 1
    shown = at.exception[0]
    text = f"{shown.message} {shown.value} {' '.join(shown.stack_trace)}"
    assert "secret-detail" not in text and "ValueError" not in text
    assert not shown.stack_trace
