"""End-to-end helpers: run the real `sparkleform` CLI (tests/cli_inprocess.py) with state in a tmp dir."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from e2e_support import AWS_ENV, DATA, Cli, Terminal  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "providers"))

import _motoserver


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    pytest.importorskip("sparkleform.providers.local")
    return Cli(cwd=tmp_path, state=tmp_path / "state" / "state.db")


@pytest.fixture
def data() -> Path:
    return DATA


@dataclass
class Cake:
    cli: Cli
    elb: dict  # outputs of coolapp-elb
    asg: dict  # outputs of coolapp-asg


@pytest.fixture(scope="session")
def _baked_cake(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    """The layer cake made once per session through the CLI; tests get copies of its state."""
    pytest.importorskip("sparkleform.providers.local")
    where = tmp_path_factory.mktemp("cake")
    baker = Cli(cwd=where, state=where / "state" / "state.db")
    baker.run("create", "coolapp-elb", str(DATA / "coolapp_elb.json"))
    baker.run("create", "coolapp-asg", str(DATA / "coolapp_asg.json"), "--apply-stack", "coolapp-elb")
    elb = baker.json("outputs", "coolapp-elb")
    asg = baker.json("outputs", "coolapp-asg")
    return baker.state.parent, elb, asg


@pytest.fixture
def cake(tmp_path: Path, _baked_cake: tuple[Path, dict, dict]) -> Cake:
    """A private copy of the baked layer cake (coolapp-elb, coolapp-asg applied on it)."""
    state_dir, elb, asg = _baked_cake
    shutil.copytree(state_dir, tmp_path / "state")
    return Cake(Cli(cwd=tmp_path, state=tmp_path / "state" / "state.db"), dict(elb), dict(asg))


@pytest.fixture(scope="session")
def moto_endpoint():
    """The session's shared moto_server (tests/providers/_motoserver.py)."""
    if shutil.which("moto_server") is None:
        pytest.skip("moto_server is not installed")
    server = _motoserver.acquire()
    yield server.endpoint
    _motoserver.release()
