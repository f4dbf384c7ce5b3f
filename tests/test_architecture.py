"""The shape of ``voelgoed/services`` (docs/architecture.md): capability packages in layers, no cycles.

Every import is read with ``ast`` (including imports inside functions, which hide cycles from Python
but not from us). Checks:

(a) no import cycle between service packages, and none between modules inside ``voelgoed/services``;
(b) no module imports a private (``_name``) from another package;
(c) ``state/``, ``api/``, ``pages/``, ``cli.py`` and ``voelgoed.py`` import services only through a
    package face (``from voelgoed.services.<pkg> import <name in __all__>``), and a package imports
    only packages below it;
(d) no service module is over 400 lines.

Each checker is a plain function over a synthetic graph too, so the self-tests below show it fails.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICES = "voelgoed.services"
# low → high; a package may import only packages with a lower rank (runtime, which checks the demo accounts at start-up, is the top).
# catalog sits above sales: an organiser's capacity or quantity edit goes through sales' stock rules.
LAYERS = {"platform": 0, "accounts": 1, "payments": 2, "tickets": 3, "sales": 4, "catalog": 5, "gate": 6,
          "insights": 7, "integrations": 8, "demo": 9, "runtime": 10}
# seating (plans of venues, issue 11) sits just above catalog, whose venues own the plans.
LAYERS["seating"] = 5.5
# marketing (issue 15) sits just below sales: the hold path prices with its promo rules and checkout takes a
# code's use; it reads orders/holds/events through the models only, never sales or catalog services.
LAYERS["marketing"] = 3.5
ENTRYPOINTS = ("voelgoed/state", "voelgoed/api", "voelgoed/pages", "voelgoed/cli.py", "voelgoed/voelgoed.py")
MAX_LINES = 400


# ------------------------------------------------------------------ reading the code


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[str, str | None]]:
    """Every import in ``path`` as ``(module, name)`` (``name`` None for ``import module``), relative resolved."""
    mod = module_name(path)
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(a.name, None) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            out += [(base, a.name) for a in node.names]
    return out


def service_files() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((ROOT / "voelgoed/services").rglob("*.py"))}


def target(module: str, name: str | None, known: set[str]) -> str:
    """The module an import really loads: ``from pkg import submodule`` loads the submodule."""
    if name is not None and f"{module}.{name}" in known:
        return f"{module}.{name}"
    return module


def package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] == ["voelgoed", "services"] and len(parts) >= 3:
        return parts[2]
    return None


def module_graph() -> dict[str, set[str]]:
    files = service_files()
    known = set(files)
    graph: dict[str, set[str]] = {m: set() for m in files}
    for mod, path in files.items():
        for imp, name in imports_of(path):
            t = target(imp, name, known)
            if t in known and t != mod:
                graph[mod].add(t)
    return graph


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    pkgs: dict[str, set[str]] = {}
    for mod, deps in graph.items():
        p = package_of(mod)
        if p is None:
            continue
        pkgs.setdefault(p, set())
        for d in deps:
            q = package_of(d)
            if q is not None and q != p:
                pkgs[p].add(q)
    return pkgs


def faces() -> dict[str, set[str]]:
    out = {}
    for init in (ROOT / "voelgoed/services").glob("*/__init__.py"):
        names: set[str] = set()
        for node in ast.parse(init.read_text()).body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
                names = set(ast.literal_eval(node.value))
        out[init.parent.name] = names
    return out


# ------------------------------------------------------------------ checkers (pure, self-tested below)


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def layer_violations(pkg_graph: dict[str, set[str]], layers: dict[str, int]) -> list[str]:
    bad = []
    for p, deps in sorted(pkg_graph.items()):
        for q in sorted(deps):
            if p not in layers or q not in layers:
                bad.append(f"{p} -> {q}: package not in the layer list")
            elif layers[q] >= layers[p]:
                bad.append(f"{p} -> {q}: imports a package that is not below it")
    return bad


def private_violations(importer: str, imports: list[tuple[str, str | None]], known: set[str]) -> list[str]:
    """``from <another package> import _name`` (a private name, not a submodule)."""
    mine = package_of(importer) or importer
    bad = []
    for mod, name in imports:
        if not mod.startswith(SERVICES + ".") or name is None or not name.startswith("_"):
            continue
        if f"{mod}.{name}" in known:
            continue
        if package_of(mod) != mine:
            bad.append(f"{importer}: from {mod} import {name}")
    return bad


def face_violations(importer: str, imports: list[tuple[str, str | None]], face: dict[str, set[str]]) -> list[str]:
    """Entry points may only write ``from voelgoed.services.<pkg> import <name in __all__>``."""
    bad = []
    for mod, name in imports:
        if mod != SERVICES and not mod.startswith(SERVICES + "."):
            continue
        parts = mod.split(".")
        if len(parts) == 2:
            if name not in face:
                bad.append(f"{importer}: from {mod} import {name} (not a package)")
        elif len(parts) > 3 or name is None:
            bad.append(f"{importer}: {mod} is deeper than a package face")
        elif name not in face.get(parts[2], set()):
            bad.append(f"{importer}: {name} is not in {mod}.__all__")
    return bad


def long_modules(sizes: dict[str, int], limit: int = MAX_LINES) -> list[str]:
    return [f"{m}: {n} lines" for m, n in sorted(sizes.items()) if n > limit]


# ------------------------------------------------------------------ the real code base


def test_no_cycle_between_service_packages():
    assert find_cycles(package_graph(module_graph())) == []


def test_no_module_cycle_inside_services():
    assert find_cycles(module_graph()) == []


def test_packages_import_only_lower_layers():
    graph = package_graph(module_graph())
    assert set(graph) == set(LAYERS), "every service module lives in a layered package"
    assert layer_violations(graph, LAYERS) == []


def test_no_private_names_across_packages():
    files = service_files()
    known = set(files)
    sources = list(files.items())
    for entry in ENTRYPOINTS:
        p = ROOT / entry
        sources += [(module_name(f), f) for f in ([p] if p.is_file() else sorted(p.rglob("*.py")))]
    bad = []
    for mod, path in sources:
        bad += private_violations(mod, imports_of(path), known)
    assert bad == []


def test_entry_points_import_only_package_faces():
    face = faces()
    bad = []
    for entry in ENTRYPOINTS:
        p = ROOT / entry
        for f in [p] if p.is_file() else sorted(p.rglob("*.py")):
            bad += face_violations(module_name(f), imports_of(f), face)
    assert bad == []


def test_faces_export_what_they_bind():
    for pkg, names in faces().items():
        module = __import__(f"{SERVICES}.{pkg}", fromlist=["__all__"])
        assert names, f"{pkg} has no __all__"
        assert [n for n in names if not hasattr(module, n)] == [], pkg


def test_no_service_module_over_400_lines():
    sizes = {m: len(p.read_text().splitlines()) for m, p in service_files().items()}
    assert long_modules(sizes) == []


# ------------------------------------------------------------------ the checkers can fail


def test_self_test_cycles_are_found():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []
    assert package_graph({"voelgoed.services.sales.orders": {"voelgoed.services.payments.sandbox"},
                          "voelgoed.services.payments.sandbox": {"voelgoed.services.sales.payment_webhooks"},
                          "voelgoed.services.sales.payment_webhooks": set()}) == {"sales": {"payments"},
                                                                                 "payments": {"sales"}}


def test_self_test_upward_import_is_caught():
    assert layer_violations({"payments": {"sales", "platform"}, "sales": {"payments"}}, LAYERS) == [
        "payments -> sales: imports a package that is not below it"]
    assert layer_violations({"demo": {"runtime"}}, LAYERS) != []
    assert layer_violations({"sales": {"catalog"}}, LAYERS) != []
    assert layer_violations({"unknown": {"platform"}}, LAYERS) != []


def test_self_test_private_import_across_packages_is_caught():
    known = {"voelgoed.services.sales.inventory", "voelgoed.services.sales"}
    imports = [("voelgoed.services.sales.inventory", "_end_hold"), ("voelgoed.services.sales", "inventory")]
    assert private_violations("voelgoed.services.payments.sandbox", imports, known) == [
        "voelgoed.services.payments.sandbox: from voelgoed.services.sales.inventory import _end_hold"]
    assert private_violations("voelgoed.services.sales.checkout", imports, known) == []


def test_self_test_deep_entry_point_import_is_caught():
    face = {"sales": {"orders", "create_hold"}}
    ok = [("voelgoed.services.sales", "orders"), ("voelgoed.services.sales", "create_hold")]
    assert face_violations("voelgoed.api.public", ok, face) == []
    bad = [("voelgoed.services.sales.orders", "mark_paid"), ("voelgoed.services.sales", "_as_uuid"),
           ("voelgoed.services", "orders"), ("voelgoed.services.sales.orders", None)]
    assert len(face_violations("voelgoed.api.public", bad, face)) == 4


def test_self_test_long_module_is_caught():
    assert long_modules({"a": 401, "b": 400}) == ["a: 401 lines"]


def test_self_test_function_level_and_relative_imports_are_read(tmp_path, monkeypatch):
    pkg = tmp_path / "voelgoed/services/sales"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("from . import orders\nfrom .orders import mark_paid\n")
    (pkg / "orders.py").write_text("def f():\n    from voelgoed.services.payments import sandbox\n")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert imports_of(pkg / "orders.py") == [("voelgoed.services.payments", "sandbox")]
    assert imports_of(pkg / "__init__.py") == [("voelgoed.services.sales", "orders"),
                                               ("voelgoed.services.sales.orders", "mark_paid")]
