"""The live view of a stack operation, seen on a real pseudo-terminal: elapsed times tick while a
slow custom resource works, the overall `n/m complete · t` line, whole type names, copyable
outputs, the closing count, no style escapes under NO_COLOR / --no-color, and Ctrl-C."""

from __future__ import annotations

import os
import re

import pytest
from pty_support import STYLE, Pty

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")

SLOW = '''
"""A stack whose custom resource takes a while (a local handler registered by ServiceToken)."""
import os
import time

from sparkleform import get_att, template
from sparkleform.engine.custom import register_handler

URL = "http://assets-0123456789.s3-website-us-east-1.amazonaws.com/" + "deep/" * 20 + "index.html"


def _slow(request):
    time.sleep(float(os.environ.get("SLOW_SECONDS", "1.5")))
    return {"Data": {"WebsiteURL": URL}}


register_handler("Custom::SlowSeeder", _slow)


@template(description="slow")
def slow(t):
    with t.resources.seeder as s:
        s.type = "Custom::SlowSeeder"
        s.properties.service_token = "local"
    with t.resources.listener as q:
        q.type = "AWS::ElasticLoadBalancingV2::ListenerCertificate"
        q.properties.listener_arn = "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/a/b/c"
        q.properties.certificates = [{"CertificateArn": "arn:aws:acm:us-east-1:1:certificate/x"}]
        q.depends_on = ["Seeder"]
    t.output("site", get_att("seeder", "WebsiteURL"))
'''

URL = "http://assets-0123456789.s3-website-us-east-1.amazonaws.com/" + "deep/" * 20 + "index.html"


@pytest.fixture()
def project(tmp_path):
    (tmp_path / "slow.py").write_text(SLOW)
    return tmp_path


def _elapsed_seconds(text: str) -> list[float]:
    """The elapsed column of the Seeder row in every frame drawn while it was in progress."""
    values = []
    for m in re.finditer(r"│ Seeder\s+│[^│]*│ CREATE_IN_PROGRESS\s*│\s*([0-9.]+)(ms|s)\s*│", text):
        number, unit = float(m.group(1)), m.group(2)
        values.append(number / 1000 if unit == "ms" else number)
    return values


def test_live_view_ticks_counts_and_prints_outputs_whole(project):
    term = Pty(project, "create", "site", "slow.py", env={"NO_COLOR": "1"})
    assert term.finish() == 0, term.plain
    text = term.plain
    ticks = _elapsed_seconds(text)
    # The row was redrawn while nothing happened: its elapsed time went past a second.
    assert ticks and max(ticks) >= 1.0 and len(set(ticks)) >= 4, ticks
    assert re.search(r"0/[12] complete · [0-9.]+(ms|s)", text)  # the total grows as resources start
    assert re.search(r"2/2 complete · [0-9.]+s", text)
    # The type name is whole on one line of a wide terminal (it folded at 30 columns before).
    assert "AWS::ElasticLoadBalancingV2::ListenerCertificate" in text
    assert re.search(r"site: 2 created · 0 updated · 0 deleted in [0-9.]+s", text)
    # The output is a plain `Key  Value` line, the URL whole: copyable.
    assert re.search(r"^  Site  " + re.escape(URL) + r"\r?$", text, re.M), text[-1500:]
    assert "…" not in text
    assert not STYLE.findall(term.raw)  # NO_COLOR: not one colour or bold escape


def test_no_color_flag_leaves_no_style_escapes_but_colour_is_there_by_default(project):
    plain = Pty(project, "--no-color", "create", "a", "slow.py", env={"SLOW_SECONDS": "0.3", "NO_COLOR": None})
    assert plain.finish() == 0, plain.plain
    assert "2 created" in plain.plain
    assert not STYLE.findall(plain.raw)
    coloured = Pty(project, "create", "b", "slow.py", env={"SLOW_SECONDS": "0.3", "NO_COLOR": None})
    assert coloured.finish() == 0, coloured.plain
    assert STYLE.findall(coloured.raw)  # the same run with colour does style its output


def test_destroy_counts_deletions(project):
    assert Pty(project, "create", "gone", "slow.py", env={"SLOW_SECONDS": "0"}).finish() == 0
    term = Pty(project, "destroy", "gone", "--yes", env={"SLOW_SECONDS": "0"})
    assert term.finish() == 0, term.plain
    assert re.search(r"gone: 0 created · 0 updated · 2 deleted", term.plain), term.plain


def test_ctrl_c_once_lets_the_local_operation_finish(project):
    term = Pty(project, "create", "once", "slow.py", env={"SLOW_SECONDS": "2", "NO_COLOR": "1"})
    term.expect("CREATE_IN_PROGRESS")
    term.send(b"\x03")
    term.expect("press Ctrl-C again to cut it off")
    assert term.finish() == 0, term.plain
    assert "2 created" in term.plain


def test_ctrl_c_twice_cuts_it_off_and_names_recover(project):
    term = Pty(project, "create", "twice", "slow.py", env={"SLOW_SECONDS": "3", "NO_COLOR": "1"})
    term.expect("CREATE_IN_PROGRESS")
    term.send(b"\x03")
    term.expect("press Ctrl-C again")
    term.send(b"\x03")
    assert term.finish() == 130, term.plain
    assert "was cut off" in term.plain and "sparkleform recover twice" in term.plain
    assert "Traceback" not in term.plain


