"""The import contracts in pyproject.toml must bite: a contract that names a module
nobody imports passes whatever happens. Each probe below is a deliberately wrong
import planted in a copy of the package; lint-imports must name every one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "workorders"

#: (module planted in the copy, the import it makes, the import lint-imports must report)
PROBES: tuple[tuple[str, str, str], ...] = (
    ("rules.compiler", "import durable_rules_engine", "durable_rules_engine"),
    ("platform.probe_rules_engine", "import durable_rules_engine", "durable_rules_engine"),
    ("definitions.probe_wtforms", "import wtforms", "wtforms"),
    ("definitions.probe_lxml", "from lxml import etree", "lxml"),
    ("rules.probe_urllib", "import urllib.request", "urllib"),
    ("rules.probe_http", "import http.client", "http"),
    ("rules.probe_socket", "import socket", "socket"),
    ("rules.probe_requests", "import requests", "requests"),
    ("rules.probe_httpx", "import httpx", "httpx"),
    ("platform.services.probe_api", "from workorders.platform.api import inputs",
     "workorders.platform.api"),
    ("platform.services.probe_web", "from workorders.platform.web import pages",
     "workorders.platform.web"),
    ("platform.services.probe_problems", "from workorders.platform.problems import problem",
     "workorders.platform.problems"),
    ("platform.jobs.probe_problems", "from workorders.platform.problems import problem",
     "workorders.platform.problems"),
    ("platform.actor", "from flask import g", "flask"),
)


def _plant(tree: Path, module: str, line: str) -> None:
    path = tree.joinpath(*module.split(".")).with_suffix(".py")
    existing = path.read_text(encoding="utf-8") if path.exists() else '"""probe"""\n'
    path.write_text(existing + "\n" + line + "  # noqa\n", encoding="utf-8")


def _lint(src: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache", "--no-logo",
         str(ROOT / "pyproject.toml")],
        capture_output=True, text=True, env=env, cwd=src, timeout=300, check=False)


@pytest.fixture(scope="module")
def probed_report(tmp_path_factory: pytest.TempPathFactory) -> str:
    src = tmp_path_factory.mktemp("probed") / "src"
    shutil.copytree(PACKAGE, src / "workorders",
                    ignore=shutil.ignore_patterns("__pycache__", "static", "templates"))
    for module, line, _reported in PROBES:
        _plant(src / "workorders", module, line)
    result = _lint(src)
    assert result.returncode != 0, result.stdout
    return " ".join(result.stdout.split())


@pytest.mark.parametrize(("module", "line", "reported"), PROBES,
                         ids=[p[0] + ":" + p[2] for p in PROBES])
def test_each_contract_reports_a_planted_import(probed_report: str, module: str, line: str,
                                                reported: str) -> None:
    assert f"workorders.{module} -> {reported}" in probed_report
