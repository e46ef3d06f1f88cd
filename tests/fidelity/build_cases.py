"""Build the fidelity cases from LocalStack's AWS-recorded CloudFormation test snapshots.

LocalStack's CloudFormation tests (github.com/localstack/localstack, Apache-2.0) record real
AWS responses in `*.snapshot.json` files next to the tests. This script reads a local git
snapshot of that repository, finds every test that deploys one template and updates it to a
second one (`capture_update_process(snapshot, t1, t2, p1=, p2=)`), evaluates the two
templates and their parameters from the test's source (dict literals, with the snapshot's
own name substitutions applied) and writes, per test, one JSON case file in `cases/`:
the steps, and the id-independent facts AWS recorded (plan entries, status sequences,
resolved properties, outputs). Only data is carried over, never test code.

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
            if fn == "copy.deepcopy":
                return json.loads(json.dumps(self.ev(node.args[0])))
            if fn == "json.dumps":
                return json.dumps(self.ev(node.args[0]))
            if fn in ("os.path.join", "os.path.realpath", "os.path.dirname") and self.files is not None:
                parts = [self.ev(a) for a in node.args]
                return "/".join(str(p) for p in parts)
            if fn.split(".")[-1] in ("load_file", "load_template_raw", "load_template") and self.files is not None:
                return self.files(str(self.ev(node.args[0])))
            raise Unsupported(f"call {fn}")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.ev(node.left) + self.ev(node.right)
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
    sorted by time); everything's first event is a CREATE_IN_PROGRESS."""
    events = [e for e in events if e["ResourceStatus"] not in ("REVIEW_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")]
    if events and events[0]["ResourceStatus"] != "CREATE_IN_PROGRESS":
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
            names = [n.strip() for n in str(scope.ev(deco.args[0])).split(",")]
            values = deco.args[1]
            ids_node = next((k.value for k in deco.keywords if k.arg == "ids"), None)
            variants = []
            for i, node in enumerate(values.elts):
                value = scope.ev(node)
                ident = scope.ev(ids_node.elts[i]) if ids_node is not None else None
                args = dict(zip(names, value if len(names) > 1 else [value], strict=True))
                if ident is None:
                    ident = "-".join(str(v) for v in args.values())
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


def request_of(repo: str, path: str, fn: ast.FunctionDef, scope: Scope) -> tuple[dict, dict] | None:
    """The template and parameters of the one request the test sends expecting an error."""
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
            return template, params
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
                    except (Unsupported, KeyError, TypeError, IndexError, ValueError) as e:
                        skipped.append(f"{test_id}: {e}")
                        continue
                    if request is None:
                        skipped.append(f"{test_id}: no request in a raises block")
                        continue
                    template, params = scope.rename(list(request))
                    case = {
                        "source": {
                            "repository": "localstack/localstack",
                            "commit": commit,
                            "test": test_id,
                            "snapshot": f"{path[:-3]}.snapshot.json [{test_id}]",
                            "license": "Apache-2.0",
                        },
                        "group": ERROR_GROUPS[stem],
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


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    CASES.mkdir(exist_ok=True)
    written, skipped = build(sys.argv[1])
    errors, skipped_errors = build_errors(sys.argv[1])
    skipped += skipped_errors
    print(f"{written} update cases and {errors} refused-request cases written to {CASES}")
    for line in skipped:
        print(f"skipped {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
