"""Issue 19 item 1: every kind of bad input gives exit 2 and a specific one- or two-line
message through the real CLI, never a traceback."""

from __future__ import annotations

import codecs

import pytest
from cli_runner import assert_input_error, run_cli

QUEUE = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"
DEEP_JSON = "{" + '"a":{' * 500 + '"b":1' + "}" * 501


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "q.yaml").write_text(QUEUE)
    return tmp_path


def write(folder, name, data):
    path = folder / name
    (path.write_bytes if isinstance(data, bytes) else path.write_text)(data)
    return str(path)


@pytest.mark.parametrize("verb", ["create", "plan"])
@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"\xff\xfe\x00\x81garbage", "not UTF-16-LE text"),
        ("A: caf\xe9\n".encode("latin-1"), "not UTF-8 text"),
        (b"A: b\n\x00\x01\x02", "a binary file"),
        ('{"A": ' + "9" * 5000 + "}", "a number is too long"),
        (DEEP_JSON, "nested more than 100 levels deep"),
    ],
)
def test_parameters_file_that_is_not_usable_text(work, verb, data, fragment):
    params = write(work, "p.json", data)
    result = run_cli(verb, "s", "q.yaml", "--parameters-file", params, "--state", str(work / "state.db"))
    assert_input_error(result, fragment)


def test_parameters_file_in_utf16_with_a_bom_is_read(work):
    (work / "t.yaml").write_text("Parameters:\n  A:\n    Type: String\n" + QUEUE)
    params = write(work, "p.json", codecs.BOM_UTF16_LE + '{"A": "hello"}'.encode("utf-16-le"))
    result = run_cli("plan", "s", "t.yaml", "--parameters-file", params, "--state", str(work / "state.db"))
    assert result.code == 0, result.stderr


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        (None, "is a directory, not a file"),
        (b"\xff\xfe\x00\xd8", "not UTF-16-LE text"),
        ("region = 'x'\n".encode("latin-1") + b"\xe9\n", "not UTF-8 text"),
        ('[stacks.a]\ntemplate = "q.yaml"\nparameters = 3\n', "`stacks.a.parameters` must be a table, not int"),
        ('[stacks.a]\ntemplate = "q.yaml"\ntags = ["x"]\n', "`stacks.a.tags` must be a table, not list"),
    ],
)
def test_bad_config_file(work, config, fragment):
    path = str(work) if config is None else write(work, "sparkleform.toml", config)
    assert_input_error(run_cli("--config", path, "up", "--state", str(work / "s.db")), fragment)


@pytest.mark.parametrize("verb", [("validate",), ("compile",), ("graph",), ("import",), ("convert",)])
@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("big.json", '{"Resources":{"Q":{"Type":"AWS::SQS::Queue","Properties":{"DelaySeconds":' + "9" * 5000 + "}}}}",
         "a number of 5,000 characters"),
        ("big.yaml", QUEUE + "    Properties:\n      DelaySeconds: " + "9" * 5000 + "\n", "a number of 5,000 characters"),
        ("deep.json", '{"Resources":{"Q":{"Type":"AWS::SQS::Queue","Metadata":' + DEEP_JSON + "}}}", "nest"),
        ("deep.yaml", QUEUE + "    Metadata: " + "[" * 600 + "]" * 600 + "\n", "nest"),
        ("sur.json", '{"Resources":{"Q\\udfff":{"Type":"AWS::SQS::Queue"}}}', "a lone surrogate"),
        ("bin.yaml", b"Resources:\x00\xff", "not UTF-8 text"),
    ],
)
def test_bad_template_files(work, verb, name, text, fragment):
    path = write(work, name, text)
    assert_input_error(run_cli(*verb, path), fragment)


@pytest.mark.parametrize("verb", ["create", "plan"])
def test_lone_surrogate_in_a_stack_template(work, verb):
    path = write(work, "sur.json", '{"Resources":{"Q\\udfff":{"Type":"AWS::SQS::Queue"}}}')
    assert_input_error(run_cli(verb, "s", path, "--state", str(work / "s.db")), "a lone surrogate")


def test_binary_stdin(work):
    assert_input_error(run_cli("convert", "-", stdin=b"A: \xff\xfe\x00\x81"), "<stdin>", "not UTF-8 text")


@pytest.mark.parametrize(
    ("policy", "fragment"),
    [
        ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":'
         + DEEP_JSON + "}]}", "nested more than 100 levels deep"),
        (b"\xff\xfe\x00\xd8", "not UTF-16-LE text"),
        (b'{"Version": "2012-10-17", \xe9}', "not UTF-8 text"),
    ],
)
def test_bad_policy_file(work, policy, fragment):
    path = write(work, "policy.json", policy)
    assert_input_error(run_cli("iam", "simulate", "--action", "s3:GetObject", "--policy", path), fragment)


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("localhost:5000", "it needs a scheme"),
        ("http://127.0.0.1:99999", "the port must be 0-65535"),
        ("http://127.0.0.1:abc", "Port could not be cast"),
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://", "no valid host name"),
    ],
)
def test_bad_endpoint_url(work, url, fragment):
    result = run_cli("--provider", "aws", "--region", "us-east-1", "--endpoint-url", url, "list-stacks")
    assert_input_error(result, "--endpoint-url", fragment)


@pytest.mark.parametrize(
    "args",
    [
        ("graph", "q.yaml", "-o", "missing/graph.dot"),
        ("convert", "q.yaml", "-o", "missing/q.json"),
        ("compile", "q.yaml", "-o", "/proc/no/such/q.json"),
        ("new", "/proc/no/such/collection"),
    ],
)
def test_writing_into_a_missing_or_unwritable_folder(work, args):
    result = run_cli(*args)
    assert_input_error(result, "cannot")


@pytest.mark.parametrize(
    "properties",
    [
        '{"Tags": "x"}', '{"Tags": [[1]]}', '{"Tags": [{"Key": 1}]}', '{"Tags": [null]}', '{"Tags": {"Key": "a"}}',
        '{"BucketName": {"Fn::Select": [0, {"Fn::Split": ["", "abc"]}]}}',
        '{"BucketName": {"Fn::GetAtt": [1, {"a": 2}]}}',
    ],
)
def test_odd_property_shapes_in_create_end_cleanly(work, properties):
    path = write(work, "t.json", '{"Resources":{"B":{"Type":"AWS::S3::Bucket","Properties":' + properties + "}}}")
    result = run_cli("create", "s", path, "--state", str(work / "s.db"))
    assert result.code in (0, 1, 2) and "Traceback" not in result.stderr, result.stderr
    imported = run_cli("import", path)
    assert imported.code in (0, 2) and "Traceback" not in imported.stderr, imported.stderr
