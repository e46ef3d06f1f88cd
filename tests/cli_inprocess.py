"""The real `sparkleform` CLI entry point (`main`, with its error handling and exit codes) run
in the test process, and the policy deciding when a test's CLI call is a real subprocess.

A subprocess costs a Python start and the CLI's imports (0.4-1 s, boto3 included, on a
loaded 2-core machine); in-process the same `main` runs in milliseconds. Both are what users
run. So `run` starts a real `python -m sparkleform.cli.main` process for the first call of
each (verb, provider, expected exit code) in the session, and runs the rest in-process.
`SPARKLEFORM_TEST_SUBPROCESS=1` makes every call a subprocess (a full check of the process
path: `SPARKLEFORM_TEST_SUBPROCESS=1 pytest tests/e2e tests/fidelity_checks`).

In-process, a call starts as a fresh process would: the cwd and environment of the call, no
terminal on stdin (empty input, or the text given), and what a process keeps for its
lifetime forgotten (`_forget_process_state`): the NoEcho values it masks, and its caches of
the user's files, so a file a test rewrites between two calls, or another test's file of
the same relative name, is read again.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ALL_SUBPROCESS = os.environ.get("SPARKLEFORM_TEST_SUBPROCESS", "") not in ("", "0")

_seen: set[tuple[str, str, int | None]] = set()


def _forget_process_state() -> None:
    """What a fresh process would not have. The NoEcho values seen (masked in everything the
    process prints) and the state files already warned about; and the caches keyed by the
    user's files (a test may rewrite a file between calls, and relative names repeat across
    tests): the collection files loaded and their source locations, the lines read for
    columns and for `# sparkleform: ignore[...]` comments, a project's extra schema folder."""
    from sparkleform import secrets
    from sparkleform.check import columns, suppress
    from sparkleform.dsl import collection, location
    from sparkleform.engine import store
    from sparkleform.spec import schemas, use_schema_dir

    secrets.registry.__init__()  # type: ignore[misc]  # emptied in place: mask() reads this object
    store._warned.clear()
    collection._collections.clear()
    collection._loaded_files.clear()
    location._cache.clear()
    columns._read_lines.cache_clear()
    suppress._read_line_ignores.cache_clear()
    if schemas._extra_dirs:
        use_schema_dir(None)


def call_key(args: Sequence[str], check: int | None) -> tuple[str, str, int | None]:
    """(verb, provider, expected exit code) of a command line."""
    from sparkleform.cli.main import GLOBAL_OPTIONS, hoist_global_options

    hoisted = hoist_global_options(list(args))
    verb, provider, i = "", "local", 0
    while i < len(hoisted):
        arg = hoisted[i]
        name, eq, value = arg.partition("=")
        if name == "--provider":
            provider = value if eq else (hoisted[i + 1] if i + 1 < len(hoisted) else "")
        if name in GLOBAL_OPTIONS or arg.startswith("-"):
            i += 2 if GLOBAL_OPTIONS.get(name) and not eq else 1
            continue
        verb = arg
        break
    return verb, provider, check


def _env(env: Mapping[str, str] | None, no_color: bool) -> dict[str, str | None]:
    """The call's changes to the environment (None: unset): no SPARKLEFORM_* setting of the
    machine running the tests (state file, provider, environment) reaches the call."""
    changes: dict[str, str | None] = {key: None for key in os.environ if key.startswith("SPARKLEFORM_")}
    if no_color:
        changes["NO_COLOR"] = "1"
    changes.update(env or {})
    return changes


def run_subprocess(args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None, *,
                   input: str | None = None, no_color: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m sparkleform.cli.main ARGS` with no terminal (stdin `input`, or /dev/null)."""
    full_env = dict(os.environ)
    for key, value in _env(env, no_color).items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    return subprocess.run(
        [sys.executable, "-m", "sparkleform.cli.main", *args], cwd=cwd, capture_output=True, text=True,
        input=input, stdin=subprocess.DEVNULL if input is None else None, timeout=timeout, env=full_env,
    )


def run_in_process(args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None, *,
                   input: str | None = None, no_color: bool = True) -> subprocess.CompletedProcess:
    """The same call through `sparkleform.cli.main.main` in this process."""
    from click.testing import CliRunner

    from sparkleform.cli.main import main

    _forget_process_state()
    old_cwd = os.getcwd()
    os.chdir(cwd)
    try:
        stdin = (input or "").encode("utf-8")
        with CliRunner().isolation(input=stdin, env=_env(env, no_color)) as (out, err, _):
            try:
                main(list(args))
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            stdout = out.getvalue().decode("utf-8", "replace")
            stderr = err.getvalue().decode("utf-8", "replace")
    finally:
        os.chdir(old_cwd)
    return subprocess.CompletedProcess(["sparkleform", *args], code, stdout, stderr)


def run(args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None, *, check: int | None = 0,
        process: bool | None = None, input: str | None = None, no_color: bool = True) -> subprocess.CompletedProcess:
    """A CLI call: a subprocess when `process` says so, when this (verb, provider, expected
    exit code) has not run as one yet this session, when `env` sets a PYTHON* variable (only a
    new interpreter reads it) or when SPARKLEFORM_TEST_SUBPROCESS is set; in-process otherwise."""
    key = call_key(args, check)
    if process is None:
        starts_python = any(name.startswith("PYTHON") for name in env or {})  # PYTHONPATH: a new interpreter
        process = ALL_SUBPROCESS or starts_python or key not in _seen
    if process:
        _seen.add(key)
        return run_subprocess(args, cwd, env, input=input, no_color=no_color)
    return run_in_process(args, cwd, env, input=input, no_color=no_color)
