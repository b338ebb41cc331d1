"""Every third-party package the code imports is declared (deptry); no undefined or unused name (ruff's pyflakes rules)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _deptry(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "deptry", ".", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_product_and_bench_declare_what_they_import():
    # As configured in pyproject.toml: no undeclared import, no test-only package in the
    # product, no declared package left unused.
    done = _deptry()
    assert done.returncode == 0, done.stdout + done.stderr


def test_tests_declare_what_they_import():
    done = _deptry("--exclude", r"\.venv|demo|output|build|\.git", "--ignore", "DEP002,DEP004")
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_undefined_or_unused_name():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "F", "--output-format",
                           "concise", "."], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
