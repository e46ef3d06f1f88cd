"""`sparkleform graph`: a template's resources and their dependencies, as Graphviz dot text,
an interactive HTML page, an SVG or a PNG.

The model (nodes, reasons, nested-stack groups) is graph_model, the placement graph_layout
(Graphviz `dot` when installed, our own layered layout otherwise), the drawing graph_render.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import click

from sparkleform.cli.context import get_settings
from sparkleform.errors import SparkleformError
from sparkleform.stacks.keyvalues import parse_pairs


class GraphError(SparkleformError):
    """The graph cannot be drawn in the asked format here (PNG without Graphviz)."""


@click.command("graph")
@click.argument("target", metavar="TEMPLATE")
@click.option("--format", "fmt", type=click.Choice(["dot", "html", "svg", "png"]), default="dot",
              help="dot (Graphviz text), html (interactive page), svg, or png (needs Graphviz).")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False), help="Write to FILE instead of standard output.")
@click.option("--layout", "engine", type=click.Choice(["auto", "dot", "builtin"]), default="auto",
              help="Who places the boxes: Graphviz dot (auto: when installed) or the built-in layered layout.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Compile-time parameter of a Python template.")
def graph_cmd(target: str, fmt: str, out: str | None, engine: str, sets: tuple[str, ...]):
    """Draw TEMPLATE's resources and their dependencies (nested stacks as groups).

    The HTML page shows a resource's properties and each edge's reason (Ref, GetAtt, Sub,
    DependsOn) on hover, traces dependencies and dependants on click, and has search and zoom.

    \b
    Examples:
      sparkleform graph web_server --format html -o graph.html
      sparkleform graph network.yaml --format svg -o network.svg
      sparkleform graph network.yaml | dot -Tpdf > network.pdf
    """
    from sparkleform.cli.graph_layout import dot_available, dot_source, layout
    from sparkleform.cli.graph_model import build_graph

    graph = build_graph(_templates(target, sets))
    if engine == "dot" and not dot_available():
        raise GraphError("--layout dot needs Graphviz's `dot` on PATH", hint="apt-get install graphviz, or --layout builtin")
    if fmt == "dot":
        _emit(out, dot_source(graph, sized=False) + "\n")
        return
    if fmt == "png":
        if not dot_available():
            raise GraphError("--format png needs Graphviz's `dot` on PATH",
                             hint="apt-get install graphviz (or brew install graphviz), or use --format svg/html")
        if not out:
            raise GraphError("--format png writes a binary file: give -o FILE.png")
        proc = subprocess.run(["dot", "-Tpng", "-Gdpi=110"], input=dot_source(graph).encode(), capture_output=True,
                              timeout=120)
        if proc.returncode:
            raise GraphError(f"dot failed: {proc.stderr.decode(errors='replace').strip()[:300]}")
        _emit_bytes(out, proc.stdout)
        return
    from sparkleform.cli.graph_render import to_html, to_svg

    placed = layout(graph, engine)
    _emit(out, to_html(graph, placed) if fmt == "html" else to_svg(graph, placed))


def _templates(target: str, sets: tuple[str, ...]) -> list[tuple[str, dict, Any]]:
    """[(name, template, sources)]: the target, then its nested templates as "name/url"."""
    from sparkleform.targets import load_target

    compiled = load_target(target, config=get_settings().config, overrides=parse_pairs(sets, "--set") or None)
    top = compiled.name if compiled.origin == "dsl" else str(target)
    out: list[tuple[str, dict, Any]] = []
    todo = [(top, compiled)]
    while todo:
        name, item = todo.pop(0)
        out.append((name, item.template, item.sources))
        todo.extend((f"{name}/{url}", child) for url, child in (item.nested or {}).items())
    return out


def _emit(out: str | None, text: str) -> None:
    if out:
        _emit_bytes(out, text.encode("utf-8"))
    else:
        click.echo(text, nl=False)


def _emit_bytes(out: str, data: bytes) -> None:
    path = Path(out)
    if not path.parent.is_dir():
        raise GraphError(f"cannot write {out}: the folder {path.parent} does not exist")
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)  # the umask applies
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
