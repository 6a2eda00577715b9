"""The import-linter contracts in pyproject.toml are live: an upward import in a copy of the source fails them.

`make lint` runs ``lint-imports`` on the real tree; these tests run it on a copy of ``src/marketdesk``
where one module gains an import that points up a floor, and check that the contract it breaks says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "src" / "marketdesk"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _copy_source(tmp_path: Path) -> Path:
    """Copy the package's Python files (not static files, media or catalogues) and the config to ``tmp_path``."""
    shutil.copytree(
        PACKAGE_DIR,
        tmp_path / "src" / "marketdesk",
        ignore=shutil.ignore_patterns("static", "templates", "locale", "__pycache__", "*.mo", "*.po"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    # The copy comes first on the path, before the installed (editable) marketdesk.
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=env, capture_output=True, text=True, check=False
    )


def _add_import(tree: Path, module: str, line: str) -> None:
    path = tree / "src" / Path(*module.split(".")).with_suffix(".py")
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_real_tree_keeps_every_contract(tmp_path: Path) -> None:
    # given an unchanged copy of the source
    tree = _copy_source(tmp_path)
    # when the contracts are checked
    result = _lint_imports(tree)
    # then every contract is kept
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "upward_import", "broken_contract"),
    [
        ("marketdesk.core.formatting", "from marketdesk.cases import models", "core is the floor"),
        ("marketdesk.orders.models", "from marketdesk.shipping import models", "the floors:"),
        ("marketdesk.ledger.services", "from marketdesk.helpcenter import models", "the floors:"),
        ("marketdesk.cases.selectors", "from marketdesk.console import models", "the floors:"),
        ("marketdesk.cases.selectors", "from marketdesk.simulator import data", "the simulator sits on top"),
        ("marketdesk.returns.services.common", "from marketdesk.web.views import pages", "the shell is the top floor"),
        ("marketdesk.messaging.history_index", "from marketdesk.cases import models", "the floors:"),
        ("marketdesk.messaging.services", "from marketdesk.shipping import models", "the floors:"),
        ("marketdesk.cases.history_index", "from marketdesk.history import search", "the floors:"),
        (
            "marketdesk.accounts.management.commands.create_api_key",
            "from marketdesk.cases import models",
            "the floors:",
        ),
        ("marketdesk.orders.selectors", "from marketdesk.accounts import models", "the floors:"),
        ("marketdesk.api.auth", "from marketdesk.accounts import services", "the API toolkit"),
        ("marketdesk.api.pagination", "from marketdesk.orders import models", "the API toolkit"),
    ],
)
def test_an_upward_import_breaks_its_contract(
    tmp_path: Path, module: str, upward_import: str, broken_contract: str
) -> None:
    # given a copy of the source where one module gains an import that points up (or across) a floor
    tree = _copy_source(tmp_path)
    _add_import(tree, module, upward_import)
    # when the contracts are checked
    result = _lint_imports(tree)
    # then lint-imports fails, listing the contract the import breaks among the broken ones
    assert result.returncode == 1, result.stdout + result.stderr
    _kept, broken = result.stdout.split("Broken contracts")
    assert broken_contract in broken
