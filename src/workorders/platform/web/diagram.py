"""The lifecycle as a small state diagram, laid out on the server.

States sit in columns by their distance from the initial state (a breadth-first
layering), so the usual path reads left to right; states at the same distance
stack. The template draws the result as inline SVG with classes only (the CSP
forbids style attributes), marking where the case is, where it has been and
where it can go next. No JavaScript and no layout library needed for the
handful of states a lifecycle has.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from workorders.definitions.model import Lifecycle

NODE_W, NODE_H = 128, 40
GAP_X, GAP_Y = 44, 26
PAD = 14


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    x: int
    y: int
    css: str

    @property
    def cx(self) -> int:
        return self.x + NODE_W // 2

    @property
    def cy(self) -> int:
        return self.y + NODE_H // 2


@dataclass(frozen=True)
class Edge:
    path: str
    css: str


@dataclass(frozen=True)
class Diagram:
    width: int
    height: int
    nodes: list[Node]
    edges: list[Edge]
    node_w: int = NODE_W
    node_h: int = NODE_H


def _layers(lifecycle: Lifecycle) -> dict[str, int]:
    depth = {lifecycle.initial: 0}
    queue = deque([lifecycle.initial])
    while queue:
        state = queue.popleft()
        for t in lifecycle.transitions_from(state):
            if t.to not in depth:
                depth[t.to] = depth[state] + 1
                queue.append(t.to)
    deepest = max(depth.values(), default=0)
    for s in lifecycle.states:  # unreachable states (a validator would refuse them) go last
        depth.setdefault(s.id, deepest + 1)
    return depth


def _edge_path(a: Node, b: Node) -> str:
    if b.x > a.x:  # forward: right side to left side, gently curved
        x1, y1, x2, y2 = a.x + NODE_W, a.cy, b.x - 3, b.cy
        mid = (x1 + x2) // 2
        return f"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"
    if b.x == a.x:  # same layer: straight down or up
        down = b.y > a.y
        y1 = a.y + NODE_H if down else a.y
        y2 = b.y - 3 if down else b.y + NODE_H + 3
        return f"M{a.cx},{y1} L{b.cx},{y2}"
    # backward (reopen, retry): an arc over the top of the row
    lift = min(a.y, b.y) - GAP_Y + 6
    return (f"M{a.cx - 16},{a.y} C{a.cx - 16},{lift} {b.cx + 16},{lift} "
            f"{b.cx + 16},{b.y - 3}")


def lifecycle_diagram(lifecycle: Lifecycle, current: str, visited: set[str],
                      next_states: set[str]) -> Diagram:
    depth = _layers(lifecycle)
    rows: dict[int, int] = {}
    nodes: dict[str, Node] = {}
    top = PAD + GAP_Y  # room for arcs of backward transitions
    for state in lifecycle.states:
        layer = depth[state.id]
        row = rows.get(layer, 0)
        rows[layer] = row + 1
        css = ["node"]
        if state.id == current:
            css.append("node-current")
        elif state.id in next_states:
            css.append("node-next")
        elif state.id in visited:
            css.append("node-visited")
        if state.final:
            css.append("node-final")
        nodes[state.id] = Node(state.id, state.label, PAD + layer * (NODE_W + GAP_X),
                               top + row * (NODE_H + GAP_Y), " ".join(css))
    edges = []
    for t in lifecycle.transitions:
        for source in t.from_states:
            if source in nodes and t.to in nodes:
                live = source == current and t.to in next_states
                edges.append(Edge(_edge_path(nodes[source], nodes[t.to]),
                                  "edge edge-live" if live else "edge"))
    width = PAD * 2 + (max(depth.values()) + 1) * (NODE_W + GAP_X) - GAP_X
    height = top + max(rows.values()) * (NODE_H + GAP_Y) - GAP_Y + PAD
    return Diagram(width, height, list(nodes.values()), edges)
