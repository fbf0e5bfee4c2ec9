"""mypy must see the ORM models: a model that silently subclasses ``Any`` lets a
misspelt attribute through unnoticed, so this feeds mypy one and expects the error."""

from __future__ import annotations

from pathlib import Path

from mypy import api as mypy_api

from workorders.platform import models
from workorders.platform.extensions import Base
from workorders.platform.models import __all__ as model_names

ROOT = Path(__file__).resolve().parents[3]


def test_every_model_is_mapped_on_the_typed_base() -> None:
    mapped = [getattr(models, name) for name in model_names
              if isinstance(getattr(models, name), type)
              and hasattr(getattr(models, name), "__tablename__")]
    assert mapped
    assert [cls.__name__ for cls in mapped if not issubclass(cls, Base)] == []


def test_mypy_reports_a_wrong_use_of_a_model_attribute(tmp_path: Path) -> None:
    probe = tmp_path / "probe_models.py"
    probe.write_text(
        "from workorders.platform.models import Task\n"
        "def progress(task: Task) -> int:\n"
        "    return task.dnoe\n",
        encoding="utf-8",
    )
    out, _err, status = mypy_api.run([
        "--config-file", str(ROOT / "pyproject.toml"),
        "--cache-dir", str(ROOT / ".mypy_cache"),
        str(probe),
    ])
    assert status == 1, out
    assert '"Task" has no attribute "dnoe"' in out
