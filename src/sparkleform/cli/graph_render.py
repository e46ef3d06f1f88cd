"""Drawing a laid-out graph: a standalone SVG (hover titles), or an HTML page around the same
SVG that adds what a person exploring a template wants — hover a resource for its type and
properties or an edge for why it exists (Ref, GetAtt, Sub, DependsOn), click a resource to
light up what it depends on and what depends on it, search by name or type, zoom and pan.
The page is one self-contained file: no network, no external script."""

from __future__ import annotations

import html
import json

from sparkleform.cli.graph_layout import ID_FONT, PAD_X, TYPE_FONT, Layout
from sparkleform.cli.graph_model import Graph

STYLE = """
svg.sfgraph { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; background: #fff; }
.sfgraph .frame rect { fill: #f5f7fa; stroke: #90a4ae; stroke-dasharray: 4 3; }
.sfgraph .frame text { font-size: 12px; fill: #455a64; }
.sfgraph .node rect { fill: #e3f2fd; stroke: #1565c0; stroke-width: 1.2; }
.sfgraph .node .id { font-size: 13px; font-weight: bold; fill: #0d2c54; }
.sfgraph .node .type { font-size: 11px; fill: #455a64; }
.sfgraph .edge path.line { fill: none; stroke: #78909c; stroke-width: 1.4; }
.sfgraph .edge path.hit { fill: none; stroke: transparent; stroke-width: 10; }
.sfgraph .edge.cycle path.line { stroke: #c62828; }
"""

PAGE_STYLE = """
body { margin: 0; font-family: Helvetica, Arial, sans-serif; color: #263238; }
header { display: flex; gap: 12px; align-items: center; padding: 8px 12px; border-bottom: 1px solid #cfd8dc;
         background: #fafafa; position: sticky; top: 0; z-index: 2; }
header h1 { font-size: 16px; margin: 0; }
header .note { font-size: 12px; color: #607d8b; }
#search { padding: 4px 8px; width: 16em; }
button { padding: 3px 9px; }
#canvas { width: 100vw; height: calc(100vh - 48px); overflow: hidden; cursor: grab; }
#canvas svg { width: 100%; height: 100%; }
#tip { position: fixed; display: none; max-width: 560px; max-height: 60vh; overflow: auto; background: #263238;
       color: #eceff1; font: 12px/1.35 monospace; padding: 8px 10px; border-radius: 6px; white-space: pre-wrap;
       pointer-events: none; z-index: 3; box-shadow: 0 2px 8px rgba(0,0,0,.3); }
.sfgraph .node { cursor: pointer; }
.sfgraph .node.selected rect { fill: #fff59d; stroke: #f57f17; stroke-width: 2.5; }
.sfgraph .node.dependency rect { fill: #c8e6c9; stroke: #2e7d32; stroke-width: 2; }
.sfgraph .node.dependant rect { fill: #ffe0b2; stroke: #ef6c00; stroke-width: 2; }
.sfgraph .node.match rect { stroke: #d81b60; stroke-width: 3; }
.sfgraph .dim { opacity: 0.22; }
.sfgraph .edge.lit path.line { stroke: #37474f; stroke-width: 2.4; }
.legend span { display: inline-block; padding: 1px 6px; margin-left: 4px; border-radius: 3px; font-size: 12px; }
"""

