"""docs/pack-seed.md: a section for every template, and every command in it runs as written."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from seed_params import SAML_METADATA
from test_seed_layer_cake import cli

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "pack-seed.md"


def test_docs_have_a_section_for_every_template(seed_registry):
    text = DOCS.read_text(encoding="utf-8")
    names = [e.name for e in seed_registry.all("template") if e.source == "pack:seed"]
    assert [n for n in names if f"**`{n}`**" not in text] == []
    for kind in ("component", "dynamic", "registry"):
        assert [e.name for e in seed_registry.all(kind) if e.source == "pack:seed" and f"`{e.name}`" not in text] == []


def doc_commands() -> list[list[str]]:
    text = DOCS.read_text(encoding="utf-8")
    lines = [line for block in re.findall(r"```sh\n(.*?)```", text, re.S) for line in block.splitlines()]
    return [shlex.split(line)[1:] for line in lines if line.startswith("sparkleform ")]


def test_every_documented_command_runs(tmp_path):
    if cli(tmp_path, "create", "--help", check=False).returncode != 0:
        pytest.skip("`sparkleform create` is not available yet")
    (tmp_path / "adfs-params.json").write_text(json.dumps({"SamlMetadataDocument": SAML_METADATA}))
    commands = doc_commands()
    assert len(commands) >= 12
    ran = 0
    available = {"create": True}
    for args in commands:
        args = [a.replace("src/sparkleform/", str(ROOT / "src" / "sparkleform") + "/") for a in args]
        if args[0] not in available:
            available[args[0]] = cli(tmp_path, args[0], "--help", check=False).returncode == 0
        if not available[args[0]]:
            continue  # a verb another part of the project has not shipped yet (e.g. convert)
        proc = cli(tmp_path, *args, check=False)
        assert proc.returncode == 0, f"docs command failed: sparkleform {shlex.join(args)}\n{proc.stderr}"
        ran += 1
    assert ran >= 12
