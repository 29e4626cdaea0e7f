"""The house rules of the code (docs/ARCHITECTURE.md), read from the source: the apps depend
downward only, no import circle (imports inside functions count: they are the same dependency,
only later), no file of the four apps over 400 lines, and no core template reaching up."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLOORS = ["schoolplan", "meetings", "plans", "progress", "demo"]  # each may import those before
MAX_LINES = 400


def _modules():
    found = {}
    for app in FLOORS:
        for path in (ROOT / app).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            found[".".join(parts)] = (path, is_package)
    return found


MODULES = _modules()


def _imports(name):
    """The project modules `name` imports, anywhere in it."""
    path, is_package = MODULES[name]
    package = name if is_package else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import sub` imports the submodule pkg.sub, else a name of pkg.
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def _graph():
    graph = {name: _imports(name) for name in MODULES if ".migrations." not in name}
    # A package's __init__ that gathers its own submodules (progress.models, schoolplan.models)
    # is their front door, not a dependency of theirs: importing a sibling through it would be a
    # circle, but the gathering itself is not one.
    for name, (_path, is_package) in MODULES.items():
        if is_package and name in graph:
            graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    return graph


def _cycles(graph):
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            part = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                part.append(top)
                if top == node:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle():
    assert _cycles(_graph()) == []


def test_apps_depend_downward_only():
    upward = []
    for name, targets in _graph().items():
        floor = FLOORS.index(name.split(".")[0])
        for target in targets:
            if FLOORS.index(target.split(".")[0]) > floor:
                upward.append(f"{name} -> {target}")
    assert upward == []


def test_no_file_of_the_four_apps_is_over_400_lines():
    long = [
        f"{path.relative_to(ROOT)}: {len(path.read_text().splitlines())}"
        for app in FLOORS[:4]
        for path in (ROOT / app).rglob("*")
        if path.is_file()
        and path.suffix in (".py", ".html", ".js", ".css")
        and len(path.read_text().splitlines()) > MAX_LINES
    ]
    assert long == []


def test_core_templates_do_not_reach_up():
    core = ROOT / "templates" / "schoolplan"
    loads = [p.name for p in core.rglob("*.html") if "progress_tags" in p.read_text()]
    assert loads == []
