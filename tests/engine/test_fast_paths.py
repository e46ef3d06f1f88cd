"""The engine's fast paths give exactly what the straightforward code they replace gave."""

from __future__ import annotations

import datetime
import json
import random
import re

import pytest

from sparkleform.engine.errors import TemplateFormatError
from sparkleform.engine.graph import _graphlib_order, order
from sparkleform.engine.ids import event_ids
from sparkleform.engine.prepare import check_references
from sparkleform.engine.store import _encode, dumps


def _random_graph(rng: random.Random) -> dict[str, set[str]]:
    names = [f"R{i}" for i in range(rng.randint(1, 25))]
    rng.shuffle(names)
    deps: dict[str, set[str]] = {}
    for i, name in enumerate(names):
        pool = names[:i] if rng.random() < 0.9 else names  # sometimes allow cycles
        deps[name] = set(rng.sample(pool, min(rng.randint(0, 3), len(pool))))
        if rng.random() < 0.1:
            deps[name].add(f"Outside{i}")  # a node that is only ever a dependency
    return deps


def test_order_is_graphlibs_static_order_including_cycle_errors() -> None:
    rng = random.Random(5)
    for _ in range(2000):
        deps = _random_graph(rng)
        try:
            expected, expected_error = _graphlib_order(deps), None
        except TemplateFormatError as exc:
            expected, expected_error = None, str(exc)
        try:
            got, got_error = order(deps), None
        except TemplateFormatError as exc:
            got, got_error = None, str(exc)
        assert (got, got_error) == (expected, expected_error)


@pytest.mark.parametrize(
    "value",
    [{}, [], 0, 1.5, None, True, "x", "é\n\"", float("nan"), {"a": [1, 2.5, None, False, "ü"], "b": {"c": datetime.date(2020, 1, 2)}}, {1: 2}],
)
def test_dumps_matches_the_json_encoder(value: object) -> None:
    assert dumps(value) == _encode(value)


def test_dumps_still_reports_circular_references() -> None:
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps(loop)


