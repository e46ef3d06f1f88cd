"""The long fuzz run: every verb that reads input, each generated input run in a process of
its own, its wall time, CPU time and peak memory measured alone.

    python tests/reliability/fuzz_long.py --examples 50000 --report fuzz.json [--jobs 2]
    python tests/reliability/fuzz_long.py --examples 300 --verbs validate,create-py   # a quick look

A warm parent imports sparkleform once, then forks a child per input: the child points
stdin/stdout/stderr at files, runs the real entry point (`sparkleform.cli.main.main`)
in-process and exits with its code, so no input pays a Python start and no input sees
another's caches. The parent reaps each child with os.wait4, whose rusage is that child's
own (ru_maxrss: its peak resident memory, which includes the parent's pages it shares,
about the size of a fresh `sparkleform` process). A child is killed by SIGALRM after
--kill-after seconds. An input is a finding when:

- traceback: stderr holds "Traceback" (an exception escaped main, or a traceback was printed);
- exit: the exit code is not 0, 1 or 2 (or the child died of a signal other than the alarm);
- hang: it ran over 10 s of wall time (or was killed by the alarm);
- memory: its peak resident memory went over 500 MB.

Findings are saved (input, argv, stderr) under --findings, one folder each, to replay with
`--replay DIR`. The report (JSON, rewritten as the run goes, so a run cut off by --until
keeps its figures) holds per verb: inputs, findings, slowest wall and CPU time, peak memory;
tests/reliability/fuzz_report.py tables it. Examples are spread evenly over the verbs, in
rounds of --batch per verb, each round a fresh hypothesis seed.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import resource
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from fuzz_inputs import configs, dsl_templates, parameters_files, policies, templates
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

HANG_S = 10.0
MEMORY_MB = 500.0
QUEUE = b"Parameters:\n  A:\n    Type: String\n    Default: x\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n"
TOML_TEMPLATE = b'[stacks.a]\ntemplate = "tpl.json"\n'
STATE = ["--state", "state.db"]


@dataclass(frozen=True)
class Verb:
    """One verb and the input it is fuzzed on: `argv` names the fuzzed file `{in}`."""

    argv: list[str]
    strategy: st.SearchStrategy[bytes]
    name: str = "t.json"  # the fuzzed file; .json/.yaml drawn for template files
    stdin: bool = False  # the input goes to stdin (argv has "-") rather than a file
    files: dict[str, bytes] = field(default_factory=dict)  # fixed side files

    @property
    def suffixes(self) -> list[str]:
        return [".json", ".yaml"] if self.name in ("t.json", "p.json", "policy.json") else [Path(self.name).suffix]


SIM = ["--action", "s3:GetObject"]
VERBS: dict[str, Verb] = {
    # templates (JSON/YAML)
    "validate": Verb(["validate", "{in}"], templates),
    "compile": Verb(["compile", "{in}", "--no-check"], templates),
    "graph": Verb(["graph", "{in}"], templates),
    "convert": Verb(["convert", "{in}"], templates),
    "convert-stdin": Verb(["convert", "-"], templates, stdin=True),
    "import": Verb(["import", "{in}"], templates),
    "import-stdin": Verb(["import", "-"], templates, stdin=True),
    "fmt": Verb(["fmt", "{in}"], templates),
    "fmt-stdin": Verb(["fmt", "-"], templates, stdin=True),
    "create": Verb(["create", "s", "{in}", *STATE], templates),
    "plan": Verb(["plan", "s", "{in}", *STATE], templates),
    "up": Verb(["up", "--yes", *STATE], templates, name="tpl.json", files={"sparkleform.toml": TOML_TEMPLATE}),
    "iam-template": Verb(["iam", "simulate", "{in}", *SIM], templates),
    # templates (Python DSL)
    "compile-py": Verb(["compile", "{in}", "--no-check"], dsl_templates, name="fuzzed.py"),
    "validate-py": Verb(["validate", "{in}"], dsl_templates, name="fuzzed.py"),
    "graph-py": Verb(["graph", "{in}"], dsl_templates, name="fuzzed.py"),
    "create-py": Verb(["create", "s", "{in}", *STATE], dsl_templates, name="fuzzed.py"),
    "plan-py": Verb(["plan", "s", "{in}", *STATE], dsl_templates, name="fuzzed.py"),
    "iam-py": Verb(["iam", "simulate", "{in}", *SIM], dsl_templates, name="fuzzed.py"),
    # parameters files, stack policies
    "create-parameters": Verb(["create", "s", "q.yaml", "--parameters-file", "{in}", *STATE], parameters_files,
                              name="p.json", files={"q.yaml": QUEUE}),
    "plan-parameters": Verb(["plan", "s", "q.yaml", "--parameters-file", "{in}", *STATE], parameters_files,
                            name="p.json", files={"q.yaml": QUEUE}),
    "create-stack-policy": Verb(["create", "s", "q.yaml", "--stack-policy", "{in}", *STATE], policies,
                                name="policy.json", files={"q.yaml": QUEUE}),
    # sparkleform.toml
    "up-config": Verb(["up", "--yes", *STATE], configs, name="sparkleform.toml",
                      files={"q.yaml": QUEUE, "t.json": QUEUE}),
    "config-flag": Verb(["--config", "{in}", "create", "s", "q.yaml", *STATE], configs, name="c.toml",
                        files={"q.yaml": QUEUE}),
    "config-show": Verb(["config"], configs, name="sparkleform.toml"),
    # IAM policies
    "iam-policy": Verb(["iam", "simulate", "--policy", "{in}", *SIM], policies, name="policy.json"),
    "iam-resource-policy": Verb(["iam", "simulate", "--resource-policy", "{in}", *SIM, "--principal",
                                 "arn:aws:iam::123456789012:role/r"], policies, name="policy.json"),
    "iam-boundary": Verb(["iam", "simulate", "--policy", "allow.json", "--boundary", "{in}", *SIM], policies,
                         name="policy.json",
                         files={"allow.json": b'{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'}),
}


@dataclass
class Figures:
    inputs: int = 0
    tracebacks: int = 0
    bad_exits: int = 0
    hangs: int = 0
    memory: int = 0
    slowest_s: float = 0.0
    slowest_cpu_s: float = 0.0
    peak_mb: float = 0.0
    total_s: float = 0.0
    exits: dict[str, int] = field(default_factory=dict)


def classify(stderr: str, code: str, wall: float, peak_mb: float, hang_s: float = HANG_S) -> list[str]:
    """What is wrong with one child's run (nothing: [])."""
    killed = code == f"signal {int(signal.SIGALRM)}"
    kinds = []
    if "Traceback" in stderr or "MemoryError" in stderr:
        kinds.append("traceback")
    if code not in ("0", "1", "2") and not killed:
        kinds.append("exit")
    if wall > hang_s or killed:
        kinds.append("hang")
    if peak_mb > MEMORY_MB or "MemoryError" in stderr:
        kinds.append("memory")
    return kinds


