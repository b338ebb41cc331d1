"""The jobs' shape: every step is short (its decisions live in rules/ and helpers), and no job
module imports another job module (a job module is one that defines a ``*_step``)."""
import ast
from pathlib import Path

JOBS = Path(__file__).resolve().parents[1] / "backoffice" / "jobs"
MAX_STEP_LINES = 60


def _modules():
    return {p.stem: ast.parse(p.read_text("utf-8")) for p in JOBS.glob("*.py")}


def _steps(tree):
    return [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.endswith("_step")]


def test_every_step_is_under_60_lines():
    long = {f"{name}.{f.name}": f.end_lineno - f.lineno + 1 for name, tree in _modules().items()
            for f in _steps(tree) if f.end_lineno - f.lineno + 1 > MAX_STEP_LINES}
    assert long == {}


def test_no_job_module_imports_another():
    modules = _modules()
    jobs = {name for name, tree in modules.items() if _steps(tree)}
    found = []
    for name in jobs:
        for node in ast.walk(modules[name]):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module in jobs - {name}:
                found.append(f"{name} -> {node.module}")
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("backoffice.jobs.") \
                    and node.module.rsplit(".", 1)[1] in jobs - {name}:
                found.append(f"{name} -> {node.module}")
    assert found == []
