"""Build the fidelity cases from LocalStack's AWS-recorded CloudFormation test snapshots.

LocalStack's CloudFormation tests (github.com/localstack/localstack, Apache-2.0) record real
AWS responses in `*.snapshot.json` files next to the tests, and list the tests validated
against AWS in `*.validation.json`. This script reads a local git snapshot of that
repository, evaluates the literal parts of each usable test (dict literals, template files
it names, the snapshot's own name substitutions; never running test code) and writes one
JSON case file per test (per variant of a parametrized one) in `cases/`, of three kinds:

- update cases: `capture_update_process(snapshot, t1, t2, p1=, p2=)`: plan entries, status
  sequences, resolved properties, outputs (`build`);
- refused-request cases: one request in `pytest.raises` answered with a ValidationError: the
  stage and the text (`build_errors`);
- deployment cases: the test's deployments, change sets, updates, deletes and CloudFormation
  calls as steps, and what it recorded or asserted about them (`build_deploys`).

Only data is carried over, never test code.

    python tests/fidelity/build_cases.py /path/to/localstack/git-dir
"""

from __future__ import annotations

import ast
import contextlib
import json
import re
import subprocess
import sys
from functools import partial
from pathlib import Path

from sparkleform.errors import SparkleformError

HERE = Path(__file__).parent
CASES = HERE / "cases"
PREFIX = "tests/aws/services/cloudformation/"

# Which comparison group a test belongs to, by its file (then refined by its name).
FILE_GROUPS = {
    "test_change_set_conditions": "conditions",
    "test_change_set_depends_on": "dependencies",
    "test_change_set_exports_imports": "exports",
    "test_change_set_fn_base64": "intrinsics",
    "test_change_set_fn_get_attr": "references",
    "test_change_set_fn_join": "intrinsics",
    "test_change_set_fn_select": "intrinsics",
    "test_change_set_fn_split": "intrinsics",
    "test_change_set_fn_sub": "intrinsics",
    "test_change_set_mappings": "mappings",
    "test_change_set_parameters": "parameters",
    "test_change_set_ref": "references",
    "test_change_set_values": "values",
    "test_change_sets": "change sets",
    "test_dynamic_resolving": "dynamic references",
}


class OpenFile:
    """`open(path)` of a template file a test reads."""

    def __init__(self, path: str) -> None:
        self.path = path


class Unsupported(Exception):
    """The test does something this extractor does not evaluate (a lambda, a file…)."""


def git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", repo, *args], check=True, capture_output=True, text=True).stdout


class Scope:
    """Evaluates the literal parts of one test function's body."""

    def __init__(self, files: object = None) -> None:
        self.files = files  # reads a template file the test names, when given
        self.env: dict[str, object] = {}
        self.renames: dict[str, str] = {}
        self.uids = 0
        self.calls: list[dict] = []

    def uid(self) -> str:
        self.uids += 1
        return f"uid{self.uids:04d}"

    def ev(self, node: ast.AST) -> object:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.JoinedStr):
            out = []
            for part in node.values:
                if isinstance(part, ast.Constant):
                    out.append(str(part.value))
                else:
                    out.append(str(self.ev(part.value)))
            return "".join(out)
        if isinstance(node, ast.Dict):
            result = {}
            for k, v in zip(node.keys, node.values, strict=True):
                if k is None:
                    result.update(self.ev(v))
                else:
                    result[self.ev(k)] = self.ev(v)
            return result
        if isinstance(node, ast.List | ast.Tuple):
            return [self.ev(e) for e in node.elts]
        if isinstance(node, ast.Name):
            if node.id in ("THIS_DIR", "THIS_FOLDER", "__file__") and self.files is not None:
                return "."
            if node.id not in self.env:
                raise Unsupported(f"name {node.id}")
            return self.env[node.id]
        if isinstance(node, ast.Subscript):
            return self.ev(node.value)[self.ev(node.slice)]
        if isinstance(node, ast.Call):
            fn = ast.unparse(node.func)
            if fn in ("short_uid", "long_uid"):
                return self.uid()
            if fn in ("list", "tuple") and node.args and ast.unparse(node.args[0].func if isinstance(node.args[0], ast.Call) else node.args[0]).endswith("permutations"):
                import itertools

                return [list(p) for p in itertools.permutations(self.ev(node.args[0].args[0]))]  # type: ignore[attr-defined]
            if fn.endswith(".read") and isinstance(node.func, ast.Attribute) and self.files is not None:
                handle = self.ev(node.func.value)
                if isinstance(handle, OpenFile):
                    return self.files(handle.path)
            if isinstance(node.func, ast.Attribute) and node.func.attr in ("pop", "get", "copy", "update", "append", "extend"):
                target = self.ev(node.func.value)
                if isinstance(target, dict | list):
                    args = [self.ev(a) for a in node.args]
                    return getattr(target, node.func.attr)(*args)
            if isinstance(node.func, ast.Attribute) and node.func.attr == "join" and isinstance(node.func.value, ast.Constant):
                return str(node.func.value.value).join(str(v) for v in self.ev(node.args[0]))  # type: ignore[attr-defined]
            if fn == "textwrap.dedent":
                import textwrap

                return textwrap.dedent(str(self.ev(node.args[0])))
            if fn in ("OrderedDict", "dict") and len(node.args) == 1 and not node.keywords:
                return dict(self.ev(node.args[0]))  # type: ignore[call-overload]
            if fn == "copy.deepcopy":
                return json.loads(json.dumps(self.ev(node.args[0])))
            if fn == "json.dumps":
                return json.dumps(self.ev(node.args[0]))
            if fn in ("os.path.join", "os.path.realpath", "os.path.dirname") and self.files is not None:
                parts = [self.ev(a) for a in node.args]
                return "/".join(str(p) for p in parts)
            if fn.split(".")[-1] in ("load_file", "load_template_raw", "load_template", "load_template_file") and self.files is not None:
                return self.files(str(self.ev(node.args[0])))
            raise Unsupported(f"call {fn}")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.ev(node.left) + self.ev(node.right)
        if isinstance(node, ast.ListComp) and len(node.generators) == 1 and not node.generators[0].ifs:
            gen, out = node.generators[0], []
            if not isinstance(gen.target, ast.Name):
                raise Unsupported("comprehension target")
            saved = self.env.get(gen.target.id)
            for item in self.ev(gen.iter):  # type: ignore[attr-defined]
                self.env[gen.target.id] = item
                out.append(self.ev(node.elt))
            self.env[gen.target.id] = saved
            return out
        if isinstance(node, ast.Attribute) and node.attr in ("stack_name", "stack_id") and isinstance(node.value, ast.Name):
            handle = self.env.get(node.value.id)
            if isinstance(handle, Deploy):
                if handle.stack is not None:
                    if node.attr == "stack_id":
                        raise Unsupported("the id of a second stack")
                    return handle.stack
                return STACK if node.attr == "stack_name" else STACK_ID
            raise Unsupported(f"name {node.value.id}")
        if isinstance(node, ast.IfExp):
            return self.ev(node.body) if self.ev(node.test) else self.ev(node.orelse)
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq | ast.NotEq):
            same = self.ev(node.left) == self.ev(node.comparators[0])
            return same if isinstance(node.ops[0], ast.Eq) else not same
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return not self.ev(node.operand)
        raise Unsupported(ast.dump(node)[:60])

    def run(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.Assign):
                try:
                    value = self.ev(stmt.value)
                except Unsupported:
                    for target in stmt.targets:
                        if isinstance(target, ast.Name):
                            self.env.pop(target.id, None)
                    continue
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        self.env[target.id] = value
                    elif isinstance(target, ast.Subscript):
                        self.ev(target.value)[self.ev(target.slice)] = value
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                call = stmt.value
                fn = ast.unparse(call.func)
                if fn in ("snapshot.add_transformer", "snapshot.add_transformers_list") and call.args:
                    arg = call.args[0]
                    for inner in arg.elts if isinstance(arg, ast.List) else [arg]:
                        if not isinstance(inner, ast.Call) or len(inner.args) != 2:
                            continue
                        if ast.unparse(inner.func) in ("RegexTransformer", "snapshot.transform.regex"):
                            with contextlib.suppress(Unsupported):
                                self.renames[str(self.ev(inner.args[0]))] = str(self.ev(inner.args[1]))
                elif fn == "capture_update_process":
                    self.capture(call)
                elif fn.endswith(".put_parameter") or fn == "create_parameter":
                    kw = {k.arg: self.ev(k.value) for k in call.keywords}
                    self.env.setdefault("__ssm__", []).append(kw)
            elif isinstance(stmt, ast.Assign | ast.AnnAssign):
                continue
            elif isinstance(stmt, ast.With | ast.If | ast.For | ast.Try):
                raise Unsupported(type(stmt).__name__)
        return None

    def capture(self, call: ast.Call) -> None:
        args = [self.ev(a) for a in call.args[1:]]
        kw = {k.arg: self.ev(k.value) for k in call.keywords if k.arg in ("p1", "p2", "t1", "t2")}
        if any(k.arg == "custom_update_step" for k in call.keywords):
            raise Unsupported("custom update step")
        t1 = args[0] if args else kw["t1"]
        t2 = args[1] if len(args) > 1 else kw["t2"]
        if not isinstance(t1, dict) or not isinstance(t2, dict):
            raise Unsupported("template from a file")
        self.calls.append({"t1": t1, "t2": t2, "p1": kw.get("p1") or {}, "p2": kw.get("p2") or {}})

    def rename(self, value: object) -> object:
        text = json.dumps(value)
        for old, new in sorted(self.renames.items(), key=lambda kv: -len(kv[0])):
            text = text.replace(old, new)
        return json.loads(text)


