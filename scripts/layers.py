"""Check the layers: no import runs up a layer, and no import circle between modules.

    python scripts/layers.py        # exit 1 and a list of offences, or "layers ok"

Every import counts, wherever it is written (a lazy import inside a function is still a
dependency); only imports under `if TYPE_CHECKING:` are left out of the circle check, because
they never run, but they still may not point up a layer. Each module of bot/, handlers/ and
storage/ must belong to a layer below (longest prefix wins); a new module that fits none fails
the check, so that its place is decided, not guessed. The layers, bottom first, are described
in README.md (Architecture).
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage")

# Bottom first. A module may import from its own layer and the ones before it. An entry names
# a module and everything under it; "=name" names that module alone.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "core",
        (
            "bot.messages",
            "bot.clock",
            "bot.config",
            "bot.paths",
            "bot.background",
            "bot.geo",
            "bot.language",
            "bot.i18n",
            "bot.capabilities",
            "bot.text",  # normalisation and morphology: what screening and understanding share
            "bot.display",
        ),
    ),
    ("storage", ("storage",)),
    (
        "knowledge",
        (
            "bot.places",
            "bot.directory",
            "bot.guidance",
            "bot.search",
            "bot.screening",
            "bot.understanding",  # what a message is: reads with bot.text, bot.search, bot.places
            "bot.render",
            "bot.volunteer_index",
            "bot.content_check",
        ),
    ),
    (
        "conversation",
        ("bot.conversation", "bot.postman", "bot.prepare", "bot.services", "bot.events"),
    ),
    ("casework", ("bot.cases", "bot.volunteer_csv")),
    ("handlers", ("handlers",)),
    ("engine", ("bot.engine", "bot.flood", "bot.outbox", "bot.scheduler")),
    ("channels", ("bot.channels",)),
    ("console", ("bot.console",)),  # the web console at /admin: pages over casework and storage
    (
        "system",
        ("bot.system", "bot.polling", "bot.web", "bot.cli", "bot.__main__", "=bot"),
    ),
]


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    type_only: bool


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path = ROOT) -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            found[module_name(path, root)] = path
    return found


def layer_of(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (prefix length, layer index)
    for index, (_name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if prefix.startswith("="):
                if module == prefix[1:]:
                    return index
                continue
            inside = module == prefix or module.startswith(prefix + ".")
            if inside and (best is None or len(prefix) > best[0]):
                best = (len(prefix), index)
    return None if best is None else best[1]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(module: str, path: Path, known: dict[str, Path]) -> list[Edge]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    edges: list[Edge] = []

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    def visit(node: ast.AST, type_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.body:
                    visit_stmt(sub, True)
                for sub in child.orelse:
                    visit_stmt(sub, type_only)
                continue
            visit_stmt(child, type_only)

    def visit_stmt(node: ast.AST, type_only: bool) -> None:
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                if not is_package:
                    anchor = anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                targets.append(full if full in known else base)
        for target in targets:
            resolved = resolve(target)
            if resolved is not None and resolved != module:
                edges.append(Edge(module, resolved, getattr(node, "lineno", 0), type_only))
        visit(node, type_only)

    visit(tree, False)
    return edges


def cycles(edges: list[Edge]) -> list[list[str]]:
    graph: dict[str, set[str]] = {}
    for e in edges:
        if not e.type_only:
            graph.setdefault(e.source, set()).add(e.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def strongconnect(v: str) -> None:  # Tarjan
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    return found


def check(root: Path = ROOT) -> list[str]:
    known = modules(root)
    problems: list[str] = []
    edges: list[Edge] = []
    for module, path in known.items():
        if layer_of(module) is None:
            problems.append(f"{module}: in no layer (add it to LAYERS in scripts/layers.py)")
        edges.extend(imports(module, path, known))
    for e in dict.fromkeys((e.source, e.target, e.line, e.type_only) for e in edges):
        e = Edge(*e)
        source, target = layer_of(e.source), layer_of(e.target)
        if source is not None and target is not None and target > source:
            problems.append(
                f"{known[e.source].relative_to(root)}:{e.line}: {e.source} ({LAYERS[source][0]})"
                f" imports {e.target} ({LAYERS[target][0]}), a layer above"
            )
    for component in cycles(edges):
        problems.append("import circle: " + " → ".join(component))
    return problems


def main() -> int:
    problems = check()
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print("layers ok: " + " < ".join(name for name, _ in LAYERS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