def test_event_ids_are_distinct_uuid4_shaped() -> None:
    ids = event_ids(1000)
    assert len(set(ids)) == 1000
    assert all(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", i) for i in ids)
    assert event_ids(0) == []
    # batches share nothing: 2,000 batches of two give 4,000 distinct ids
    many = [i for _ in range(2000) for i in event_ids(2)]
    assert len(set(many)) == len(many)
    # a batch longer than the count's 4,096 texts stays distinct and of the same shape
    big = event_ids(10_000)
    assert len(set(big)) == 10_000
    assert all(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", i) for i in big)


def test_malformed_getatt_is_still_named_by_its_path() -> None:
    template = {
        "Resources": {
            "Q": {"Type": "AWS::SQS::Queue"},
            "P": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Fn::GetAtt": ["Q"]}}},
        }
    }
    with pytest.raises(TemplateFormatError, match="Fn::GetAtt at Resources/P/Properties/Value is malformed"):
        check_references(template)


def test_unresolved_references_keep_their_order() -> None:
    template = {
        "Resources": {
            "A": {"Type": "AWS::SQS::Queue", "Properties": {"X": [{"Ref": "Zed"}, {"Fn::GetAtt": "Alpha.Arn"}]}},
            "B": {"Type": "AWS::SQS::Queue", "Properties": {"Y": {"Ref": "Zed"}, "Z": {"Ref": "Mid"}}},
        }
    }
    with pytest.raises(TemplateFormatError, match=re.escape("[Zed, Alpha, Mid]")):
        check_references(template)
    assert json.loads(dumps(template)) == template


def test_seed_derived_attributes_are_those_of_an_eager_random(monkeypatch: pytest.MonkeyPatch) -> None:
    import sparkleform.engine.attributes as attributes
    from sparkleform.spec import get_schema, resource_types

    ctx = attributes.SimContext("s", "us-east-1", "123456789012")
    cases = []
    for rtype in resource_types()[::5]:
        for attr in get_schema(rtype).read_only[:8]:
            cases.append((ctx, rtype, "L1", attr, {"SubnetId": "subnet-1"}, "phys-1", "0123456789abcdef"))
    lazy = [attributes.attribute_value(*case) for case in cases]
    monkeypatch.setattr(attributes, "_LazyRandom", random.Random)
    assert lazy == [attributes.attribute_value(*case) for case in cases]
    assert len(cases) > 500


def test_insert_rows_inserts_like_executemany(tmp_path) -> None:
    import sqlite3

    from sparkleform.engine.store import insert_rows

    rows = [(i, f"v{i}", None if i % 3 else i / 2) for i in range(250)]
    rows.append((7, "again", 1.0))  # a conflict within one batch: the later row wins, as with executemany
    results = []
    for use_chunks in (False, True):
        conn = sqlite3.connect(tmp_path / f"t{use_chunks}.db")
        conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, s TEXT, f REAL)")
        conn.execute("CREATE TABLE log (seq INTEGER PRIMARY KEY, k INTEGER)")
        if use_chunks:
            insert_rows(conn, "INSERT OR REPLACE INTO t(k, s, f) VALUES ", rows)
            insert_rows(conn, "INSERT INTO log(k) VALUES ", [(r[0],) for r in rows])
            insert_rows(conn, "INSERT INTO log(k) VALUES ", [])
        else:
            conn.executemany("INSERT OR REPLACE INTO t(k, s, f) VALUES (?,?,?)", rows)
            conn.executemany("INSERT INTO log(k) VALUES (?)", [(r[0],) for r in rows])
        results.append((conn.execute("SELECT * FROM t ORDER BY rowid").fetchall(), conn.execute("SELECT * FROM log").fetchall()))
        conn.close()
    assert results[0] == results[1]


@pytest.mark.parametrize(
    "text",
    ["{}", "[]", '{"a":[1,2.5,null,true,"\\u00e9"]}', ' {"a":1} ', '{"a":1} x', "", "NaN", "1", '"s"', '{"a":1}\n', "[1,", "true"],
)
def test_loads_matches_json_loads(text: str) -> None:
    """The same value as json.loads; where json.loads fails, a StateError (a damaged state
    column is the user's to repair, never a traceback) quoting json's own error."""
    from sparkleform.engine.errors import StateError
    from sparkleform.engine.store import loads

    def outcome(fn):
        try:
            return ("value", repr(fn(text)))
        except StateError as exc:
            return ("error", exc.message.rpartition("(not JSON: ")[2][:-1])
        except Exception as exc:  # the error itself is what is compared
            return ("error", str(exc))

    assert outcome(loads) == outcome(json.loads)


def test_simulate_single_identifier_fast_path_matches_the_general_rule() -> None:
    import sparkleform.engine.attributes as attributes
    from sparkleform.spec import get_schema, resource_types

    ctx = attributes.SimContext("st", "us-east-1", "123456789012")
    checked = 0
    saved = attributes._rng
    try:
        for rtype in resource_types()[::3]:
            idents = get_schema(rtype).primary_identifier or ["Id"]
            if len(idents) != 1 or rtype in attributes.REF_OVERRIDES:
                continue
            for props in ({}, {"Name": "given"}, {idents[0]: "given-id"}):
                attributes._rng = random.Random(7)
                got = attributes.simulate(ctx, rtype, "Logical1", props)
                attributes._rng = random.Random(7)
                value = attributes._identifier_value(ctx, rtype, "Logical1", idents[0], props)
                assert got == (value, {idents[0]: value, attributes.SEED: attributes._new_hex(16)})
                checked += 1
    finally:
        attributes._rng = saved
    assert checked > 300


def test_the_stack_create_returns_is_the_one_describe_reads(tmp_path) -> None:
    from sparkleform.contract import StackOptions
    from sparkleform.providers.local import LocalProvider

    child = {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}, "Outputs": {"Arn": {"Value": {"Ref": "T"}}}}
    template = {
        "Parameters": {"Make": {"Type": "String", "AllowedValues": ["yes", "no"], "Default": "no"}},
        "Conditions": {"Made": {"Fn::Equals": [{"Ref": "Make"}, "yes"]}},
        "Resources": {
            "Skipped": {"Type": "AWS::SQS::Queue", "Condition": "Made"},
            "Kept": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"},
            "Child": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "child.json"}},
            "Answer": {
                "Type": "Custom::Answer",
                "Properties": {"ServiceToken": "local", "Topic": {"Fn::GetAtt": ["Child", "Outputs.Arn"]}},
                "Metadata": {"sparkleform:data": {"Value": "42"}},
            },
            **{f"Q{i}": {"Type": "AWS::SQS::Queue", "DependsOn": "Kept" if i % 2 else "Answer"} for i in range(20)},
        },
        "Outputs": {"Answer": {"Value": {"Fn::GetAtt": ["Answer", "Value"]}}},
    }
    provider = LocalProvider(state=tmp_path / "state.db")
    try:
        created = provider.create_stack("same", template, {}, StackOptions(nested_templates={"child.json": child}))
        assert created == provider.describe_stack("same")
        assert created.resources[0].logical_id == "Kept" and len(created.resources) == 23
        assert "Skipped" not in {r.logical_id for r in created.resources}
    finally:
        provider.close()


