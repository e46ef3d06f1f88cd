"""`sparkleform graph`: a template's resources and their dependencies, as Graphviz dot text
or a self-contained HTML page (inline SVG, no scripts or external files)."""

from __future__ import annotations

import html

import click

from sparkleform.cli.context import get_settings
from sparkleform.cli.validate import load_for_check
from sparkleform.stacks.keyvalues import parse_pairs


def _dot_id(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(name: str, template: dict, deps: dict[str, set[str]], cycles: list[list[str]]) -> str:
    resources = template.get("Resources") if isinstance(template.get("Resources"), dict) else {}
    in_cycle = {(c[i], c[i + 1]) for c in cycles for i in range(len(c) - 1)}
    lines = [f"digraph {_dot_id(name)} {{", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];']
    for logical_id in deps:
        res = resources.get(logical_id)
        rtype = res.get("Type") if isinstance(res, dict) else ""
        label = f"{logical_id}\\n{rtype}" if isinstance(rtype, str) and rtype else logical_id
        lines.append(f'  {_dot_id(logical_id)} [label="{label.replace(chr(34), chr(39))}"];')
    for logical_id, targets in deps.items():
        for target in sorted(targets):
            style = " [color=red]" if (logical_id, target) in in_cycle else ""
            lines.append(f"  {_dot_id(logical_id)} -> {_dot_id(target)}{style};")
    lines.append("}")
    return "\n".join(lines)


def _layers(deps: dict[str, set[str]]) -> dict[str, int]:
    """Layer = length of the longest dependency chain below a node (cycles cut)."""
    layer: dict[str, int] = {}
    for start in sorted(deps):
        if start in layer:
            continue
        stack = [(start, iter(sorted(deps.get(start, ()))))]
        visiting = {start}
        while stack:
            node, it = stack[-1]
            child = next(it, None)
            if child is None:
                stack.pop()
                visiting.discard(node)
                layer[node] = max([layer.get(d, 0) + 1 for d in deps.get(node, ()) if d in layer and d != node] or [0])
                continue
            if child in layer or child in visiting or child not in deps:
                continue
            visiting.add(child)
            stack.append((child, iter(sorted(deps.get(child, ())))))
    return layer


def to_html(name: str, template: dict, deps: dict[str, set[str]], cycles: list[list[str]]) -> str:
    resources = template.get("Resources") if isinstance(template.get("Resources"), dict) else {}
    layer = _layers(deps)
    columns: dict[int, list[str]] = {}
    for node in sorted(deps):
        columns.setdefault(layer.get(node, 0), []).append(node)
    box_w, box_h, gap_x, gap_y = 230, 44, 90, 18
    pos = {}
    for col, nodes in columns.items():
        for row, node in enumerate(nodes):
            pos[node] = (20 + col * (box_w + gap_x), 20 + row * (box_h + gap_y))
    width = 40 + (max(columns, default=0) + 1) * (box_w + gap_x)
    height = 40 + max((len(v) for v in columns.values()), default=1) * (box_h + gap_y)
    in_cycle = {(c[i], c[i + 1]) for c in cycles for i in range(len(c) - 1)}
    parts = []
    for node, targets in deps.items():
        x1, y1 = pos[node]
        for target in sorted(targets):
            if target not in pos:
                continue
            x2, y2 = pos[target]
            color = "#c62828" if (node, target) in in_cycle else "#78909c"
            parts.append(
                f'<line x1="{x1}" y1="{y1 + box_h / 2}" x2="{x2 + box_w}" y2="{y2 + box_h / 2}" '
                f'stroke="{color}" stroke-width="1.5" marker-end="url(#arrow)"/>'
            )
    for node, (x, y) in pos.items():
        res = resources.get(node)
        rtype = res.get("Type") if isinstance(res, dict) and isinstance(res.get("Type"), str) else ""
        parts.append(
            f'<g><title>{html.escape(node)} depends on: {html.escape(", ".join(sorted(deps[node])) or "nothing")}</title>'
            f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="6" fill="#e3f2fd" stroke="#1565c0"/>'
            f'<text x="{x + 8}" y="{y + 18}" font-weight="bold">{html.escape(node[:32])}</text>'
            f'<text x="{x + 8}" y="{y + 35}" font-size="11" fill="#455a64">{html.escape(rtype[:38])}</text></g>'
        )
    cycle_note = "".join(f"<li>circular: {html.escape(' → '.join(c))}</li>" for c in cycles)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(name)}: resource graph</title>
<style>body{{font-family:Helvetica,Arial,sans-serif;margin:1em}} svg text{{font-family:inherit;font-size:13px}}</style>
</head><body>
<h1>{html.escape(name)}</h1>
<p>{len(deps)} resources; an arrow points from a resource to one it depends on (Ref, Fn::GetAtt, Fn::Sub, DependsOn).
Columns: resources in the first depend on nothing.</p>
<ul>{cycle_note}</ul>
<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
<path d="M 0 0 L 10 5 L 0 10 z" fill="#78909c"/></marker></defs>
{chr(10).join(parts)}
</svg></body></html>"""


@click.command("graph")
@click.argument("target")
@click.option("--format", "fmt", type=click.Choice(["dot", "html"]), default="dot", help="dot (Graphviz text) or html.")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False), help="Write to FILE instead of standard output.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Compile-time parameter of a Python template.")
def graph_cmd(target: str, fmt: str, out: str | None, sets: tuple[str, ...]):
    """Draw TEMPLATE's resources and their dependencies."""
    from sparkleform.check.graph import dependencies, find_cycles

    name, template, _sources = load_for_check(target, parse_pairs(sets, "--set"), get_settings().config)[0]
    deps = dependencies(template)
    cycles = find_cycles(deps)
    text = to_dot(name, template, deps, cycles) if fmt == "dot" else to_html(name, template, deps, cycles)
    if out:
        from sparkleform.safewrite import write_text

        write_text(out, text + "\n")
    else:
        click.echo(text)
