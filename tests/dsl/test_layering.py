"""Inheritance, merge layering, and one name defined twice in one collection."""

import textwrap

import pytest

from sparkleform.dsl.collection import load_folder
from sparkleform.dsl.parts import Registry
from sparkleform.dsl.templates import build
from sparkleform.errors import CollectionError


def _folder(root, files):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def _layers(tmp_path, *layers):
    registry = Registry()
    for i, files in enumerate(layers):
        load_folder(registry, _folder(tmp_path / f"layer{i}", files), f"layer{i}")
    return registry


def _compile(registry, name, **params):
    return build(registry.get("template", name), registry, params).compile()


SIMPLE = {
    "templates/simple.py": """
        from sparkleform import template

        @template
        def simple(t):
            t.aws_template_format_version = None
            t.root.simple_template = True
        """
}


def test_a_template_inherits_another(tmp_path):
    registry = _layers(tmp_path, SIMPLE, {
        "templates/advanced.py": """
            from sparkleform import template

            @template(inherit="simple")
            def advanced(t):
                t.root.advanced.item = "added"
            """
    })
    assert _compile(registry, "advanced") == {"SimpleTemplate": True, "Advanced": {"Item": "added"}}
    assert _compile(registry, "simple") == {"SimpleTemplate": True}


def test_merge_layering_of_templates_components_and_dynamics(tmp_path):
    core = {
        **SIMPLE,
        "components/common.py": """
            from sparkleform import component

            @component
            def common(t):
                t.outputs.creator.value = "core"
            """,
        "dynamics/node.py": """
            from sparkleform import dynamic

            @dynamic
            def node(t, name, *, size="small"):
                return t.resource(f"{name}_node", "AWS::SQS::Queue", delay_seconds=1)
            """,
        "templates/user.py": """
            from sparkleform import template

            @template(load=["common"])
            def user(t):
                t.dynamic("node", "a").properties.message_retention_period = 60
            """,
    }
    root = {
        "templates/simple.py": """
            from sparkleform import template

            @template(layering="merge")
            def simple(t):
                t.root.modifier = "spox"
            """,
        "components/common.py": """
            from sparkleform import component

            @component(layering="merge")
            def common(t):
                t.outputs.creator.description = "root"
            """,
        "dynamics/node.py": """
            from sparkleform import dynamic

            @dynamic(layering="merge")
            def node(t, name, *, size="small", previous_layer_result=None):
                previous_layer_result.properties.visibility_timeout = 30
                return previous_layer_result
            """,
    }
    registry = _layers(tmp_path, core, root)
    assert _compile(registry, "simple") == {"SimpleTemplate": True, "Modifier": "spox"}
    doc = _compile(registry, "user")
    assert doc["Outputs"] == {"Creator": {"Value": "core", "Description": "root"}}
    assert doc["Resources"]["ANode"]["Properties"] == {
        "DelaySeconds": 1, "VisibilityTimeout": 30, "MessageRetentionPeriod": 60,
    }


def test_without_merge_a_later_layer_replaces(tmp_path):
    registry = _layers(tmp_path, SIMPLE, {
        "templates/simple.py": """
            from sparkleform import template

            @template
            def simple(t):
                t.aws_template_format_version = None
                t.root.replaced = True
            """
    })
    assert _compile(registry, "simple") == {"Replaced": True}


def test_two_definitions_in_one_collection_name_both_files(tmp_path):
    files = {
        "dynamics/a.py": """
            from sparkleform import dynamic

            @dynamic
            def web(t, name):
                pass
            """,
        "dynamics/b.py": """
            from sparkleform import dynamic

            @dynamic
            def web(t, name):
                pass
            """,
    }
    with pytest.raises(CollectionError, match=r"dynamic 'web' is defined twice in layer0: .*dynamics/a.py:4 and .*dynamics/b.py:4"):
        _layers(tmp_path, files)


def test_inheritance_cycles_are_an_error(tmp_path):
    registry = _layers(tmp_path, {
        "templates/loop.py": """
            from sparkleform import template

            @template(inherit="b")
            def a(t):
                pass

            @template(inherit="a")
            def b(t):
                pass
            """
    })
    with pytest.raises(CollectionError, match="inherits itself"):
        _compile(registry, "a")