def ordered_events(events: list[dict]) -> list[dict]:
    """Oldest first. Recordings differ (newest first as DescribeStackEvents returns them, or
    sorted by time); everything starts with a CREATE_ event (a CREATE_IN_PROGRESS, or a
    CREATE_COMPLETE where a test kept only the _COMPLETE ones)."""
    events = [e for e in events if e["ResourceStatus"] not in ("REVIEW_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")]
    if not events or events[0]["ResourceStatus"] == "CREATE_IN_PROGRESS":
        return events
    if events[-1]["ResourceStatus"] == "CREATE_IN_PROGRESS" or not events[0]["ResourceStatus"].startswith("CREATE"):
        return list(reversed(events))
    return events


def dedupe(statuses: list[str]) -> list[str]:
    """A status sequence without consecutive repeats (some recordings keep them, some not)."""
    return [s for i, s in enumerate(statuses) if i == 0 or statuses[i - 1] != s]


def plan_entries(described: dict) -> dict[str, dict]:
    out = {}
    for change in described.get("Changes", []):
        rc = change["ResourceChange"]
        entry = {"Action": rc["Action"]}
        if rc["Action"] == "Modify":
            entry["Replacement"] = rc.get("Replacement")
            entry["Scope"] = sorted(rc.get("Scope", []))
            entry["Details"] = sorted(
                {
                    (d["Target"].get("Attribute"), d["Target"].get("Name", ""), d["Target"].get("RequiresRecreation", ""))
                    for d in rc.get("Details", [])
                }
            )
            entry["Details"] = [list(t) for t in entry["Details"]]
        out[rc["LogicalResourceId"]] = entry
    return out


ID_DEPENDENT = re.compile(r"<[a-z-]+(:\d+)?>|111111111111|arn:")


def id_free(value: object) -> bool:
    return not ID_DEPENDENT.search(json.dumps(value))


def expectations(recorded: dict) -> dict:
    expect: dict = {}
    for n in (1, 2):
        described = recorded.get(f"describe-change-set-{n}")
        if described is not None:
            expect[f"plan-{n}"] = plan_entries(described)
        post = recorded.get(f"post-create-{n}-describe")
        if post is not None:
            expect[f"status-{n}"] = post.get("StackStatus")
            outputs = {o["OutputKey"]: o["OutputValue"] for o in post.get("Outputs", [])}
            outputs = {k: v for k, v in outputs.items() if id_free(v)}
            if outputs:
                expect[f"outputs-{n}"] = outputs
    events = recorded.get("per-resource-events") or {}
    sequences, properties, initiated = {}, {}, []
    for lid, evs in events.items():
        if lid == "Stack" or lid.startswith("<stack-name"):
            # REVIEW_IN_PROGRESS belongs to the change set that created the stack, which a
            # direct create has no counterpart of
            sequences["(stack)"] = dedupe([e["ResourceStatus"] for e in ordered_events(evs)])
            continue
        evs = ordered_events(evs)
        sequences[lid] = dedupe([e["ResourceStatus"] for e in evs])
        if any(e.get("ResourceStatusReason") == "Resource creation Initiated" for e in evs):
            initiated.append(lid)
        last = evs[-1].get("ResourceProperties") if evs else None
        if last is not None and evs[-1]["ResourceStatus"] not in ("DELETE_COMPLETE",):
            props = {k: v for k, v in last.items() if id_free(v)}
            if props:
                properties[lid] = props
    if sequences:
        expect["events"] = sequences
    if properties:
        expect["properties"] = properties
    if initiated:
        expect["initiated"] = sorted(initiated)
    return expect


