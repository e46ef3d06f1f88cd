"""The schema index is read from either of the layouts cfn-lint has shipped."""

import json

import pytest

from sparkleform.errors import SpecError
from sparkleform.spec import source

SCHEMA = {"typeName": "AWS::Test::Thing", "properties": {"ThingName": {"type": "string"}}, "primaryIdentifier": ["/properties/ThingName"]}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    (tmp_path / "schemas" / "providers").mkdir(parents=True)
    (tmp_path / "schemas" / "resources").mkdir()
    (tmp_path / "schemas" / "resources" / "abc123.json").write_text(json.dumps(SCHEMA))
    monkeypatch.setattr(source, "cfn_lint_data_dir", lambda: tmp_path)
    source._provider_index.cache_clear()
    yield tmp_path
    source._provider_index.cache_clear()


def test_json_index(data_dir):
    (data_dir / "schemas" / "providers" / "us-east-1.json").write_text(json.dumps({"AWS::Test::Thing": "abc123"}))
    index = source._provider_index()
    assert index == {"AWS::Test::Thing": data_dir / "schemas" / "resources" / "abc123.json"}
    assert source.read_schema_file(index["AWS::Test::Thing"])["typeName"] == "AWS::Test::Thing"


def test_python_module_index_read_as_text(data_dir):
    (data_dir / "schemas" / "providers" / "us_east_1.py").write_text(
        'from __future__ import annotations\n\ntypes: dict[str, str] = {\n    "AWS::Test::Thing": "abc123",\n}\n'
    )
    assert list(source._provider_index()) == ["AWS::Test::Thing"]


def test_missing_index_is_a_clear_error(data_dir):
    with pytest.raises(SpecError, match=r"us-east-1\.json and us_east_1\.py"):
        source._provider_index()


def test_the_installed_cfn_lint_has_a_readable_index():
    source._provider_index.cache_clear()
    index = source._provider_index()
    assert "AWS::EC2::Instance" in index and index["AWS::EC2::Instance"].is_file()