def _refers_and_walked(template: dict) -> tuple[dict, dict] | None:
    """(dependencies from check_references' walk, dependencies walked on their own), or None
    when the template's references are refused."""
    from sparkleform.engine.graph import dependencies

    resources = template.get("Resources") or {}
    refers: dict[str, set[str]] = {}
    try:
        check_references(template, set(), [], refers)
    except Exception:  # refused templates have no dependencies to compare
        return None
    return dependencies(resources, None, refers), dependencies(resources, None)


def test_dependencies_from_the_reference_check_are_those_walked_on_their_own() -> None:
    template = {
        "Parameters": {"P": {"Type": "String"}},
        "Resources": {
            "A": {"Type": "AWS::SNS::Topic"},
            "B": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::Sub": "${A}-${A.TopicName}-${!C}-${P}"}}},
            "C": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::Sub": ["${X}", {"X": {"Ref": "B"}}]}}},
            "D": {"Type": "AWS::SNS::Topic", "Metadata": {"Uses": {"Fn::GetAtt": ["C", "TopicName"]}},
                  "UpdatePolicy": {"Ignored": {"Ref": "A"}}, "DependsOn": "A"},
            "E": {"Type": "AWS::SNS::Topic", "Properties": {"Fn::If": ["Never", {"DisplayName": {"Ref": "D"}}, {}]}},
            "F": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::Join": ["", [{"Ref": "E"}, "x"]]}}},
        },
        "Conditions": {"Never": {"Fn::Equals": ["a", "b"]}},
    }
    got, walked = _refers_and_walked(template)
    assert got == walked
    assert got == {"A": set(), "B": {"A"}, "C": {"B"}, "D": {"C", "A"}, "E": {"D"}, "F": {"E"}}


def test_dependencies_from_the_reference_check_match_on_the_corpus(corpus_dir) -> None:
    from corpus_data import corpus_rows
    from sparkleform.formats import load_template

    compared = 0
    for row in corpus_rows():
        if row["parse"] != "ok" or row["transform"] != "none":
            continue
        try:
            template = load_template(corpus_dir / row["path"])[0]
        except Exception:
            continue
        pair = _refers_and_walked(template) if isinstance(template, dict) else None
        if pair is None:
            continue
        assert pair[0] == pair[1], row["path"]
        compared += 1
    assert compared > 100, compared