def build(repo: str) -> tuple[int, list[str]]:
    commit = git(repo, "rev-parse", "HEAD").strip()
    files = [f for f in git(repo, "ls-tree", "-r", "--name-only", "HEAD", PREFIX).split() if f.endswith(".py")]
    written, skipped = 0, []
    for path in files:
        stem = Path(path).stem
        if stem not in FILE_GROUPS:
            continue
        snap_path = path[:-3] + ".snapshot.json"
        try:
            snapshot = json.loads(git(repo, "show", f"HEAD:{snap_path}"))
        except subprocess.CalledProcessError:
            continue
        tree = ast.parse(git(repo, "show", f"HEAD:{path}"))
        for cls in [n for n in tree.body if isinstance(n, ast.ClassDef)] + [tree]:
            for fn in cls.body:
                if not isinstance(fn, ast.FunctionDef) or not fn.name.startswith("test_"):
                    continue
                test_id = f"{path}::{cls.name}::{fn.name}" if isinstance(cls, ast.ClassDef) else f"{path}::{fn.name}"
                if test_id not in snapshot:
                    continue
                scope = Scope()
                try:
                    scope.run(fn.body)
                except (Unsupported, KeyError, TypeError, IndexError) as e:
                    skipped.append(f"{test_id}: {e}")
                    continue
                if len(scope.calls) != 1:
                    skipped.append(f"{test_id}: {len(scope.calls)} deploy/update sequences")
                    continue
                call = scope.rename(scope.calls[0])
                skip_reason = None
                if any("Transform" in t for t in (call["t1"], call["t2"])) or "Fn::Transform" in json.dumps(call):
                    skip_reason = "uses a macro (AWS::Include / Lambda macro)"
                if skip_reason:
                    skipped.append(f"{test_id}: {skip_reason}")
                    continue
                recorded = snapshot[test_id]["recorded-content"]
                steps = [
                    {"op": "create", "template": call["t1"], "parameters": call["p1"]},
                    {"op": "update", "template": call["t2"], "parameters": call["p2"]},
                ]
                stack_events = next((v for k, v in (recorded.get("per-resource-events") or {}).items() if k.startswith("<stack-name") or k == "Stack"), [])
                if any(e["ResourceStatus"] == "DELETE_COMPLETE" for e in stack_events):
                    steps.append({"op": "delete"})  # this recording captured the events after deleting the stack
                case = {
                    "source": {
                        "repository": "localstack/localstack",
                        "commit": commit,
                        "test": test_id,
                        "snapshot": f"{snap_path} [{test_id}]",
                        "license": "Apache-2.0",
                    },
                    "group": FILE_GROUPS[stem],
                    "ssm": scope.rename(scope.env.get("__ssm__", [])),
                    "steps": steps,
                    "expect": expectations(recorded),
                }
                name = f"{stem.removeprefix('test_')}__{fn.name.removeprefix('test_')}.json"
                (CASES / name).write_text(json.dumps(case, indent=1, sort_keys=True) + "\n")
                written += 1
    return written, skipped


# -- requests AWS refuses ------------------------------------------------------------------
# A test that sends one template inside `with pytest.raises(...)` and records AWS's
# ValidationError: the case is "create this stack", expected refused up front with the text.

ERROR_GROUPS = {
    "test_validations": "validation errors",
    "test_conditions": "conditions",
    "test_mappings": "mappings",
    "test_references": "references",
    "test_change_set_conditions": "conditions",
    "test_change_set_fn_get_attr": "references",
    "test_change_set_fn_select": "intrinsics",
    "test_change_set_fn_split": "intrinsics",
    "test_change_set_parameters": "parameters",
    "test_changesets": "validation errors",
    "test_stacks": "validation errors",
    "test_templates": "validation errors",
    "test_template_engine": "intrinsics",
}
SENDERS = ("create_change_set", "create_stack", "deploy_cfn_template")


def parametrized(fn: ast.FunctionDef, scope: Scope) -> list[tuple[str, dict[str, object]]]:
    """(test id suffix, argument values) for each variant of a parametrized test."""
    for deco in fn.decorator_list:
        if isinstance(deco, ast.Call) and ast.unparse(deco.func).endswith("parametrize"):
            first = scope.ev(deco.args[0])
            names = [n.strip() for n in first.split(",")] if isinstance(first, str) else [str(n) for n in first]
            values = deco.args[1]
            if isinstance(values, ast.Name) and values.id in scope.env:
                values = ast.List([ast.Constant(v) for v in scope.env[values.id]])  # type: ignore[arg-type]
            ids_node = next((k.value for k in deco.keywords if k.arg == "ids"), None)
            if ids_node is not None and not isinstance(ids_node, ast.List):
                ids_node = None  # computed ids: the default below gives the same for joined values
            variants = []
            for i, node in enumerate(values.elts):
                ident = scope.ev(ids_node.elts[i]) if ids_node is not None else None
                if isinstance(node, ast.Call) and ast.unparse(node.func) == "pytest.param":
                    ident = next((scope.ev(k.value) for k in node.keywords if k.arg == "id"), ident)
                    node = ast.Tuple(node.args) if len(node.args) > 1 else node.args[0]
                value = scope.ev(node)
                args = dict(zip(names, value if len(names) > 1 else [value], strict=True))
                if ident is None:
                    ident = "-".join("-".join(map(str, v)) if isinstance(v, list) else str(v) for v in args.values())
                variants.append((f"[{ident}]", args))
            return variants
    return [("", {})]


