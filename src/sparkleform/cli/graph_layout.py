"""Placing the graph on a page: a layered layout, left to right, dependencies to the left.

Two engines give the same result shape (boxes, edge paths, group frames):
- Graphviz `dot` when it is installed (`dot -Tjson`, its own crossing minimisation and
  spline routing, nested stacks as clusters);
- otherwise our own: layers by longest dependency chain (cycles broken by reversing back
  edges), a dummy slot in every layer a long edge passes, barycenter sweeps that keep the
  ordering with the fewest crossings, and one horizontal band per group so that frames and
  boxes never overlap. Edges leave a box's left side and reach the right side of the box
  they depend on, running in the gaps between columns and through their own slots, so they
  never cross a box.

Box sizes come from the text with a monospace font (a character is 0.6 em), so labels fit
whatever the engine.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from dataclasses import dataclass, field

from sparkleform.cli.graph_model import Graph

ID_FONT, TYPE_FONT = 13, 11  # px, monospace
CHAR = 0.6  # width of a monospace character, in em
PAD_X, BOX_H = 12, 42
COL_GAP, ROW_GAP, DUMMY_H = 70, 14, 8
GROUP_PAD, GROUP_HEAD = 12, 22


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float


@dataclass
class Layout:
    engine: str
    width: float
    height: float
    boxes: dict[str, Box] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)  # one SVG path per graph edge, same order
    frames: dict[str, Box] = field(default_factory=dict)  # group id -> frame (nested stacks)


def box_size(logical_id: str, rtype: str) -> tuple[float, float]:
    width = max(len(logical_id) * ID_FONT * CHAR, len(rtype) * TYPE_FONT * CHAR) + 2 * PAD_X
    return round(width + 0.5), BOX_H


def dot_available() -> bool:
    return shutil.which("dot") is not None


def layout(graph: Graph, engine: str = "auto") -> Layout:
    """Lay the graph out with `engine`: "dot", "builtin", or "auto" (dot when installed)."""
    if engine == "dot" or (engine == "auto" and dot_available()):
        try:
            return _dot_layout(graph)
        except (OSError, subprocess.SubprocessError, ValueError, KeyError):
            if engine == "dot":
                raise
    return _builtin_layout(graph)


# -- our own layered layout -------------------------------------------------------------------

def _ranks(nodes: list[str], deps: dict[str, list[str]]) -> tuple[dict[str, int], set[tuple[str, str]]]:
    """Rank = longest chain of dependencies below a node; the back edges a DFS meets are cut."""
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1 visiting, 2 done
    order: list[str] = []
    for root in nodes:
        if root in state:
            continue
        stack = [(root, iter(deps.get(root, ())))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                state[node] = 2
                order.append(node)
            elif state.get(child) == 1:
                back.add((node, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(deps.get(child, ()))))
    rank: dict[str, int] = {}
    for node in order:  # post-order: dependencies first
        rank[node] = max((rank[d] + 1 for d in deps.get(node, ()) if (node, d) not in back and d in rank), default=0)
    return rank, back


def _crossings(layers: list[list[str]], links: list[tuple[str, str]], pos: dict[str, float]) -> int:
    """Edge crossings between adjacent layers (links go from layer r+1 to layer r)."""
    by_layer: dict[int, list[tuple[float, float]]] = {}
    layer_of = {n: i for i, layer in enumerate(layers) for n in layer}
    for a, b in links:
        by_layer.setdefault(layer_of[b], []).append((pos[a], pos[b]))
    total = 0
    for pairs in by_layer.values():
        pairs.sort()
        for i in range(len(pairs)):
            for j in range(i + 1, len(pairs)):
                if pairs[j][1] < pairs[i][1] and pairs[j][0] != pairs[i][0]:
                    total += 1
    return total


def _builtin_layout(graph: Graph) -> Layout:
    ids = list(graph.nodes)
    deps: dict[str, list[str]] = {n: [] for n in ids}
    for edge in graph.edges:
        if edge.target in deps and edge.source != edge.target:
            deps[edge.source].append(edge.target)
    rank, back = _ranks(ids, deps)
    group_index = {g.id: i for i, g in enumerate(graph.groups)}
    group_of: dict[str, str] = {n: graph.nodes[n].group for n in ids}
    size = {n: box_size(graph.nodes[n].logical_id, graph.nodes[n].type) for n in ids}

    # links between adjacent layers, with dummy slots for longer edges (right -> left)
    chains: list[list[str]] = []  # per graph edge: the slots it passes, source first
    links: list[tuple[str, str]] = []
    for k, edge in enumerate(graph.edges):
        a, b = edge.source, edge.target
        if a == b or a not in rank or b not in rank:
            chains.append([a, b])
            continue
        hi, lo = (b, a) if (a, b) in back else (a, b)
        chain = [hi]
        for r in range(rank[hi] - 1, rank[lo], -1):
            dummy = f"\0{k}:{r}"
            rank[dummy] = r
            group_of[dummy] = group_of[hi]
            size[dummy] = (0, DUMMY_H)
            chain.append(dummy)
        chain.append(lo)
        links.extend(itertools.pairwise(chain))
        chains.append(chain if (a, b) not in back else list(reversed(chain)))
    depth = max(rank.values(), default=0) + 1
    layers: list[list[str]] = [[] for _ in range(depth)]
    for n in sorted(rank, key=lambda n: (group_index[group_of[n]], n)):
        layers[rank[n]].append(n)

    right: dict[str, list[str]] = {}  # neighbours in the layer to the right (dependants)
    left: dict[str, list[str]] = {}
    for a, b in links:
        right.setdefault(b, []).append(a)
        left.setdefault(a, []).append(b)

    def positions() -> dict[str, float]:
        return {n: float(i) for layer in layers for i, n in enumerate(layer)}

    def sweep(order: range, neighbours: dict[str, list[str]]) -> None:
        pos = positions()
        for r in order:
            def key(n: str) -> tuple[int, float]:
                near = [pos[m] for m in neighbours.get(n, ()) if m in pos]
                return group_index[group_of[n]], (sum(near) / len(near) if near else pos[n])
            layers[r].sort(key=key)
            pos.update({n: float(i) for i, n in enumerate(layers[r])})

    best = [list(layer) for layer in layers]
    best_cross = _crossings(layers, links, positions())
    for _ in range(12):
        if not best_cross:
            break
        sweep(range(1, depth), left)
        sweep(range(depth - 2, -1, -1), right)
        cross = _crossings(layers, links, positions())
        if cross < best_cross:
            best, best_cross = [list(layer) for layer in layers], cross
    layers = best

    # x: columns as wide as their widest box; y: a band per group, slots centred in it
    col_x: list[float] = []
    x = float(GROUP_PAD * 2)
    for layer in layers:
        col_x.append(x)
        x += max((size[n][0] for n in layer), default=0) + COL_GAP
    width = x - COL_GAP + GROUP_PAD * 2
    bands: list[tuple[str, float]] = []
    y = 10.0
    result = Layout("builtin", width, 0)
    for group in graph.groups:
        members = [[n for n in layer if group_of[n] == group.id] for layer in layers]
        heights = [sum(size[n][1] + ROW_GAP for n in m) - ROW_GAP for m in members if m]
        if not heights:
            continue
        band_h = max(heights) + GROUP_HEAD + 2 * GROUP_PAD
        for r, m in enumerate(members):
            used = sum(size[n][1] + ROW_GAP for n in m) - ROW_GAP
            slot_y = y + GROUP_HEAD + GROUP_PAD + (band_h - GROUP_HEAD - 2 * GROUP_PAD - used) / 2
            for n in m:
                w, h = size[n]
                result.boxes[n] = Box(col_x[r], slot_y, w, h)
                slot_y += h + ROW_GAP
        real = [result.boxes[n] for m in members for n in m if not n.startswith("\0")]
        x0 = min(b.x for b in real) - GROUP_PAD
        x1 = max(b.x + b.w for b in real) + GROUP_PAD
        if group.id:  # the top template needs no frame
            result.frames[group.id] = Box(x0, y, x1 - x0, band_h)
        bands.append((group.id, y))
        y += band_h + 16
    result.height = y
    dummies = {n: result.boxes.pop(n) for n in list(result.boxes) if n.startswith("\0")}
    layer_w = {r: max((size[n][0] for n in layers[r]), default=0) for r in range(depth)}
    for chain in chains:
        if len(chain) == 2 and chain[0] == chain[1] and chain[0] in result.boxes:  # depends on itself
            own = result.boxes[chain[0]]
            result.paths.append(f"M{own.x + 10:.1f},{own.y:.1f} C{own.x:.1f},{own.y - 30:.1f} "
                                f"{own.x + 40:.1f},{own.y - 30:.1f} {own.x + 30:.1f},{own.y:.1f}")
            continue
        points: list[tuple[float, float]] = []
        for i, n in enumerate(chain):
            box = result.boxes.get(n) or dummies.get(n)
            if box is None:
                break
            cy = box.y + box.h / 2
            if n in dummies:  # pass straight through the column, in its own slot
                r = rank[n]
                span = [(col_x[r] + layer_w[r], cy), (col_x[r], cy)]
                points.extend(span if _leftward(chain, i, rank) else span[::-1])
            elif i == 0:
                points.append((box.x, cy) if len(chain) < 2 or _goes_left(n, chain[1], rank) else (box.x + box.w, cy))
            else:
                points.append((box.x + box.w, cy) if _goes_left(chain[i - 1], n, rank) else (box.x, cy))
        result.paths.append(_curve(points))
    return result


def _goes_left(a: str, b: str, rank: dict[str, int]) -> bool:
    return rank.get(a, 0) > rank.get(b, 0)


def _leftward(chain: list[str], i: int, rank: dict[str, int]) -> bool:
    return rank.get(chain[0], 0) > rank.get(chain[-1], 0)


def _curve(points: list[tuple[float, float]]) -> str:
    if len(points) < 2:
        return ""
    (x, y), out = points[0], [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
    for nx, ny in points[1:]:
        if ny == y:
            out.append(f"L{nx:.1f},{ny:.1f}")
        else:
            mid = (x + nx) / 2
            out.append(f"C{mid:.1f},{y:.1f} {mid:.1f},{ny:.1f} {nx:.1f},{ny:.1f}")
        x, y = nx, ny
    return " ".join(out)


# -- Graphviz dot ----------------------------------------------------------------------------------

def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot_source(graph: Graph, *, sized: bool = True) -> str:
    """The graph as dot text: clusters for nested stacks, an edge from each resource to what it
    depends on (rankdir=RL puts dependencies on the left), with its reasons as tooltip."""
    lines = [f"digraph {_quote(graph.name)} {{", "  rankdir=RL; nodesep=0.25; ranksep=0.9;",
             '  node [shape=box, style="rounded", fontname="monospace", fontsize=11];',
             '  edge [color="#78909c"];']
    by_group: dict[str, list[str]] = {}
    for node in graph.nodes.values():
        by_group.setdefault(node.group, []).append(node.id)
    for i, group in enumerate(graph.groups):
        members = by_group.get(group.id, [])
        indent = "  "
        if group.id:
            lines.append(f'  subgraph "cluster_{i}" {{ label={_quote(group.label)}; fontname="monospace"; '
                         'fontsize=12; labeljust="l"; style="rounded"; margin=12;')
            indent = "    "
        for n in members:
            node = graph.nodes[n]
            attrs = f"label={_quote(node.logical_id)[:-1]}\\n{_quote(node.type)[1:]}"
            if sized:
                w, h = box_size(node.logical_id, node.type)
                attrs += f", width={w / 72:.3f}, height={h / 72:.3f}, fixedsize=true"
            lines.append(f"{indent}{_quote(n)} [{attrs}];")
        if group.id:
            lines.append("  }")
    for edge in graph.edges:
        colour = ', color="#c62828"' if edge.in_cycle else ""
        lines.append(f"  {_quote(edge.source)} -> {_quote(edge.target)} "
                     f"[tooltip={_quote(', '.join(edge.reasons))}{colour}];")
    lines.append("}")
    return "\n".join(lines)


def _dot_layout(graph: Graph) -> Layout:
    source = dot_source(graph).replace("  edge [", "  edge [arrowhead=none, ", 1)
    proc = subprocess.run(["dot", "-Tjson"], input=source, capture_output=True, text=True, timeout=120, check=True)
    data = json.loads(proc.stdout)
    x0, y0, x1, y1 = (float(v) for v in data["bb"].split(","))
    margin = 10.0

    def pt(x: float, y: float) -> tuple[float, float]:
        return x - x0 + margin, (y1 - y) + margin

    result = Layout("dot", x1 - x0 + 2 * margin, y1 - y0 + 2 * margin)
    objects = data.get("objects", [])
    group_by_cluster = {f"cluster_{i}": g.id for i, g in enumerate(graph.groups)}
    gvid_to_node: dict[int, str] = {}
    for obj in objects:
        name = obj.get("name", "")
        if "bb" in obj and name in group_by_cluster:
            a, b, c, d = (float(v) for v in obj["bb"].split(","))
            (left, top), (rgt, bottom) = pt(a, d), pt(c, b)
            result.frames[group_by_cluster[name]] = Box(left, top, rgt - left, bottom - top)
        elif name in graph.nodes and "pos" in obj:
            cx, cy = (float(v) for v in obj["pos"].split(","))
            w, h = box_size(graph.nodes[name].logical_id, graph.nodes[name].type)
            x, y = pt(cx, cy)
            result.boxes[name] = Box(x - w / 2, y - h / 2, w, h)
            gvid_to_node[obj["_gvid"]] = name
    paths: dict[tuple[str, str], str] = {}
    for edge in data.get("edges", []):
        tail, head = gvid_to_node.get(edge["tail"]), gvid_to_node.get(edge["head"])
        spline = [p for p in edge.get("pos", "").split() if not p.startswith(("e,", "s,"))]
        points = [pt(*(float(v) for v in p.split(","))) for p in spline]
        if tail is None or head is None or len(points) < 4:
            continue
        parts = [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
        for i in range(1, len(points) - 2, 3):
            (ax, ay), (bx, by), (ex, ey) = points[i : i + 3]
            parts.append(f"C{ax:.1f},{ay:.1f} {bx:.1f},{by:.1f} {ex:.1f},{ey:.1f}")
        paths[(tail, head)] = " ".join(parts)  # from the resource to its dependency (the arrow's end)
    result.paths = [paths.get((e.source, e.target), "") for e in graph.edges]
    return result
