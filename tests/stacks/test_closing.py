"""A verb run inside a longer Python process, and a `with Stacks(...)` block, close the
providers they opened: no state-file connection is left to the garbage collector (a test
session that ran the CLI in-process reached 1,000 open state files)."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import sparkleform
from sparkleform.cli.main import cli

QUEUE = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"


def open_state_files(folder: Path) -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith(str(folder)):
                count += 1
        except OSError:
            continue
    return count


@pytest.fixture
def no_gc():
    gc.disable()  # what is left open must be closed by the code, not by a collection
    yield
    gc.enable()


def test_cli_verbs_close_the_state(tmp_path, monkeypatch, no_gc):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "q.yaml").write_text(QUEUE)
    runner = CliRunner()
    for args in (["create", "s", "q.yaml"], ["describe", "s"], ["plan", "s", "q.yaml"], ["events", "s"],
                 ["outputs", "s"], ["list-stacks"], ["inspect", "s"], ["destroy", "s", "--yes"]):
        result = runner.invoke(cli, ["--state", "st.db", *args])
        assert result.exit_code == 0, (args, result.output)
        assert open_state_files(tmp_path) == 0, args


def test_a_with_block_closes_what_stacks_opened(tmp_path, monkeypatch, no_gc):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "q.yaml").write_text(QUEUE)
    with sparkleform.Stacks(state=tmp_path / "st.db") as stacks:
        stacks.create("s", "q.yaml")
        assert open_state_files(tmp_path) > 0
    assert open_state_files(tmp_path) == 0
    # used again after the block: the providers open anew, and close() closes them again
    stacks.destroy("s")
    assert not stacks.provider.stack_exists("s")
    stacks.close()
    assert open_state_files(tmp_path) == 0