def template_from(repo: str, test_path: str, node: ast.AST, scope: Scope) -> dict:
    from sparkleform.formats.reader import loads_template

    try:
        value = scope.ev(node)
    except Unsupported:
        value = None
    if isinstance(value, str) and not value.endswith((".yaml", ".yml", ".json")):
        loaded = loads_template(value, "template")
        return loaded[0] if isinstance(loaded, tuple) else loaded
    if isinstance(value, dict):
        return value
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "json.dumps":
        value = scope.ev(node.args[0])
        if not isinstance(value, dict):
            raise Unsupported("template is not an object")
        return value
    strings = [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    files = [s for s in strings if s.endswith((".yaml", ".yml", ".json"))]
    if not files:
        value = scope.ev(node)
        if isinstance(value, str):
            value = json.loads(value)
        return value
    rel = files[-1]
    if "templates" in ast.unparse(node) and "../" not in rel and not rel.startswith("templates"):
        rel = "templates/" + rel if "\"templates\"" in ast.unparse(node) else rel
    base = Path(test_path).parent
    for candidate in (base / rel, Path("tests/aws/templates") / Path(rel).name, Path("tests/aws/templates") / rel):
        parts = []
        for p in candidate.parts:
            if p == "..":
                parts.pop()
            else:
                parts.append(p)
        try:
            text = git(repo, "show", "HEAD:" + "/".join(parts))
        except subprocess.CalledProcessError:
            continue
        loaded = loads_template(text, rel)
        return loaded[0] if isinstance(loaded, tuple) else loaded
    raise Unsupported(f"template file {rel}")


def read_template_file(repo: str, test_path: str, name: str) -> str:
    """The text of a template file a test names (relative to the test, or by its name under
    tests/aws/templates/)."""
    name = name.lstrip("./") if name.startswith("./") else name
    candidates = [Path(test_path).parent / name, Path("tests/aws/templates") / name]
    candidates.append(Path("tests/aws/templates") / Path(name).name)
    if "templates/" in name:
        candidates.append(Path("tests/aws/templates") / name.split("templates/", 1)[1])
    for candidate in candidates:
        parts: list[str] = []
        for p in candidate.parts:
            if p == "..":
                if parts:
                    parts.pop()
            elif p != ".":
                parts.append(p)
        try:
            return git(repo, "show", "HEAD:" + "/".join(parts))
        except subprocess.CalledProcessError:
            continue
    raise Unsupported(f"template file {name}")


def aws_error(recorded: dict) -> dict | None:
    for value in recorded.values():
        if isinstance(value, dict) and isinstance(value.get("Error"), dict):
            return value["Error"]
    return None


def request_of(repo: str, path: str, fn: ast.FunctionDef, scope: Scope) -> tuple[dict, dict, object] | None:
    """The template, parameters and stack name (None: the test's generated one) of the one
    request the test sends expecting an error."""
    for stmt in fn.body:
        if isinstance(stmt, ast.With) and any("raises" in ast.unparse(i.context_expr) for i in stmt.items):
            calls = [n for n in ast.walk(stmt) if isinstance(n, ast.Call) and ast.unparse(n.func).split(".")[-1] in SENDERS]
            if len(calls) != 1:
                raise Unsupported(f"{len(calls)} requests in the raises block")
            call = calls[0]
            kw = {k.arg: k.value for k in call.keywords}
            node = kw.get("TemplateBody") or kw.get("template") or kw.get("template_path")
            if node is None:
                raise Unsupported("no template")
            template = template_from(repo, path, node, scope)
            params: dict = {}
            if "Parameters" in kw:
                params = {p["ParameterKey"]: p["ParameterValue"] for p in scope.ev(kw["Parameters"])}
            elif "parameters" in kw:
                params = scope.ev(kw["parameters"])
            stack = None
            with contextlib.suppress(Unsupported, KeyError):
                stack = scope.ev(kw["StackName"]) if "StackName" in kw else None
            return template, params, stack
        with contextlib.suppress(Unsupported):
            scope.run([stmt])
    return None


def build_errors(repo: str) -> tuple[int, list[str]]:
    commit = git(repo, "rev-parse", "HEAD").strip()
    files = [f for f in git(repo, "ls-tree", "-r", "--name-only", "HEAD", PREFIX).split() if f.endswith(".py")]
    written, skipped = 0, []
    for path in files:
        stem = Path(path).stem
        if stem not in ERROR_GROUPS:
            continue
        try:
            snapshot = json.loads(git(repo, "show", f"HEAD:{path[:-3]}.snapshot.json"))
        except subprocess.CalledProcessError:
            continue
        tree = ast.parse(git(repo, "show", f"HEAD:{path}"))
        for cls in [n for n in tree.body if isinstance(n, ast.ClassDef)] + [tree]:
            for fn in cls.body:
                if not isinstance(fn, ast.FunctionDef) or not fn.name.startswith("test_"):
                    continue
                base_id = f"{path}::{cls.name}::{fn.name}" if isinstance(cls, ast.ClassDef) else f"{path}::{fn.name}"
                try:
                    variants = parametrized(fn, Scope())
                except (Unsupported, AttributeError, KeyError) as e:
                    skipped.append(f"{base_id}: parametrize {e}")
                    continue
                for suffix, args in variants:
                    test_id = base_id + suffix
                    if test_id not in snapshot:
                        continue
                    error = aws_error(snapshot[test_id]["recorded-content"])
                    if error is None or error.get("Code") != "ValidationError":
                        continue
                    scope = Scope(files=partial(read_template_file, repo, path))
                    for stmt in tree.body:  # the module's constants (MINIMAL_TEMPLATE …)
                        if isinstance(stmt, ast.Assign):
                            with contextlib.suppress(Unsupported):
                                scope.run([stmt])
                    scope.env.update(args)
                    try:
                        request = request_of(repo, path, fn, scope)
                    except (Unsupported, KeyError, TypeError, IndexError, ValueError, SparkleformError) as e:
                        skipped.append(f"{test_id}: {e}")
                        continue
                    if request is None:
                        skipped.append(f"{test_id}: no request in a raises block")
                        continue
                    template, params, stack = scope.rename(list(request))
                    named = re.search(r"Value '([^']*)' at 'stackName'", error["Message"])
                    if named:  # the name the recording was made with (the test generates one)
                        stack = named.group(1)
                    case = {
                        "source": {
                            "repository": "localstack/localstack",
                            "commit": commit,
                            "test": test_id,
                            "snapshot": f"{path[:-3]}.snapshot.json [{test_id}]",
                            "license": "Apache-2.0",
                        },
                        "group": ERROR_GROUPS[stem],
                        **({"stack": stack} if isinstance(stack, str) and "uid" not in stack and "<" not in stack else {}),
                        "ssm": [],
                        "steps": [{"op": "create", "template": template, "parameters": params}],
                        "expect": {"refused-1": True, "message-1": error["Message"]},
                    }
                    slug = re.sub(r"[^A-Za-z0-9_]+", "_", f"{fn.name.removeprefix('test_')}{suffix}").strip("_")
                    (CASES / f"error__{stem.removeprefix('test_')}__{slug}.json").write_text(
                        json.dumps(case, indent=1, sort_keys=True) + "\n"
                    )
                    written += 1
    return written, skipped


# -- single deployments (and their updates) -------------------------------------------------
# A test that deploys a template through `deploy_cfn_template` (or create_stack /
# create_change_set), maybe updates it (`is_update=True`), and records what AWS answered:
# the stack's outputs (`snapshot.match(k, stack.outputs)`), a described stack (StackStatus,
# Outputs), its events, its resources, a described change set. A test validated against AWS
# (its `*.validation.json`) that asserts an output's literal value gives that value too.

DEPLOYERS = ("deploy_cfn_template", "create_stack", "create_change_set")
DEPLOY_GROUPS = {
    "test_template_engine": "intrinsics",
    "test_conditions": "conditions",
    "test_mappings": "mappings",
    "test_references": "references",
    "test_attributes": "references",
    "test_reference_resolving": "references",
    "test_deletion_policy": "deletion and replacement",
    "test_update_policy": "deletion and replacement",
    "test_replacement": "deletion and replacement",
    "test_stacks": "stacks",
    "test_update_stack": "stacks",
    "test_changesets": "change sets",
    "test_change_set_exports_imports": "exports",
    "test_nested_stacks": "nested stacks",
    "test_list_stacks": "stacks",
    "test_resources": "stacks",
    "test_parameter": "resources",
    "test_parameter_getatt_exploration": "resources",
    "test_ssm": "resources",
    "test_sns": "resources",
    "test_s3": "resources",
    "test_logs": "resources",
    "test_kms": "resources",
    "test_events": "resources",
    "test_cloudwatch": "resources",
    "test_secretsmanager": "resources",
    "test_ec2": "resources",
    "test_dynamodb": "resources",
    "test_kinesis": "resources",
    "test_cloudformation": "resources",
    "test_basic": "resources",
    "test_ec2_resource_provider": "resources",
}


class Deploy:
    """What `deploy_cfn_template(...)` returned, as far as a case needs it: the step that made
    it and the stack (None: the case's first stack)."""

    def __init__(self, index: int, stack: str | None = None) -> None:
        self.index, self.stack = index, stack


STACK = "fidelity"  # the name the runner gives the case's stack
STACK_ID = "{{stack-id}}"  # the runner puts the stack's id (ARN) there
# CloudFormation API calls a case can replay on the local provider (runner.call)
CALLS = ("describe_stacks", "describe_stack_events", "update_stack", "delete_stack", "get_template")


class OutputRef:
    """A variable holding one output of a deployment (`x = stack.outputs["K"]`)."""

    def __init__(self, index: int, key: str) -> None:
        self.index, self.key = index, key


# Placeholders LocalStack's default snapshot transformers put for the partition, region and
# account: the runner writes the engine's values the same way before comparing.
ACCOUNT_PLACEHOLDERS = ("<partition>", "<region>", "111111111111")


def comparable(value: object, names: set[str]) -> bool:
    """Does a recorded value depend only on what the case carries (its names, the partition,
    region and account), not on ids AWS generated?"""
    text = json.dumps(value)
    for known in (*ACCOUNT_PLACEHOLDERS, *names):
        text = text.replace(known, "")
    return not re.search(r"<[a-z-]+(:\d+)?>", text)


def render(template: str, mapping: dict) -> str:
    """deploy_cfn_template's jinja2 rendering, for the plain `{{ name }}` substitutions only."""
    for key, value in mapping.items():
        template = re.sub(r"\{\{\s*" + re.escape(key) + r"\s*\}\}", str(value), template)
    if "{{" in template or "{%" in template:
        raise Unsupported("jinja template beyond substitutions")
    return template


def _walk_outside_lambdas(node: ast.AST):
    """ast.walk, leaving out the bodies of lambdas (a cleanup registered for later is not a call now)."""
    yield node
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, ast.Lambda):
            yield from _walk_outside_lambdas(child)