def test_a_known_total_is_the_denominator_and_rollbacks_count_failures(monkeypatch):
    import io
    from datetime import UTC, datetime, timedelta

    from sparkleform.cli.display import EventDisplay
    from sparkleform.contract import StackEvent

    monkeypatch.setenv("COLUMNS", "160")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    out = io.StringIO()
    display = EventDisplay("app", stream=out, live=True, color=False, total=25)
    with display:
        for i in range(12):
            display(StackEvent(f"{i}a", "app", f"R{i}", None, "AWS::SQS::Queue", "CREATE_IN_PROGRESS", None, t0))
            display(StackEvent(f"{i}b", "app", f"R{i}", None, "AWS::SQS::Queue", "CREATE_COMPLETE", None,
                               t0 + timedelta(seconds=1)))
        display(StackEvent("x", "app", "Db", None, "AWS::RDS::DBInstance", "CREATE_FAILED", "quota", t0))
        assert display.progress().startswith("13/25 complete · ")
    assert display.summary().startswith("app: 12 created · 0 updated · 0 deleted · 1 failed in ")
    assert out.getvalue().rstrip().splitlines()[-1] == display.summary()


COUNTED = '''
"""Three resources made (one more is left out by its condition); EXTRA adds one."""
import os
import time

from sparkleform import template
from sparkleform.engine.custom import register_handler

VERSION, EXTRA = "1", False


def _slow(request):
    time.sleep(float(os.environ.get("SLOW_SECONDS", "1")))
    return {"Data": {}}


register_handler("Custom::Slow", _slow)


@template(description="counted")
def counted(t):
    t.parameter("env", type="String", default="dev")
    t.condition("is_prod", {"Fn::Equals": [{"Ref": "Env"}, "prod"]})
    with t.resources.waiter as w:
        w.type = "Custom::Slow"
        w.properties.service_token = "local"
        w.properties.version = VERSION
    with t.resources.jobs as q:
        q.type = "AWS::SQS::Queue"
    with t.resources.alerts as s:
        s.type = "AWS::SNS::Topic"
    with t.resources.prod_only as p:
        p.type = "AWS::SQS::Queue"
        p.condition = "IsProd"
    if EXTRA:
        with t.resources.extra as q:
            q.type = "AWS::SQS::Queue"
'''


def _totals(text: str) -> set[str]:
    """The `k/N complete` progress lines' denominators, over every frame drawn."""
    return set(re.findall(r"\d+/(\d+) complete · ", text))


@pytest.mark.parametrize("verb", ["create", "deploy"])
def test_the_progress_line_counts_against_the_operations_real_total(tmp_path, verb):
    (tmp_path / "counted.py").write_text(COUNTED)
    v2 = COUNTED.replace('VERSION, EXTRA = "1", False', 'VERSION, EXTRA = "2", True')
    (tmp_path / "counted_v2.py").write_text(v2.replace("def counted(t)", "def counted_v2(t)"))
    env = {"NO_COLOR": "1", "SLOW_SECONDS": "1"}
    # create: 3 of the template's 4 resources (ProdOnly's condition is false), known from the start
    made = Pty(tmp_path, verb, "app", "counted.py", *(["--yes"] if verb == "deploy" else []), env=env)
    assert made.finish() == 0, made.plain
    assert _totals(made.plain) == {"3"}, made.plain[-2000:]
    assert re.search(r"0/3 complete", made.plain) and re.search(r"3/3 complete", made.plain)
    assert "3 created" in made.plain
    # update: the plan touches Waiter (modified) and Extra (added); Jobs and Alerts send no events
    changed = Pty(tmp_path, "update" if verb == "create" else "deploy", "app", "counted_v2.py", "--yes", env=env)
    assert changed.finish() == 0, changed.plain
    assert _totals(changed.plain) == {"2"}, changed.plain[-2000:]
    assert re.search(r"2/2 complete", changed.plain) and "1 created · 1 updated" in changed.plain
    # destroy: the stack's four resources
    gone = Pty(tmp_path, "destroy", "app", "--yes", env=env)
    assert gone.finish() == 0, gone.plain
    assert _totals(gone.plain) == {"4"}, gone.plain[-2000:]
    assert re.search(r"4/4 complete", gone.plain) and "4 deleted" in gone.plain


def test_up_gives_each_stack_its_own_total(tmp_path):
    (tmp_path / "counted.py").write_text(COUNTED)
    (tmp_path / "sparkleform.toml").write_text(
        '[stacks.small]\ntemplate = "counted.py"\n\n'
        '[stacks.big]\ntemplate = "counted.py"\nparameters = { Env = "prod" }\n'
    )
    term = Pty(tmp_path, "up", "--yes", env={"NO_COLOR": "1", "SLOW_SECONDS": "0.5"})
    assert term.finish() == 0, term.plain
    # Env=prod keeps ProdOnly: 4 resources there, 3 in the other
    assert _totals(term.plain) == {"3", "4"}, term.plain[-2000:]
    assert re.search(r"3/3 complete", term.plain) and re.search(r"4/4 complete", term.plain)
    assert not re.search(r"\d/[12] complete", term.plain)
