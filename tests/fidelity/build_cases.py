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
import json
import re
import subprocess
import sys
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

    def __init__(self) -> None:
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
                if fn == "snapshot.add_transformer" and call.args and isinstance(call.args[0], ast.Call):
                    inner = call.args[0]
                    if ast.unparse(inner.func) == "RegexTransformer" and len(inner.args) == 2:
                        try:
                            self.renames[str(self.ev(inner.args[0]))] = str(self.ev(inner.args[1]))
                        except Unsupported:
                            pass
                elif fn == "capture_update_process":
                    self.capture(call)
                elif fn.endswith(".put_parameter") or fn.endswith("ssm.put_parameter"):
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


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    CASES.mkdir(exist_ok=True)
    written, skipped = build(sys.argv[1])
    print(f"{written} case files written to {CASES}")
    for line in skipped:
        print(f"skipped {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
