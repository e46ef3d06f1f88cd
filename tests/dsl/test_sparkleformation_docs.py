"""SparkleFormation's documentation examples, ported in examples/sparkleformation_docs/,
compile to the JSON the documentation shows (fixtures in sparkleformation_docs/, written
from the docs' pages: sparkleformation-dsl.md, building-blocks.md, compile-time-parameters.md,
nested-stacks.md, inheritance-merging.md)."""

import json
from pathlib import Path

import pytest

from sparkleform.dsl.collection import load_folder
from sparkleform.dsl.parts import Registry
from sparkleform.dsl.templates import build
from sparkleform.errors import CollectionError

DOCS = Path(__file__).resolve().parents[2] / "examples" / "sparkleformation_docs"
FIXTURES = Path(__file__).parent / "sparkleformation_docs"


def expected(name):
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture(scope="module")
def core():
    registry = Registry()
    load_folder(registry, DOCS / "core_pack", "core_pack")
    return registry


@pytest.fixture(scope="module")
def layered():
    registry = Registry()
    load_folder(registry, DOCS / "core_pack", "core_pack")
    load_folder(registry, DOCS / "sparkleformation", "sparkleformation")
    return registry


def compiled(registry, name, **params):
    return build(registry.get("template", name), registry, params).compile_all()


@pytest.mark.parametrize("name", [
    "camel_keys", "disable_camel", "local_context", "root_context", "data_access",
    "node_stack", "with_dynamic", "with_namespace", "with_aws_namespace", "with_suffix",
    "successful_template", "instance_stack", "instance_stack_sized", "test", "root_template", "nest_root",
])
def test_docs_example_compiles_to_the_documented_template(layered, name):
    assert compiled(layered, name).template == expected(name)


def test_builtin_dynamic_is_the_same_as_writing_the_resource(layered):
    assert compiled(layered, "with_dynamic").template == compiled(layered, "without_dynamic").template


def test_an_ambiguous_builtin_lists_the_candidates(layered):
    with pytest.raises(CollectionError, match=r"'instance' is ambiguous: .*AWS::EC2::Instance.*AWS::OpsWorks::Instance"):
        compiled(layered, "class_only")


def test_body_components_overrides(layered, monkeypatch):
    monkeypatch.setenv("USER", "sparkle-docs-user")
    assert compiled(layered, "my_template").template == expected("my_template")


def test_compile_time_parameters_and_nesting(layered):
    assert compiled(layered, "test", number_of_nodes="3").template == expected("test-3")
    root = compiled(layered, "root")
    assert root.template == expected("root")
    assert root.nested["root-NodeGenerator.template"].template == expected("root-NodeGenerator")


def test_inheritance_and_merging(core, layered):
    assert compiled(core, "simple").template == expected("simple")
    assert compiled(core, "advanced").template == expected("advanced")
    assert compiled(layered, "simple").template == expected("simple-merged")
    assert compiled(layered, "workers").template == expected("workers")