class Runner:
    """Forks one child per input, at most `jobs` at a time, each in a folder of its own."""

    def __init__(self, root: Path, jobs: int, kill_after: int, findings: Path | None, memory_limit_mb: int,
                 hang_s: float = HANG_S) -> None:
        self.root = root
        self.hang_s = hang_s
        self.free = [root / f"slot{i}" for i in range(jobs)]
        self.running: dict[int, tuple[Path, str, float, list[str], bytes]] = {}
        self.kill_after = kill_after
        self.findings = findings
        self.memory_limit = memory_limit_mb * 1024 * 1024
        self.figures: dict[str, Figures] = {}
        self.found: list[dict] = []

    def submit(self, verb_name: str, data: bytes, suffix: str) -> None:
        while not self.free:
            self.reap()
        verb = VERBS[verb_name]
        slot = self.free.pop()
        shutil.rmtree(slot, ignore_errors=True)
        slot.mkdir(parents=True)
        for name, content in verb.files.items():
            (slot / name).write_bytes(content)
        target = Path(verb.name).stem + suffix
        if not verb.stdin:
            (slot / target).write_bytes(data)
        (slot / ".stdin").write_bytes(data if verb.stdin else b"")
        argv = [a.replace("{in}", target) for a in verb.argv]
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child never returns
            _child(slot, argv, self.kill_after, self.memory_limit)
        self.running[pid] = (slot, verb_name, time.monotonic(), argv, data)

    def reap(self) -> None:
        pid, status, usage = os.wait4(-1, 0)
        slot, verb_name, started, argv, data = self.running.pop(pid)
        wall = time.monotonic() - started
        cpu = usage.ru_utime + usage.ru_stime
        peak_mb = usage.ru_maxrss / 1024
        stderr = (slot / ".stderr").read_bytes().decode("utf-8", "replace") if (slot / ".stderr").exists() else ""
        if os.WIFSIGNALED(status):
            code = f"signal {os.WTERMSIG(status)}"
        else:
            code = str(os.WEXITSTATUS(status))
        kinds = classify(stderr, code, wall, peak_mb, self.hang_s)
        f = self.figures.setdefault(verb_name, Figures())
        f.inputs += 1
        f.tracebacks += "traceback" in kinds
        f.bad_exits += "exit" in kinds
        f.hangs += "hang" in kinds
        f.memory += "memory" in kinds
        f.slowest_s = max(f.slowest_s, round(wall, 3))
        f.slowest_cpu_s = max(f.slowest_cpu_s, round(cpu, 3))
        f.peak_mb = max(f.peak_mb, round(peak_mb, 1))
        f.total_s += wall
        f.exits[code] = f.exits.get(code, 0) + 1
        if kinds:
            self._keep(verb_name, kinds, argv, data, stderr, code, wall, cpu, peak_mb, slot)
        self.free.append(slot)

    def drain(self) -> None:
        while self.running:
            self.reap()

    def _keep(self, verb, kinds, argv, data, stderr, code, wall, cpu, peak_mb, slot) -> None:
        last = stderr.strip().splitlines()[-1:] or [""]
        entry = {"verb": verb, "kinds": kinds, "code": code, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
                 "peak_mb": round(peak_mb, 1),
                 "argv": argv, "last_line": last[0][:300]}
        if self.findings is not None:
            folder = self.findings / f"{len(self.found):05d}-{verb}"
            shutil.copytree(slot, folder, ignore=shutil.ignore_patterns("state.db*", ".sparkleform"))
            (folder / "finding.json").write_text(json.dumps(entry, indent=2))
            entry["folder"] = str(folder)
        self.found.append(entry)
        print(f"FINDING {verb} {kinds} exit={code} {wall:.1f}s (CPU {cpu:.1f}s) {peak_mb:.0f}MB: {entry['last_line']}",
              flush=True)


