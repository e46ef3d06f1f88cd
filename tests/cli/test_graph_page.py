"""`sparkleform graph` looked at as a person would: the HTML page rendered in headless Chromium,
a screenshot taken, and the geometry checked in the page (no two boxes overlap, every label
fits its box, nested stacks framed apart); then hover, click, search and zoom used with
real mouse and keyboard events. Also the svg, png and dot formats."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import browser  # noqa: F401  (the fixture)

DATA = Path(__file__).parent / "data"
SHOTS = os.environ.get("SPARKLEFORM_SCREENSHOTS")  # keep the screenshots here when set
ENGINES = ["builtin", *(["dot"] if shutil.which("dot") else [])]

GEOMETRY = """
const box = el => el.getBoundingClientRect();
const nodes = Array.from(document.querySelectorAll('.node'));
const out = {nodes: nodes.length, overlaps: [], unfit: [], frames: [], outside: []};
const rects = nodes.map(g => [g.dataset.id, box(g.querySelector('rect'))]);
for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) {
  const [a, r] = rects[i], [b, s] = rects[j];
  if (r.left < s.right - 0.5 && s.left < r.right - 0.5 && r.top < s.bottom - 0.5 && s.top < r.bottom - 0.5)
    out.overlaps.push([a, b]);
}
nodes.forEach(g => {
  const r = box(g.querySelector('rect'));
  g.querySelectorAll('text').forEach(t => {
    const b = box(t);
    if (b.width === 0 || b.left < r.left || b.right > r.right || b.top < r.top || b.bottom > r.bottom)
      out.unfit.push([g.dataset.id, t.textContent, b.width, r.width]);
  });
});
const frames = Array.from(document.querySelectorAll('.frame')).map(f => [f.dataset.group, box(f.querySelector('rect'))]);
for (let i = 0; i < frames.length; i++) for (let j = i + 1; j < frames.length; j++) {
  const r = frames[i][1], s = frames[j][1];
  if (r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom) out.frames.push([frames[i][0], frames[j][0]]);
}
nodes.forEach(g => {
  const id = g.dataset.id, r = box(g.querySelector('rect'));
  frames.forEach(([group, f]) => {
    const inside = r.left >= f.left && r.right <= f.right && r.top >= f.top && r.bottom <= f.bottom;
    const member = id.startsWith(group + '/');
    const touches = r.left < f.right && f.left < r.right && r.top < f.bottom && f.top < r.bottom;
    if (member ? !inside : touches) out.outside.push([id, group]);
  });
});
return out;
"""


def sparkleform(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sparkleform.cli.main", *args], cwd=cwd, capture_output=True,
                          timeout=120)


def render(browser, page: Path, shot: Path) -> dict:  # noqa: F811
    browser.get(page.resolve().as_uri())
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000  # a real picture, not a blank page
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(SHOTS) / shot.name)
    return browser.execute_script(GEOMETRY)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    for name in ("top.yaml", "child.yaml"):
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize("engine", ENGINES)
def test_page_geometry_hover_click_search_zoom(browser, project, engine):  # noqa: F811
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    page = project / "graph.html"
    made = sparkleform("graph", "top.yaml", "--format", "html", "--layout", engine, "-o", str(page), cwd=project)
    assert made.returncode == 0, made.stderr
    geometry = render(browser, page, project / f"graph-{engine}.png")
    assert geometry["nodes"] == 15  # 11 resources on top, 4 in the nested stack
    assert geometry["overlaps"] == [] and geometry["unfit"] == [], geometry
    assert geometry["frames"] == [] and geometry["outside"] == [], geometry
    frame = browser.find_element(By.CSS_SELECTOR, ".frame text")
    assert frame.text == "nested stack Web (child.yaml)"
    assert browser.find_element(By.CSS_SELECTOR, "svg.sfgraph").get_attribute("data-engine") == engine

    # hover a resource: its type and properties
    tip = browser.find_element(By.ID, "tip")
    ActionChains(browser).move_to_element(browser.find_element(By.CSS_SELECTOR, '.node[data-id="SubnetA"]')).perform()
    assert tip.is_displayed()
    assert "AWS::EC2::Subnet" in tip.text and '"CidrBlock": "10.0.1.0/24"' in tip.text and '"Ref": "Vpc"' in tip.text
    # hover an edge: why it exists
    ActionChains(browser).move_to_element(
        browser.find_element(By.CSS_SELECTOR, '.edge[data-source="AssetsPolicy"] path.line')).perform()
    assert "AssetsPolicy depends on AssetsBucket" in tip.text
    assert "Ref" in tip.text and "Sub ${AssetsBucket.Arn}" in tip.text
    route = browser.find_element(By.CSS_SELECTOR, '.edge[data-source="DefaultRoute"][data-target="Attach"]')
    assert route.get_attribute("data-reasons") == "DependsOn"

    # click: the resource, what it needs (transitively) and what needs it light up; the rest dims
    ActionChains(browser).move_to_element(browser.find_element(By.CSS_SELECTOR, '.node[data-id="Attach"]')).click().perform()
    classes = browser.execute_script(
        "const c = {}; document.querySelectorAll('.node').forEach(g => c[g.dataset.id] = g.getAttribute('class')); return c;")
    assert "selected" in classes["Attach"]
    assert "dependency" in classes["Vpc"] and "dependency" in classes["Gateway"]
    assert "dependant" in classes["DefaultRoute"]
    assert "dim" in classes["AssetsBucket"] and "dim" in classes["Web/LoadBalancer"]
    assert "depends on 2, needed by 1" in browser.find_element(By.ID, "status").text
    lit = browser.execute_script("return Array.from(document.querySelectorAll('.edge.lit'))"
                                 ".map(e => e.dataset.source + '>' + e.dataset.target).sort()")
    assert lit == ["Attach>Gateway", "Attach>Vpc", "DefaultRoute>Attach"]  # not DefaultRoute>Gateway: no path via Attach

    # search by name or type
    search = browser.find_element(By.ID, "search")
    search.send_keys("Subnet")
    matches = browser.execute_script("return Array.from(document.querySelectorAll('.node.match')).map(g => g.dataset.id)")
    assert sorted(matches) == ["SubnetA", "SubnetB"]
    assert browser.find_element(By.ID, "status").text == "2 matches"
    search.clear()
    search.send_keys("elasticloadbalancingv2")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".node.match")) == 3

    # zoom with the buttons and the wheel, back with fit
    def view_width() -> float:
        return browser.execute_script("return document.querySelector('svg.sfgraph').viewBox.baseVal.width")

    full = view_width()
    browser.find_element(By.ID, "zoom-in").click()
    assert view_width() < full
    browser.find_element(By.ID, "zoom-fit").click()
    assert view_width() == full
    ActionChains(browser).scroll_to_element(browser.find_element(By.CSS_SELECTOR, '.node[data-id="Vpc"]')).perform()
    browser.execute_script("document.querySelector('svg.sfgraph').dispatchEvent(new WheelEvent('wheel', "
                           "{deltaY: -120, clientX: 300, clientY: 300, bubbles: true, cancelable: true}))")
    assert view_width() < full


@pytest.mark.parametrize("engine", ENGINES)
def test_a_big_tangled_template_still_has_no_overlaps(browser, tmp_path, engine):  # noqa: F811
    rng = random.Random(18)
    types = ["AWS::EC2::SecurityGroup", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::IAM::Role",
             "AWS::Lambda::Function", "AWS::SQS::Queue", "AWS::ApplicationAutoScaling::ScalableTarget"]
    resources: dict = {}
    for i in range(60):
        name = f"{rng.choice(['Web', 'Worker', 'DataPipelineStage', 'Q'])}{i}"
        props: dict = {}
        earlier = list(resources)
        for k, dep in enumerate(rng.sample(earlier, min(len(earlier), rng.randint(0, 3)))):
            props[f"P{k}"] = rng.choice([{"Ref": dep}, {"Fn::GetAtt": [dep, "Arn"]}, {"Fn::Sub": f"x-${{{dep}}}"}])
        resources[name] = {"Type": rng.choice(types), "Properties": props}
    (tmp_path / "big.json").write_text(json.dumps({"Resources": resources}))
    page = tmp_path / "big.html"
    made = sparkleform("graph", "big.json", "--format", "html", "--layout", engine, "-o", str(page), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    geometry = render(browser, page, tmp_path / f"big-{engine}.png")
    assert geometry["nodes"] == 60
    assert geometry["overlaps"] == [] and geometry["unfit"] == [], geometry


def test_svg_png_and_dot_outputs(project):
    svg = sparkleform("graph", "top.yaml", "--format", "svg", "--layout", "builtin", cwd=project)
    assert svg.returncode == 0, svg.stderr
    text = svg.stdout.decode()
    assert text.startswith("<svg") and text.count('class="node"') == 15
    assert "<title>LoadBalancer (AWS::ElasticLoadBalancingV2::LoadBalancer)</title>" in text
    assert "DefaultRoute depends on Attach: DependsOn" in text
    dot = sparkleform("graph", "top.yaml", cwd=project).stdout.decode()
    assert 'subgraph "cluster_1" { label="nested stack Web (child.yaml)"' in dot
    assert '"AssetsPolicy" -> "AssetsBucket" [tooltip="Sub ${AssetsBucket.Arn}, Ref"]' in dot
    png = sparkleform("graph", "top.yaml", "--format", "png", "-o", "g.png", cwd=project)
    if shutil.which("dot"):
        assert png.returncode == 0, png.stderr
        assert (project / "g.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    else:
        assert png.returncode == 2 and b"needs Graphviz" in png.stderr
    no_out = sparkleform("graph", "top.yaml", "--format", "png", cwd=project)
    assert no_out.returncode == 2
    assert (b"-o FILE.png" if shutil.which("dot") else b"needs Graphviz") in no_out.stderr
