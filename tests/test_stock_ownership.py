"""One owner of stock (issue 10, item 2): only ``voelgoed/services/sales/stock/`` writes ``sold_count`` /
``held_count`` or computes availability from them.

Read with ``ast`` over every module of ``voelgoed/`` except the stock package and the models (which
declare the columns). A violation is:

- an ORM write: ``x.sold_count = …``, ``x.held_count += …``, ``setattr(x, "sold_count", …)``;
- a Core write or constructor argument: ``….values(sold_count=…)``, ``TicketType(held_count=…)``, a dict key
  ``"sold_count"`` (``.values({...})``);
- SQL text that sets a counter (``SET held_count = …``, ``sold_count = sold_count + 1``);
- an availability formula: a subtraction with a counter on either side (``quantity - sold_count - held_count``
  in Python, Core or SQL text).

Reading a counter for display (``event.sold_count``, ``SUM(sold_count)``) is allowed. The self-tests below
run the checker on synthetic code and show it catches each form.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OWNER = ROOT / "voelgoed/services/sales/stock"
EXEMPT = (OWNER, ROOT / "voelgoed/models")
COUNTERS = {"sold_count", "held_count"}
_SQL_WRITE = re.compile(r"\b(sold_count|held_count)\s*=(?!=)", re.I)
_SQL_MINUS = re.compile(r"-\s*(\w+\.)?\"?(sold_count|held_count)\b|\b(sold_count|held_count)\"?\s*-(?!-)", re.I)


def _mentions_counter(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr in COUNTERS:
            return True
        if isinstance(sub, ast.Name) and sub.id in COUNTERS:
            return True
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value in COUNTERS:
            return True  # table.c["sold_count"]
    return False


def violations(source: str, filename: str = "<src>") -> list[str]:
    """Every stock write or availability formula in ``source`` as ``file:line: what``."""
    out = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for sub in ast.walk(t):
                    if isinstance(sub, ast.Attribute) and sub.attr in COUNTERS:
                        out.append(f"{where}: writes .{sub.attr}")
        elif isinstance(node, ast.Call):
            if any(kw.arg in COUNTERS for kw in node.keywords):
                out.append(f"{where}: passes a counter as a keyword (Core/ORM write)")
            if (isinstance(node.func, ast.Name) and node.func.id == "setattr" and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant) and node.args[1].value in COUNTERS):
                out.append(f"{where}: setattr of a counter")
        elif isinstance(node, ast.Dict):
            if any(isinstance(k, ast.Constant) and k.value in COUNTERS for k in node.keys):
                out.append(f"{where}: a counter as a dict key (Core values)")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
            if _mentions_counter(node.left) or _mentions_counter(node.right):
                out.append(f"{where}: computes availability (a subtraction with a counter)")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _SQL_WRITE.search(node.value):
                out.append(f"{where}: SQL text writes a counter")
            if _SQL_MINUS.search(node.value):
                out.append(f"{where}: SQL text computes availability")
    return out


def _modules() -> list[Path]:
    return [p for p in sorted((ROOT / "voelgoed").rglob("*.py")) if not any(p.is_relative_to(e) for e in EXEMPT)]


def test_only_the_stock_package_writes_counters_or_computes_availability():
    found = []
    for path in _modules():
        found += violations(path.read_text(), str(path.relative_to(ROOT)))
    assert found == [], "stock belongs to voelgoed/services/sales/stock:\n" + "\n".join(found)


def test_the_scan_covers_the_callers():
    names = {str(p.relative_to(ROOT)) for p in _modules()}
    for caller in ("inventory", "hold_release", "orders", "capacity", "storefront", "checkout"):
        assert f"voelgoed/services/sales/{caller}.py" in names
    assert "voelgoed/services/insights/stats.py" in names and "voelgoed/services/catalog/ticket_types.py" in names
    assert not any(n.startswith("voelgoed/services/sales/stock/") for n in names)


def test_the_stock_package_itself_would_be_flagged():
    """The owner really does these things, so the checker is not blind to them."""
    found = [v for p in sorted(OWNER.glob("*.py")) for v in violations(p.read_text(), p.name)]
    assert any("ga.py" in v and "keyword" in v for v in found)
    assert any("ga.py" in v and "availability" in v for v in found)
    assert any("ga_fast.py" in v and "SQL text writes" in v for v in found)
    assert any("reads.py" in v and "availability" in v for v in found)


def test_self_test_each_form_is_caught():
    bad = {
        "tt.sold_count = tt.sold_count + 1": "writes .sold_count",
        "tt.held_count += 2": "writes .held_count",
        "setattr(ev, 'held_count', 0)": "setattr",
        "session.execute(update(t).values(held_count=t.c.held_count - 1))": "keyword",
        "session.execute(update(t).values({'sold_count': 3}))": "dict key",
        "left = tt.quantity - tt.sold_count - tt.held_count": "subtraction",
        "q = select(t.c.quantity - t.c['held_count'])": "subtraction",
        "text('UPDATE tickettype SET held_count = held_count + :n WHERE id = :id')": "SQL text writes",
        "text('SELECT quantity - sold_count - held_count FROM tickettype')": "SQL text computes",
        "text('SELECT capacity - e.held_count FROM event e')": "SQL text computes",
    }
    for src, what in bad.items():
        found = violations(src)
        assert found and any(what in v for v in found), (src, found)


def test_self_test_reads_for_display_pass():
    ok = ["d = {'sold': tt.sold_count, 'held': tt.held_count}",
          "agg[0] += t.sold_count",
          "q = select(func.sum(TicketType.sold_count))",
          "text('SELECT SUM(sold_count), SUM(held_count) FROM tickettype WHERE sold_count >= 0')",
          "x = available - 1"]
    for src in ok:
        assert violations(src) == [], src