SCRIPT = r"""
(function () {
  const data = JSON.parse(document.getElementById('graph-data').textContent);
  const svg = document.querySelector('svg.sfgraph');
  const tip = document.getElementById('tip');
  const nodes = new Map();
  svg.querySelectorAll('.node').forEach(g => nodes.set(g.dataset.id, g));
  const edges = Array.from(svg.querySelectorAll('.edge'));
  const deps = new Map(), dependants = new Map();
  data.edges.forEach(e => {
    if (!deps.has(e.source)) deps.set(e.source, []);
    if (!dependants.has(e.target)) dependants.set(e.target, []);
    deps.get(e.source).push(e.target); dependants.get(e.target).push(e.source);
  });
  function closure(start, next) {
    const seen = new Set(), todo = [...(next.get(start) || [])];
    while (todo.length) { const n = todo.pop(); if (seen.has(n)) continue; seen.add(n); todo.push(...(next.get(n) || [])); }
    seen.delete(start); return seen;
  }
  function clear() {
    svg.querySelectorAll('.selected,.dependency,.dependant,.dim,.lit,.match')
       .forEach(el => el.classList.remove('selected', 'dependency', 'dependant', 'dim', 'lit', 'match'));
  }
  function select(id) {
    clear();
    if (!id) return;
    const up = closure(id, deps), down = closure(id, dependants);
    nodes.forEach((g, n) => {
      if (n === id) g.classList.add('selected');
      else if (up.has(n)) g.classList.add('dependency');
      else if (down.has(n)) g.classList.add('dependant');
      else g.classList.add('dim');
    });
    edges.forEach(e => {  // lit: the edges on a path through the selected resource
      const s = e.dataset.source, t = e.dataset.target;
      const on = ((s === id || up.has(s)) && up.has(t)) || (down.has(s) && (t === id || down.has(t)));
      e.classList.add(on ? 'lit' : 'dim');
    });
    document.getElementById('status').textContent =
      id + ': depends on ' + up.size + ', needed by ' + down.size;
  }
  function show(text, ev) {
    tip.textContent = text; tip.style.display = 'block';
    const x = Math.min(ev.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    const y = Math.min(ev.clientY + 14, window.innerHeight - tip.offsetHeight - 8);
    tip.style.left = Math.max(4, x) + 'px'; tip.style.top = Math.max(4, y) + 'px';
  }
  nodes.forEach((g, id) => {
    const n = data.nodes[id];
    const text = n.id + '\n' + n.type + (n.condition ? '\nCondition: ' + n.condition : '') +
      '\n\n' + (n.properties === null ? '(no properties)' : JSON.stringify(n.properties, null, 2));
    g.addEventListener('mouseenter', ev => show(text, ev));
    g.addEventListener('mousemove', ev => show(text, ev));
    g.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
    g.addEventListener('click', ev => { ev.stopPropagation(); select(g.classList.contains('selected') ? null : id); });
  });
  edges.forEach(e => {
    const text = e.dataset.source + ' depends on ' + e.dataset.target + '\n' + e.dataset.reasons.split('|').join('\n');
    e.addEventListener('mouseenter', ev => show(text, ev));
    e.addEventListener('mousemove', ev => show(text, ev));
    e.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
  });
  // zoom and pan through the viewBox
  const full = svg.viewBox.baseVal; const home = [full.x, full.y, full.width, full.height];
  let view = home.slice();
  function apply() { svg.setAttribute('viewBox', view.join(' ')); }
  function zoom(f, cx, cy) {
    const w = view[2] * f, h = view[3] * f;
    if (w < 80 || w > home[2] * 8) return;
    cx = cx === undefined ? view[0] + view[2] / 2 : cx; cy = cy === undefined ? view[1] + view[3] / 2 : cy;
    view = [cx - (cx - view[0]) * f, cy - (cy - view[1]) * f, w, h]; apply();
  }
  function toSvg(ev) {
    const r = svg.getBoundingClientRect(), s = Math.max(view[2] / r.width, view[3] / r.height);
    const ox = (r.width * s - view[2]) / 2, oy = (r.height * s - view[3]) / 2;
    return [view[0] - ox + (ev.clientX - r.left) * s, view[1] - oy + (ev.clientY - r.top) * s, s];
  }
  svg.addEventListener('wheel', ev => { ev.preventDefault(); const p = toSvg(ev); zoom(ev.deltaY > 0 ? 1.15 : 1 / 1.15, p[0], p[1]); },
                       { passive: false });
  let drag = null;
  svg.addEventListener('mousedown', ev => { drag = [ev.clientX, ev.clientY, view[0], view[1], toSvg(ev)[2]]; });
  window.addEventListener('mousemove', ev => {
    if (!drag) return;
    view[0] = drag[2] - (ev.clientX - drag[0]) * drag[4]; view[1] = drag[3] - (ev.clientY - drag[1]) * drag[4]; apply();
  });
  window.addEventListener('mouseup', () => { drag = null; });
  svg.addEventListener('click', () => select(null));
  document.getElementById('zoom-in').onclick = () => zoom(1 / 1.25);
  document.getElementById('zoom-out').onclick = () => zoom(1.25);
  document.getElementById('zoom-fit').onclick = () => { view = home.slice(); apply(); };
  // search: light up matches by name or type; Enter centres the first one
  const search = document.getElementById('search');
  search.addEventListener('input', () => {
    clear();
    const q = search.value.trim().toLowerCase();
    let count = 0;
    if (q) nodes.forEach((g, id) => {
      const n = data.nodes[id];
      if ((n.id + ' ' + n.type).toLowerCase().includes(q)) { g.classList.add('match'); count++; }
      else g.classList.add('dim');
    });
    document.getElementById('status').textContent = q ? count + ' match' + (count === 1 ? '' : 'es') : '';
  });
  search.addEventListener('keydown', ev => {
    if (ev.key !== 'Enter') return;
    const first = svg.querySelector('.node.match rect');
    if (!first) return;
    const x = +first.getAttribute('x'), y = +first.getAttribute('y');
    view = [x - view[2] / 2, y - view[3] / 2, view[2], view[3]]; apply();
  });
  window.sfgraph = { select, zoom, data };
})();
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def svg_body(graph: Graph, lay: Layout) -> str:
    """The <svg> element: frames, then edges, then boxes (so boxes sit on top)."""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="sfgraph" width="{lay.width:.0f}" '
             f'height="{lay.height:.0f}" viewBox="0 0 {lay.width:.0f} {lay.height:.0f}" '
             f'data-engine="{lay.engine}">',
             "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" "
             "markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#78909c\"/></marker></defs>"]
    labels = {g.id: g.label for g in graph.groups}
    for group_id, f in lay.frames.items():
        parts.append(f'<g class="frame" data-group="{_e(group_id)}"><rect x="{f.x:.1f}" y="{f.y:.1f}" '
                     f'width="{f.w:.1f}" height="{f.h:.1f}" rx="8"/>'
                     f'<text x="{f.x + 8:.1f}" y="{f.y + 15:.1f}">{_e(labels.get(group_id, group_id))}</text></g>')
    for edge, path in zip(graph.edges, lay.paths, strict=True):
        if not path:
            continue
        reasons = ", ".join(edge.reasons)
        cls = "edge cycle" if edge.in_cycle else "edge"
        parts.append(f'<g class="{cls}" data-source="{_e(edge.source)}" data-target="{_e(edge.target)}" '
                     f'data-reasons="{_e("|".join(edge.reasons))}"><title>{_e(edge.source)} depends on '
                     f'{_e(edge.target)}: {_e(reasons)}</title><path class="hit" d="{path}"/>'
                     f'<path class="line" d="{path}" marker-end="url(#arrow)"/></g>')
    for node_id, b in lay.boxes.items():
        node = graph.nodes[node_id]
        parts.append(f'<g class="node" data-id="{_e(node_id)}"><title>{_e(node.logical_id)} ({_e(node.type)})</title>'
                     f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" rx="5"/>'
                     f'<text class="id" x="{b.x + PAD_X:.1f}" y="{b.y + 6 + ID_FONT:.1f}">{_e(node.logical_id)}</text>'
                     f'<text class="type" x="{b.x + PAD_X:.1f}" y="{b.y + 12 + ID_FONT + TYPE_FONT:.1f}">'
                     f"{_e(node.type)}</text></g>")
    parts.append("</svg>")
    return "\n".join(parts)


def to_svg(graph: Graph, lay: Layout) -> str:
    body = svg_body(graph, lay)
    return body.replace("<defs>", f"<style>{STYLE}</style><defs>", 1) + "\n"


def to_html(graph: Graph, lay: Layout) -> str:
    data = {
        "name": graph.name,
        "nodes": {n.id: {"id": n.logical_id, "type": n.type, "group": n.group, "properties": n.properties,
                         "condition": n.condition} for n in graph.nodes.values()},
        "edges": [{"source": e.source, "target": e.target, "reasons": e.reasons} for e in graph.edges],
    }
    blob = json.dumps(data, default=str).replace("</", "<\\/")
    cycles = "".join(f"<li>circular: {_e(' → '.join(c))}</li>" for c in graph.cycles)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(graph.name)}: resource graph</title>
<style>{STYLE}{PAGE_STYLE}</style></head><body>
<header><h1>{_e(graph.name)}</h1>
<input id="search" type="search" placeholder="find a resource or type" aria-label="search">
<button id="zoom-in" title="zoom in">+</button><button id="zoom-out" title="zoom out">−</button>
<button id="zoom-fit" title="fit">fit</button>
<span class="note">{len(graph.nodes)} resources, {len(graph.edges)} dependencies · arrows point to what a resource
needs · hover for properties and reasons · click to trace</span>
<span class="legend"><span style="background:#c8e6c9">depends on</span><span style="background:#ffe0b2">needed by</span></span>
<span id="status" class="note"></span></header>
{"<ul>" + cycles + "</ul>" if cycles else ""}
<div id="canvas">{svg_body(graph, lay)}</div>
<div id="tip"></div>
<script id="graph-data" type="application/json">{blob}</script>
<script>{SCRIPT}</script>
</body></html>
"""
