"""Typed resource modules: run-time behaviour, and pyright/mypy reading their stubs."""

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import sparkleform as sf
from sparkleform.dsl.node import Node
from sparkleform.dsl.resources import ec2, lambda_, s3

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "sparkleform" / "dsl" / "resources"

DSL_FILE = textwrap.dedent('''
    from sparkleform import ref, tags, template
    from sparkleform.dsl.resources import ec2, s3


    @template
    def web(t):
        ec2.Instance(t, "web", instnce_type="t3.micro")
        ec2.Instance(t, "db", instance_type=5)
        bucket = s3.Bucket(t, "assets", tags=tags(team="web"), versioning_configuration={"Status": "Enabled"})
        with ec2.Instance(t, "app", image_id=ref("ami")) as r:
            r.depends_on = bucket
            with r.properties as p:
                p.instance_type = "t3.micro"
                p.subnet_idd = ref("subnet")
                p.block_device_mappings = [{"DeviceName": "/dev/sdf"}]
                p.launch_template.version = "1"
''')


def test_resource_functions_make_the_same_resources_as_t_resource():
    t = sf.Template("typed")
    web = ec2.Instance(t, "web", instance_type="t3.micro", deletion_policy="Retain")
    with web.properties as p:
        p.subnet_id = sf.ref("subnet")
    s3.Bucket(t, "assets", tags=sf.tags(team="web"))
    lambda_.Function(t, "fn", role="arn", code={"zip_file": "x"})
    res = t.compile()["Resources"]
    assert res["Web"] == {"Type": "AWS::EC2::Instance", "DeletionPolicy": "Retain",
                          "Properties": {"InstanceType": "t3.micro", "SubnetId": {"Ref": "Subnet"}}}
    assert res["Assets"]["Properties"]["Tags"] == [{"Key": "Team", "Value": "web"}]
    assert res["Fn"]["Properties"]["Code"] == {"ZipFile": "x"}
    assert ec2.InstanceProperties is Node  # stub-only view names are nodes at run time
    with pytest.raises(AttributeError, match="AWS::EC2 has no resource type 'Instanse'"):
        ec2.Instanse  # noqa: B018


def _write_project(tmp_path):
    (tmp_path / "web.py").write_text(DSL_FILE)
    (tmp_path / "pyrightconfig.json").write_text(json.dumps({"extraPaths": [str(SRC)], "typeCheckingMode": "basic"}))
    return tmp_path


def test_pyright_reports_unknown_properties_and_wrong_types(tmp_path):
    pyright = shutil.which("pyright")
    if pyright is None or shutil.which("node") is None:
        pytest.skip("pyright (PyPI) and node are needed")
    project = _write_project(tmp_path)
    out = subprocess.run([pyright, "--outputjson", "web.py"], cwd=project, capture_output=True, text=True,
                         timeout=300, check=False)
    try:
        report = json.loads(out.stdout)
    except ValueError:  # pyright itself could not start (e.g. no node package and no npm access)
        pytest.skip(f"pyright could not run: {(out.stderr or out.stdout)[-300:]}")
    found = sorted((d["range"]["start"]["line"] + 1, d["message"].splitlines()[0]) for d in report["generalDiagnostics"])
    assert found == [
        (8, 'No parameter named "instnce_type"'),
        (9, 'Argument of type "Literal[5]" cannot be assigned to parameter "instance_type" of type "Str" in function "Instance"'),
        (15, 'Cannot assign to attribute "subnet_idd" for class "InstanceProperties"'),
    ]


def test_mypy_reports_them_too(tmp_path):
    project = _write_project(tmp_path)
    env = {**os.environ, "MYPYPATH": str(SRC)}
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--follow-imports=silent", "--ignore-missing-imports", "--no-incremental",
         "--check-untyped-defs", "--no-error-summary", "web.py"],
        cwd=project, capture_output=True, text=True, timeout=300, env=env, check=False,
    )
    lines = [ln for ln in out.stdout.splitlines() if ": error:" in ln]
    assert [ln.split(": error: ")[0] for ln in lines] == ["web.py:8", "web.py:9", "web.py:15"], out.stdout
    assert 'Unexpected keyword argument "instnce_type"' in lines[0]
    assert '"InstanceProperties" has no attribute "subnet_idd"; maybe "subnet_id"?' in lines[2]


def test_the_shipped_stubs_are_what_the_generator_makes(tmp_path):
    header = (PACKAGE / "ec2.pyi").read_text().splitlines()[0]
    version = importlib.metadata.version("cfn-lint")
    if f"cfn-lint {version}'s" not in header:
        pytest.skip(f"stubs were generated from another cfn-lint ({header}); installed {version}")
    from sparkleform.dsl.stubgen import generate

    generate(tmp_path)
    shipped = {p.name for p in PACKAGE.glob("*.py*") if not p.name.startswith("_")}
    assert shipped == {p.name for p in tmp_path.iterdir()}
    for name in ("ec2.pyi", "s3.pyi", "lambda_.py", "iam.pyi"):
        assert (tmp_path / name).read_text() == (PACKAGE / name).read_text()
