"""Guards that keep lib/'s rooms as docs/architecture.md draws them: arrows point down, no cycles,
Streamlit only in the UI room, empty package __init__ files, no module grown too big without a reason."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIB = ROOT / "lib"

# Each room's height: a module may import its own room and any lower one, never a higher one.
# Same height means neither imports the other's room except where RANK_EXCEPTIONS says so.
RANKS = {
    "errors": 0,
    "schema": 0,
    "i18n": 0,
    "i18n_report": 0,
    "export": 0,
    "charts": 0,
    "engine": 1,
    "ingest": 2,
    "analysis": 2,
    "predict": 2,
    "text": 2,
    "lake": 3,
    "lake_pages": 3.5,  # what the lake pages ask, on top of lib.lake's tables
    "report": 3,
    "ui": 4,
    "cli": 5,
    "__main__": 6,
    "__init__": 0,
}
# Within the bottom layer: errors → i18n → i18n_report is the only chain (translations sit together).
STREAMLIT_ROOMS = {"ui"}
MAX_LINES = 600
LONG_MARKER = "# long-module:"  # a module over MAX_LINES says why on a line starting with this


def _modules() -> dict[str, Path]:
    """Dotted name → file, a package by its own name (`lib.ingest`, not `lib.ingest.__init__`)."""
    names = {}
    for path in LIB.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def _room(module: str) -> str:
    """`lib.engine.kpis` → `engine`; `lib.cli` → `cli`; `lib` → `__init__`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> set[str]:
    """Every module a file imports, including imports inside functions (lazy imports still point somewhere)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _lib_imports(path: Path, modules: dict[str, Path]) -> set[str]:
    return _imports(path) & modules.keys()


def test_the_scan_sees_every_room():
    rooms = {_room(m) for m in _modules()}
    assert {"engine", "ingest", "analysis", "predict", "text", "report", "ui", "charts", "cli"} <= rooms
    assert rooms <= RANKS.keys(), (
        f"a room with no rank: {sorted(rooms - RANKS.keys())} (add it to RANKS and the doc)"
    )


def test_arrows_point_down():
    modules = _modules()
    upward = []
    for module, path in modules.items():
        for target in _lib_imports(path, modules):
            if _room(target) == _room(module) or target == "lib":
                continue
            if RANKS[_room(target)] > RANKS[_room(module)]:
                upward.append(f"{module} → {target}")
    assert upward == []


def test_rooms_of_the_same_height_do_not_import_each_other():
    modules = _modules()
    sideways = set()
    for module, path in modules.items():
        for target in _lib_imports(path, modules):
            a, b = _room(module), _room(target)
            if target != "lib" and a != b and RANKS[a] == RANKS[b] and RANKS[a] > 0:
                sideways.add(f"{a} → {b}")
    assert sideways == set()


def test_no_import_cycle():
    modules = _modules()
    graph = {m: {t for t in _lib_imports(p, modules) if t in modules and t != m} for m, p in modules.items()}
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, trail: list[str]) -> bool:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle.extend([*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt])
                return True
            if nxt not in state and visit(nxt, [*trail, nxt]):
                return True
        state[node] = 2
        return False

    for module in sorted(graph):
        if module not in state and visit(module, [module]):
            break
    assert cycle == []


def test_a_graph_with_an_upward_arrow_is_caught(tmp_path):
    """The scan itself: an import inside a function counts, so a lazy import cannot hide an arrow."""
    source = tmp_path / "x.py"
    source.write_text("def f():\n    from lib.ui import session\n    return session\n")
    assert "lib.ui.session" in _imports(source)
    assert RANKS[_room("lib.ui.session")] > RANKS[_room("lib.engine.store")]


@pytest.mark.parametrize("module", sorted(_modules()), ids=str)
def test_streamlit_only_in_the_ui_room(module):
    path = _modules()[module]
    uses_streamlit = any(name.split(".")[0] == "streamlit" for name in _imports(path))
    assert not uses_streamlit or _room(module) in STREAMLIT_ROOMS, (
        f"{module} imports Streamlit: move it to lib/ui/"
    )


def test_package_init_files_are_empty():
    """No re-exports: a test that patches a module's constant must patch the module that reads it.
    lib/charts/ re-exports its builders (`charts.volume_trend(...)` at every call site) and holds no
    settings a test patches; it is the one exception, kept as it was before the rooms."""
    filled = [
        str(path.relative_to(ROOT))
        for path in LIB.rglob("__init__.py")
        if path.parent not in (LIB, LIB / "charts") and path.read_text().strip()
    ]
    assert filled == []


@pytest.mark.parametrize("path", sorted(LIB.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_long_modules_say_why(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    if len(lines) > MAX_LINES:
        head = lines[:40]
        assert any(line.startswith(LONG_MARKER) for line in head), (
            f"{path.relative_to(ROOT)} has {len(lines)} lines: split it along its sections, "
            f"or say why it is one module on a '{LONG_MARKER}' line near the top"
        )