class DeployScope(Scope):
    """A Scope that also records the test's deployments, snapshot matches and assertions."""

    def __init__(self, repo: str, path: str) -> None:
        super().__init__(files=partial(read_template_file, repo, path))
        self.repo, self.path = repo, path
        self.steps: list[dict] = []
        self.matches: list[tuple[str, ast.AST, int]] = []  # (snapshot key, expression, steps so far)
        self.asserts: list[tuple[ast.Compare, int]] = []
        self.raising = False
        self.stack: str | None = None  # the stack's name when the test chooses it
        # fixtures a test may use in its values: the runner's region and account
        self.env.update({"region_name": "us-east-1", "region": "us-east-1", "account_id": "123456789012"})

    def deploy(self, call: ast.Call) -> Deploy:
        from sparkleform.formats.reader import loads_template

        fn = ast.unparse(call.func).split(".")[-1]
        kw = {k.arg: k.value for k in call.keywords}
        params: dict = {}
        if fn == "deploy_cfn_template":
            node = kw.get("template") or kw.get("template_path")
            if node is None:
                raise Unsupported("deploy without a template")
            mapping = self.ev(kw["template_mapping"]) if "template_mapping" in kw else {}
            text = self.ev(node)
            if "template_path" in kw:
                text = read_template_file(self.repo, self.path, str(text))
            if isinstance(text, str):
                text = render(text, mapping)
                loaded = loads_template(text, "template")
                template = loaded[0] if isinstance(loaded, tuple) else loaded
            else:
                template = text
            if "parameters" in kw:
                params = self.ev(kw["parameters"])
            elif "raw_parameters" in kw:
                params = {p["ParameterKey"]: p["ParameterValue"] for p in self.ev(kw["raw_parameters"])}
            op = "update" if "is_update" in kw and self.ev(kw["is_update"]) else "create"
        else:
            if "TemplateBody" not in kw:
                raise Unsupported("template from a URL")
            template = template_from(self.repo, self.path, kw["TemplateBody"], self)
            if "Parameters" in kw:
                params = {p["ParameterKey"]: p["ParameterValue"] for p in self.ev(kw["Parameters"])}
            kind = self.ev(kw["ChangeSetType"]) if "ChangeSetType" in kw and not isinstance(kw["ChangeSetType"], ast.Attribute) else (
                ast.unparse(kw["ChangeSetType"]).rsplit(".", 1)[-1] if "ChangeSetType" in kw else ("UPDATE" if fn == "create_change_set" else "CREATE")
            )
            op = "create" if kind == "CREATE" else "update"
            if fn == "create_change_set":
                op = "plan-" + op  # becomes the operation itself when the test executes it
        if not isinstance(template, dict):
            raise Unsupported("template is not an object")
        if op.endswith("update") and not self.steps:
            raise Unsupported("update before a create")
        creates = sum(1 for st in self.steps if st["op"].endswith("create"))
        self.steps.append({"op": op, "template": template, "parameters": {k: str(v) for k, v in params.items()}})
        other = None
        if op.endswith("create") and creates:  # a further stack of the case (an importer, a second name)
            other = f"{STACK}{creates + 1}"
            self.steps[-1]["stack"] = other
        if fn == "deploy_cfn_template" and not self.raising:
            # deploy_cfn_template waits for CREATE_COMPLETE / UPDATE_COMPLETE and raises otherwise:
            # in a test that passed against AWS, the deployment succeeded
            self.steps[-1]["waits"] = True
        named = kw.get("StackName") or kw.get("stack_name")
        if named is not None and op.endswith("create"):
            with contextlib.suppress(Unsupported, KeyError):
                chosen = self.ev(named)
                if isinstance(chosen, str) and chosen not in (STACK, STACK_ID):
                    if other is None:
                        self.stack = chosen
                    else:
                        other = self.steps[-1]["stack"] = chosen
        if named is not None and op.endswith("update"):
            target = self.ev(named)
            if target == STACK_ID:  # the update names the stack by its id
                self.steps[-1]["stack"] = STACK_ID
            elif target not in (STACK, self.stack):
                if not any(st.get("stack") == target for st in self.steps[:-1]):
                    raise Unsupported("an update of a stack the case did not create")
                self.steps[-1]["stack"] = target
        if self.raising:
            self.steps[-1]["raises"] = True
        return Deploy(len(self.steps), other)

    def rename(self, value: object) -> object:
        # the runner's own stack name and id are not the test's names: keep them as they are
        self.renames = {k: v for k, v in self.renames.items() if k not in (STACK, STACK_ID)}
        return super().rename(value)

    def api_call(self, call: ast.Call) -> None:
        """A CloudFormation call the test makes (one a case can replay): a step."""
        fn = ast.unparse(call.func).split(".")[-1]
        args = {k.arg: self.ev(k.value) for k in call.keywords if k.arg}
        if "TemplateBody" in args:
            from sparkleform.formats.reader import loads_template

            loaded = loads_template(str(args["TemplateBody"]), "template")
            args["TemplateBody"] = loaded[0] if isinstance(loaded, tuple) else loaded
        if fn == "update_stack":
            extra = set(args) - {"StackName", "TemplateBody", "UsePreviousTemplate", "Parameters", "Capabilities"}
            if extra or not ({"TemplateBody", "UsePreviousTemplate"} & set(args)):
                # the provider contract has no counterpart (a template kept by leaving it out,
                # ResourceTypes, RollbackConfiguration ...): a step the case does not compare
                fn = "update_stack (not replayable)"
        self.steps.append({"op": "call", "api": fn, "args": args, "raises": self.raising})

    def execute(self) -> None:
        """The test executes the change set it made last: a step of its own, where it happens
        (the change set's step stays a plan, checked where it was made)."""
        for step in reversed(self.steps):
            if step["op"].startswith("plan-"):
                ran = {k: v for k, v in step.items() if k not in ("op", "raises", "waits")}
                self.steps.append(dict(ran, op=step["op"].removeprefix("plan-")))
                if self.raising:
                    self.steps[-1]["raises"] = True
                return
        raise Unsupported("executes a change set it did not create")

    def run(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            calls = [n for n in _walk_outside_lambdas(stmt) if isinstance(n, ast.Call) and ast.unparse(n.func).split(".")[-1] in DEPLOYERS]
            if isinstance(stmt, ast.With):
                for item in stmt.items:
                    ctx = item.context_expr
                    if isinstance(ctx, ast.Call) and ast.unparse(ctx.func) == "open" and isinstance(item.optional_vars, ast.Name):
                        with contextlib.suppress(Unsupported, KeyError):
                            self.env[item.optional_vars.id] = OpenFile(str(self.ev(ctx.args[0])))
                outer = self.raising
                self.raising = outer or any("raises" in ast.unparse(i.context_expr) for i in stmt.items)
                self.run(stmt.body)
                self.raising = outer
                continue
            cfn_calls = [
                n for n in _walk_outside_lambdas(stmt)
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                and ("cloudformation" in ast.unparse(n.func.value) or ast.unparse(n.func.value) in ("cfn", "client"))
            ]
            if any(c.func.attr == "execute_change_set" for c in cfn_calls) or any(  # type: ignore[attr-defined]
                isinstance(n, ast.Call) and ast.unparse(n.func) == "execute_change_set" for n in ast.walk(stmt)
            ):
                self.execute()
                continue
            replay = [c for c in cfn_calls if c.func.attr not in ("get_waiter", "wait", "get_paginator", "paginate")]  # type: ignore[attr-defined]
            if replay and not calls:
                if len(replay) > 1:
                    raise Unsupported("several calls in one statement")
                self.api_call(replay[0])
                continue
            if isinstance(stmt, ast.If) and not calls:
                with contextlib.suppress(Unsupported, KeyError, TypeError, IndexError, AttributeError):
                    self.run(stmt.body if self.ev(stmt.test) else stmt.orelse)
                continue
            if isinstance(stmt, ast.If | ast.For | ast.Try | ast.While):
                if calls:
                    raise Unsupported(f"a deployment inside {type(stmt).__name__}")
                continue
            if isinstance(stmt, ast.Assert) and isinstance(stmt.test, ast.Compare):
                self.asserts.append((stmt.test, len(self.steps)))
                continue
            if calls:
                if len(calls) > 1:
                    raise Unsupported("several deployments in one statement")
                handle = self.deploy(calls[0])
                if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                    self.env[stmt.targets[0].id] = handle
                continue
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                where = output_of(stmt.value, self.env)
                if where is not None and where[1] is not None:
                    self.env[stmt.targets[0].id] = OutputRef(*where)  # type: ignore[arg-type]
                    continue
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                func = stmt.value.func
                if (
                    isinstance(func, ast.Attribute) and func.attr == "destroy" and isinstance(func.value, ast.Name)
                    and isinstance(self.env.get(func.value.id), Deploy)
                ):
                    gone = self.env[func.value.id].stack
                    self.steps.append({"op": "delete", **({"stack": gone} if gone else {})})
                    continue
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                fn = ast.unparse(stmt.value.func)
                if fn == "snapshot.match" and len(stmt.value.args) == 2:
                    with contextlib.suppress(Unsupported):
                        self.matches.append((str(self.ev(stmt.value.args[0])), stmt.value.args[1], len(self.steps)))
                    continue
                if any(x in fn for x in ("stack_policy", "update_termination", "delete_change_set")):
                    raise Unsupported(f"calls {fn}")
            if isinstance(stmt, ast.Delete):
                try:
                    for target in stmt.targets:
                        if not isinstance(target, ast.Subscript):
                            raise Unsupported("del of a name")
                        del self.ev(target.value)[self.ev(target.slice)]  # type: ignore[index]
                except (Unsupported, TypeError, KeyError, IndexError) as e:
                    raise Unsupported(f"changes a value it does not evaluate: {ast.unparse(stmt)[:60]}") from e
                continue
            mutates = (isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Subscript) for t in stmt.targets)) or (
                isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Attribute)
                and stmt.value.func.attr in ("pop", "update", "append", "extend", "setdefault", "__setitem__")
            )
            if mutates:  # only a change to a value of the case matters (not to a fixture's list)
                root = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.value.func  # type: ignore[attr-defined]
                while isinstance(root, ast.Subscript | ast.Attribute):
                    root = root.value
                mutates = isinstance(root, ast.Name) and root.id in self.env
            try:
                if isinstance(stmt, ast.Expr) and mutates:
                    self.ev(stmt.value)
                else:
                    super().run([stmt])
            except (Unsupported, TypeError, KeyError, IndexError, AttributeError) as e:
                if mutates and self.steps:
                    raise Unsupported(f"changes a value it does not evaluate: {ast.unparse(stmt)[:60]}") from e


