"""What keeps the house in order: layout, imports, types.

The package's folders are its architecture (docs/architecture.md): a small core of top-level
modules, then rooms by domain, each importing only from itself and the rooms below it. These
tests read the source (no import of the product), so a cycle, an import hidden in a function
or a module that reaches up fails here with the file and line to fix.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "nurture"

#: The rooms, lowest first. The core is every module directly under nurture/.
ROOMS = ("core", "published", "law", "plans", "content", "delivery", "intake", "conversations", "accounts", "console", "web", "cli")


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, tuple[Path, ast.Module]]:
    return {_module(p): (p, ast.parse(p.read_text(), str(p))) for p in sorted(PACKAGE.rglob("*.py"))}


SOURCES = _sources()


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ROOMS) else "core"


def _target(name: str) -> str | None:
    """The module `from X import name` or `import X` loads (a name may be a module or an attribute)."""
    while name and name not in SOURCES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(tree: ast.AST) -> list[tuple[ast.stmt, list[str]]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node, [f"{node.module}.{a.name}" for a in node.names] or [node.module]))
        elif isinstance(node, ast.Import):
            found.append((node, [a.name for a in node.names]))
    return found


def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in SOURCES}
    for module, (_, tree) in SOURCES.items():
        for _, names in _imports(tree):
            for name in names:
                target = _target(name)
                if target is None or target == module:
                    continue
                edges[module].add(target)
                # importing a.b.c runs a/__init__ and a/b/__init__ first
                parts = target.split(".")
                for i in range(2, len(parts)):
                    package = ".".join(parts[:i])
                    if package in SOURCES and package != module and not module.startswith(package + "."):
                        edges[module].add(package)
    return edges


def test_the_package_has_no_import_cycle():
    edges = _edges()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(edges[module]):
            if state.get(target) == 1:
                cycles.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, path + [target])
        state[module] = 2

    for module in sorted(SOURCES):
        if module not in state:
            visit(module, [module])
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_no_module_imports_the_product_inside_a_function():
    hidden = []
    for module, (path, tree) in SOURCES.items():
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node, names in _imports(func):
                if any(n.split(".")[0] == "nurture" for n in names):
                    hidden.append(f"{path.relative_to(ROOT)}:{node.lineno} in {func.name}()")
    assert hidden == [], "imports inside functions (a hidden cycle, or a room out of order):\n" + "\n".join(hidden)


def test_data_flows_downward_between_rooms():
    upward = []
    for module, targets in _edges().items():
        for target in targets:
            if ROOMS.index(_room(target)) > ROOMS.index(_room(module)):
                upward.append(f"{module} ({_room(module)}) imports {target} ({_room(target)})")
    assert upward == [], "imports from a room above:\n" + "\n".join(sorted(upward))


def test_every_room_is_a_folder_and_the_core_is_small():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(ROOMS) - {"core"}
    core = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
    assert len(core) <= 12, f"the core grew to {len(core)} modules: {core}; give the new ones a room"


def test_the_test_kit_is_not_shipped_in_the_package():
    assert not (PACKAGE / "simulator.py").exists() and not (PACKAGE / "fleet.py").exists()
    assert (ROOT / "testkit" / "simulator.py").exists() and (ROOT / "testkit" / "fleet.py").exists()
    find = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    assert find["include"] == ["nurture*"], "only the product's package is installed"
    for module, (path, tree) in SOURCES.items():
        for node, names in _imports(tree):
            assert not any(n.split(".")[0] == "testkit" for n in names), f"{path}:{node.lineno} imports the test kit"


#: The most `# type: ignore` comments the product may keep: each is a place mypy does not check.
TYPE_IGNORES_MAX = 20
#: An ignore names its error code and says why in words on the same line:
#: `# type: ignore[arg-type]  # SQLModel types the column attribute as its Python value`.
_IGNORE = re.compile(r"type:\s*ignore")
_EXPLAINED = re.compile(r"# type: ignore\[[a-z-]+(, ?[a-z-]+)*\]  # (?=.*[A-Za-z]{3})\S+ \S+ \S+")


def test_type_ignores_are_few_and_explained():
    files = [*sorted(PACKAGE.rglob("*.py")), ROOT / "workers.py"]
    found = [(path.relative_to(ROOT), n, line.strip()) for path in files
             for n, line in enumerate(path.read_text().splitlines(), 1) if _IGNORE.search(line)]
    where = "\n".join(f"{path}:{n}: {line}" for path, n, line in found)
    assert len(found) <= TYPE_IGNORES_MAX, (
        f"{len(found)} `type: ignore` in the product (at most {TYPE_IGNORES_MAX}): type the code instead "
        f"(sqlmodel.col() for a column in a query, a narrowed `X | None`, a return type)\n{where}")
    unexplained = [f"{path}:{n}: {line}" for path, n, line in found if not _EXPLAINED.search(line)]
    assert unexplained == [], ("a `type: ignore` names its error code and gives its reason in words after it "
                               "(`# type: ignore[code]  # why`):\n" + "\n".join(unexplained))
    silenced = [path for path in files if "mypy: ignore-errors" in path.read_text()]
    assert silenced == [], f"whole modules kept from mypy: {silenced}"