def _child(slot: Path, argv: list[str], kill_after: int, memory_limit: int) -> None:
    """Run `sparkleform ARGV` in this forked process, with its files in `slot`; never returns."""
    code = 1
    try:
        os.chdir(slot)
        os.setpgid(0, 0)  # its own group: nothing it starts outlives it unnoticed
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.alarm(kill_after)
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        for fd, name, flags in ((0, ".stdin", os.O_RDONLY), (1, ".stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                (2, ".stderr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
            opened = os.open(name, flags, 0o600)
            os.dup2(opened, fd)
            os.close(opened)
        os.environ.update({"NO_COLOR": "1", "SPARKLEFORM_NO_PROMPT": "1", "HOME": str(slot),
                           "SPARKLEFORM_PROVIDER": "local"})
        sys.argv = ["sparkleform", *argv]
        from sparkleform.cli.main import main

        try:
            main(argv)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:  # what Python prints for an exception nobody caught
            import traceback

            traceback.print_exc()
            code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):  # a closed or broken stream: the exit code is what counts
                stream.flush()
        os._exit(code if 0 <= code < 256 else 255)


QUEUE_JSON = json.dumps({"Parameters": {"A": {"Type": "String", "Default": "x"}},
                         "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}).encode()
POLICY = b'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}'
DSL = (b"from sparkleform import template, ref\n\n\n@template\ndef fuzzed(t):\n"
       b"    t.parameter('a', default='x')\n    t.resource('q', 'AWS::SQS::Queue', queue_name=ref('a'))\n")
VALID = {id(templates): QUEUE_JSON, id(dsl_templates): DSL, id(parameters_files): b'{"A": "y"}',
         id(policies): POLICY, id(configs): b'[stacks.a]\ntemplate = "q.yaml"\n'}


def _warm(root: Path) -> None:
    """Run every verb once on a valid input in the parent, so that each child starts with the
    modules imported and the schemas read, as a long-lived process would have them."""
    from cli_runner import run_cli

    for name, verb in VERBS.items():
        folder = root / f"warm-{name}"
        folder.mkdir(parents=True)
        for side, content in verb.files.items():
            (folder / side).write_bytes(content)
        data = VALID[id(verb.strategy)]
        if name == "iam-resource-policy":
            data = data.replace(b'"Effect"', b'"Principal": "*", "Effect"')
        target = Path(verb.name).stem + verb.suffixes[0]
        (folder / target).write_bytes(data)
        argv = [a.replace("{in}", target) for a in verb.argv]
        result = run_cli(*argv, stdin=data if verb.stdin else b"", cwd=folder)
        if result.code != 0:
            print(f"warm-up: {name} exits {result.code}: {result.stderr.strip()[-300:]}", flush=True)
    shutil.rmtree(root, ignore_errors=True)


def report(runner: Runner, path: Path | None, started: float, args: argparse.Namespace, done: bool) -> None:
    if path is None:
        return
    verbs = {name: vars(f) | {"total_s": round(f.total_s, 1)} for name, f in runner.figures.items()}
    data = {
        "command": " ".join(["python", "tests/reliability/fuzz_long.py", *sys.argv[1:]]),
        "examples_asked": args.examples,
        "inputs": sum(f.inputs for f in runner.figures.values()),
        "finished": done,
        "elapsed_s": round(time.monotonic() - started, 1),
        "parent_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "verbs": verbs,
        "findings": runner.found[:500],
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2))
    tmp.replace(path)


def run_batch(runner: Runner, verb_name: str, count: int, seed: int) -> None:
    verb = VERBS[verb_name]
    # Hypothesis leaves cyclic garbage that the collector's oldest generation keeps for
    # long: collect it, so the parent (whose pages every child's memory figure includes)
    # does not grow; then freeze what is left, so a child's collections do not touch (and
    # copy) the parent's objects.
    gc.unfreeze()
    gc.collect()
    gc.freeze()

    @hypothesis_seed(seed)
    @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(data=verb.strategy, suffix=st.sampled_from(verb.suffixes))
    def batch(data: bytes, suffix: str) -> None:
        runner.submit(verb_name, data, suffix)

    batch()


def replay(folder: Path) -> int:
    """Run a saved finding again, as a real process, and print what it did."""
    import subprocess

    entry = json.loads((folder / "finding.json").read_text())
    work = Path(tempfile.mkdtemp(prefix="fuzz-replay-"))
    shutil.copytree(folder, work, dirs_exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"), "NO_COLOR": "1",
           "SPARKLEFORM_NO_PROMPT": "1"}
    started = time.monotonic()
    with open(work / ".stdin", "rb") as stdin:
        proc = subprocess.run([sys.executable, "-m", "sparkleform.cli.main", *entry["argv"]], cwd=work, env=env,
                              stdin=stdin, capture_output=True, timeout=120)
    print(f"{entry['argv']}: exit {proc.returncode} in {time.monotonic() - started:.1f}s (in {work})")
    print(proc.stderr.decode("utf-8", "replace")[-3000:])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=2900, help="inputs in all, spread over the verbs")
    parser.add_argument("--verbs", default=",".join(VERBS), help="comma-separated subset of: " + ", ".join(VERBS))
    parser.add_argument("--jobs", type=int, default=1, help="children at a time")
    parser.add_argument("--batch", type=int, default=50, help="inputs per verb per round")
    parser.add_argument("--report", type=Path, help="JSON figures, rewritten as the run goes")
    parser.add_argument("--findings", type=Path, help="folder to keep each finding's input in")
    parser.add_argument("--until", help="stop starting rounds at this UTC time (HH:MM)")
    parser.add_argument("--kill-after", type=int, default=30, help="seconds before a child is killed (a hang)")
    parser.add_argument("--memory-limit-mb", type=int, default=3072, help="address-space limit of a child")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--replay", type=Path, help="run one saved finding folder again and stop")
    parser.add_argument("--input", type=Path, action="append",
                        help="run this file (not generated input) through each of --verbs; repeatable")
    parser.add_argument("--hang-s", type=float, default=HANG_S, help="wall time over which an input is a hang")
    args = parser.parse_args()
    if args.replay:
        return replay(args.replay)
    verbs = [v for v in args.verbs.split(",") if v]
    unknown = [v for v in verbs if v not in VERBS]
    if unknown:
        parser.error(f"unknown verbs: {', '.join(unknown)}")
    deadline = None
    if args.until:
        hh, mm = (int(x) for x in args.until.split(":"))
        now = time.gmtime()
        deadline = time.time() + ((hh * 60 + mm) - (now.tm_hour * 60 + now.tm_min)) * 60 - now.tm_sec
    _warm(Path(tempfile.mkdtemp(prefix="sparkleform-fuzz-warm-")))
    if args.findings:
        args.findings.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="sparkleform-fuzz-"))
    runner = Runner(root, args.jobs, args.kill_after, args.findings, args.memory_limit_mb, args.hang_s)
    started = time.monotonic()
    if args.input:
        try:
            for path in args.input:
                for verb_name in verbs:
                    runner.submit(verb_name, path.read_bytes(), VERBS[verb_name].suffixes[0])
        finally:
            runner.drain()
            report(runner, args.report, started, args, done=True)
            shutil.rmtree(root, ignore_errors=True)
        print(f"{sum(f.inputs for f in runner.figures.values())} inputs, {len(runner.found)} findings")
        return 1 if runner.found else 0
    per_verb = {v: args.examples // len(verbs) + (i < args.examples % len(verbs)) for i, v in enumerate(verbs)}
    done = {v: 0 for v in verbs}
    rnd = 0
    cut_off = False
    try:
        while any(done[v] < per_verb[v] for v in verbs):
            if deadline is not None and time.time() >= deadline:
                print("stopped by --until", flush=True)
                cut_off = True
                break
            for verb_name in verbs:
                count = min(args.batch, per_verb[verb_name] - done[verb_name])
                if count > 0:
                    before = runner.figures.get(verb_name, Figures()).inputs + _in_flight(runner, verb_name)
                    run_batch(runner, verb_name, count, args.seed * 1000 + rnd)
                    after = runner.figures.get(verb_name, Figures()).inputs + _in_flight(runner, verb_name)
                    done[verb_name] += max(after - before, 1)  # hypothesis may give fewer than asked
            rnd += 1
            runner.drain()
            report(runner, args.report, started, args, done=False)
            total = sum(f.inputs for f in runner.figures.values())
            print(f"round {rnd}: {total} inputs, {len(runner.found)} findings, "
                  f"{time.monotonic() - started:.0f}s", flush=True)
    finally:
        runner.drain()
        report(runner, args.report, started, args, done=not cut_off)
        shutil.rmtree(root, ignore_errors=True)
    total = sum(f.inputs for f in runner.figures.values())
    print(f"{total} inputs, {len(runner.found)} findings")
    return 1 if runner.found else 0


def _in_flight(runner: Runner, verb_name: str) -> int:
    return sum(1 for entry in runner.running.values() if entry[1] == verb_name)


if __name__ == "__main__":
    sys.exit(main())