def output_of(node: ast.AST, env: dict) -> tuple[int, str | None] | None:
    """(deployment, output key or None for all) when `node` reads a deployment's outputs."""
    if isinstance(node, ast.Name) and isinstance(env.get(node.id), OutputRef):
        ref = env[node.id]
        return ref.index, ref.key
    if isinstance(node, ast.Attribute) and node.attr == "outputs" and isinstance(node.value, ast.Name):
        d = env.get(node.value.id)
        return (d.index, None) if isinstance(d, Deploy) else None
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        inner = output_of(node.value, env)
        if inner is not None and inner[1] is None:
            return inner[0], str(node.slice.value)
    return None


def walk_values(value: object):
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from walk_values(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk_values(v)


def error_message(value: object) -> str | None:
    """The text of a CloudFormation error a test recorded (the response, or str() of the
    exception), None when the value is not one."""
    if isinstance(value, dict) and isinstance(value.get("message"), str):
        value = value["message"]
    if isinstance(value, dict) and isinstance(value.get("Error"), dict):
        return value["Error"].get("Message")
    if isinstance(value, str):
        m = re.match(r"An error occurred \((\w+)\) when calling the \w+ operation: (.*)$", value, re.S)
        if m:
            return m.group(2)
    return None


def deploy_expectations(scope: DeployScope, recorded: dict) -> dict:
    expect: dict = {}
    last = max((i for i in range(1, len(scope.steps) + 1) if scope.steps[i - 1]["op"] != "call"), default=0)

    # the names the case itself carries (a test's generated name, renamed in its inputs);
    # a placeholder for something AWS generated (an id in the stack) is not one
    inputs = json.dumps(scope.rename([scope.steps, scope.env.get("__ssm__", [])]))
    names = {v for v in scope.renames.values() if v.startswith("<") and v in inputs}

    def put(kind: str, key: str, value: object) -> None:
        if isinstance(value, str) and comparable(value, names):
            expect.setdefault(kind, {})[key] = value

    multi = any(st.get("stack") not in (None, STACK_ID) for st in scope.steps)
    for key, node, step in scope.matches:
        if key not in recorded or step == 0:
            continue
        value = recorded[key]
        message = error_message(value)
        if message is not None:
            made = scope.steps[step - 1]
            if made.get("raises") and f"message-{step}" not in expect and (made["op"] != "call" or made["api"] in CALLS):
                expect[f"message-{step}"] = message
                if made["op"] in ("create", "update", "plan-create", "plan-update"):
                    expect[f"refused-{step}"] = True
            continue
        if isinstance(value, dict) and value.get("Status") == "FAILED" and "ChangeSetName" in value:
            expect[f"plan-status-{step}"] = [value["Status"], value.get("StatusReason")]
            continue
        if multi and output_of(node, scope.env) is None:
            continue  # with several stacks, only outputs read from a deployment say which stack
        # what a described stack shows belongs to the last operation before it (not to a call)
        step = max((i for i in range(1, step + 1) if scope.steps[i - 1]["op"] != "call"), default=0)
        if step == 0:
            continue
        where = output_of(node, scope.env)
        if where is not None:
            n, out = where
            if out is None and isinstance(value, dict):
                for k, v in value.items():
                    put(f"outputs-{n}", k, v)
            elif out is not None:
                put(f"outputs-{n}", out, value)
            continue
        for item in walk_values(value):
            if not isinstance(item, dict):
                continue
            if ("StackStatus" in item and step == last and "DeletionTime" not in item) or (
                "StackStatus" in item and item.get("StackStatus") == "ROLLBACK_COMPLETE"
            ):
                expect[f"status-{step}"] = item["StackStatus"]
                for o in item.get("Outputs") or []:
                    put(f"outputs-{step}", o["OutputKey"], o["OutputValue"])
            if "Changes" in item and "ChangeSetName" in item and step == 1 and item.get("Status") != "FAILED":
                expect.setdefault("plan-1", plan_entries(item))
        if step != last:
            continue
        # a stack's resources (DescribeStackResources): each one's status at the end
        rows = [
            r for r in walk_values(value)
            if isinstance(r, dict) and "ResourceStatus" in r and "LogicalResourceId" in r and "EventId" not in r
            and "StackName" in r and not (r.get("ResourceType") == "AWS::CloudFormation::Stack" and r["LogicalResourceId"].startswith("<"))
        ]
        if rows and key not in ("per-resource-events",):
            expect[f"resources-{step}"] = {r["LogicalResourceId"]: r["ResourceStatus"] for r in rows}
        # events: DescribeStackEvents (every event has an EventId) or LocalStack's per-resource capture
        per: dict[str, list[dict]] = {}
        if isinstance(value, dict) and value and all(isinstance(v, list) for v in value.values()) and key == "per-resource-events":
            per = {("(stack)" if lid == "Stack" else lid): evs for lid, evs in value.items()}
        else:
            events = [e for e in walk_values(value) if isinstance(e, dict) and "EventId" in e and "ResourceStatus" in e]
            if len(events) > 1:
                for e in events:
                    lid = e["LogicalResourceId"]
                    stack_row = e.get("ResourceType") == "AWS::CloudFormation::Stack" and lid.startswith("<")
                    per.setdefault("(stack)" if stack_row else lid, []).append(e)
        if per and all(not lid.startswith("<") for lid in per):
            expect["events"] = {lid: dedupe([e["ResourceStatus"] for e in ordered_events(evs)]) for lid, evs in per.items()}
            reasons = [
                e["ResourceStatusReason"] for e in ordered_events(per.get("(stack)", []))
                if e.get("ResourceStatusReason") and e["ResourceStatusReason"] != "User Initiated"
            ]
            if reasons and comparable(reasons, names):
                expect["stack-reasons"] = reasons
            listed = [e for e in walk_values(value) if isinstance(e, dict) and "EventId" in e]
            if listed and all(e["ResourceStatus"].endswith("_COMPLETE") for e in listed):
                # the test kept the _COMPLETE events in time order: the order resources finish in
                del expect["events"]
                expect["complete-order"] = [f"{e['LogicalResourceId']} {e['ResourceStatus']}" for e in ordered_events(listed)]
    if multi:
        # several stacks: events, resources and reasons would be ambiguous; keep the per-step facts
        expect = {k: v for k, v in expect.items() if k.startswith(("status-", "outputs-", "message-", "refused-", "plan-"))}
    for n, made in enumerate(scope.steps, start=1):
        if made.pop("waits", False):
            expect.setdefault(f"status-{n}", "CREATE_COMPLETE" if made["op"] == "create" else "UPDATE_COMPLETE")
    for test, step in scope.asserts:
        if step == 0 or len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
            continue
        for a, b in ((test.left, test.comparators[0]), (test.comparators[0], test.left)):
            where = output_of(a, scope.env)
            if where is None or where[1] is None:
                continue
            try:
                value = scope.ev(b)
            except (Unsupported, KeyError, TypeError, IndexError):
                continue
            if isinstance(value, str) and "uid" not in value:
                put(f"outputs-{where[0]}", where[1], value)
    return expect


def build_deploys(repo: str, done: set[str]) -> tuple[int, list[str]]:
    commit = git(repo, "rev-parse", "HEAD").strip()
    files = [f for f in git(repo, "ls-tree", "-r", "--name-only", "HEAD", PREFIX).split() if f.endswith(".py")]
    written, skipped = 0, []
    for path in files:
        stem = Path(path).stem
        if stem not in DEPLOY_GROUPS:
            continue
        records: dict = {}
        for suffix in (".snapshot.json", ".validation.json"):
            with contextlib.suppress(subprocess.CalledProcessError):
                records[suffix] = json.loads(git(repo, "show", f"HEAD:{path[:-3]}{suffix}"))
        snapshot, validated = records.get(".snapshot.json", {}), records.get(".validation.json", {})
        tree = ast.parse(git(repo, "show", f"HEAD:{path}"))
        for cls in [n for n in tree.body if isinstance(n, ast.ClassDef)] + [tree]:
            for fn in cls.body:
                if not isinstance(fn, ast.FunctionDef) or not fn.name.startswith("test_"):
                    continue
                if "capture_update_process" in ast.unparse(fn):
                    continue  # an update case (build)
                base_id = f"{path}::{cls.name}::{fn.name}" if isinstance(cls, ast.ClassDef) else f"{path}::{fn.name}"
                module = Scope()
                for stmt in tree.body:
                    if isinstance(stmt, ast.Assign):
                        with contextlib.suppress(Unsupported, KeyError, TypeError):
                            module.run([stmt])
                try:
                    variants = parametrized(fn, module)
                except (Unsupported, AttributeError, KeyError, TypeError) as e:
                    skipped.append(f"{base_id}: parametrize {e}")
                    continue
                for suffix, args in variants:
                    test_id = base_id + suffix
                    if test_id not in snapshot and test_id not in validated:
                        continue
                    recorded = snapshot.get(test_id, {}).get("recorded-content", {})
                    if test_id in done:
                        continue  # a refused request: build_errors wrote its case
                    scope = DeployScope(repo, path)
                    for stmt in tree.body:
                        if isinstance(stmt, ast.Assign):
                            with contextlib.suppress(Unsupported):
                                Scope.run(scope, [stmt])
                    scope.env.update(args)
                    try:
                        scope.run(fn.body)
                    except (Unsupported, KeyError, TypeError, IndexError, ValueError, AttributeError, SparkleformError) as e:
                        skipped.append(f"{test_id}: {e}")
                        continue
                    if not scope.steps:
                        continue
                    scope.steps = scope.rename(scope.steps)
                    if any("Transform" in s.get("template", {}) for s in scope.steps) or "Fn::Transform" in json.dumps(scope.steps):
                        skipped.append(f"{test_id}: uses a transform")
                        continue
                    expect = deploy_expectations(scope, recorded)
                    if not expect:
                        skipped.append(f"{test_id}: nothing recorded that a case compares ({', '.join(recorded) or 'assertions only'})")
                        continue
                    recorded_in = "snapshot" if test_id in snapshot else "the test's assertions (validated against AWS)"
                    source = f"{path[:-3]}.{'snapshot' if test_id in snapshot else 'validation'}.json [{test_id}]"
                    case = {
                        "source": {
                            "repository": "localstack/localstack",
                            "commit": commit,
                            "test": test_id,
                            "snapshot": source,
                            "recorded": recorded_in,
                            "license": "Apache-2.0",
                        },
                        "group": DEPLOY_GROUPS[stem],
                        **({"stack": scope.rename(scope.stack)} if scope.stack else {}),
                        "ssm": scope.rename(scope.env.get("__ssm__", [])),
                        "steps": scope.steps,
                        "expect": scope.rename(expect),
                    }
                    slug = re.sub(r"[^A-Za-z0-9_]+", "_", f"{fn.name.removeprefix('test_')}{suffix}").strip("_")
                    (CASES / f"deploy__{stem.removeprefix('test_')}__{slug}.json").write_text(
                        json.dumps(case, indent=1, sort_keys=True) + "\n"
                    )
                    written += 1
    return written, skipped


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    CASES.mkdir(exist_ok=True)
    written, skipped = build(sys.argv[1])
    errors, skipped_errors = build_errors(sys.argv[1])
    done = {json.loads(p.read_text())["source"]["test"] for p in CASES.glob("error__*.json")}
    deploys, skipped_deploys = build_deploys(sys.argv[1], done)
    skipped += skipped_errors + skipped_deploys
    print(f"{written} update cases, {errors} refused-request cases and {deploys} deployment cases written to {CASES}")
    for line in skipped:
        print(f"skipped {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
