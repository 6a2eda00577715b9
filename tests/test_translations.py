"""The Russian catalogue is complete, valid and up to date with the source.

Complete: no untranslated and no fuzzy entries. Valid: ``msgfmt --check`` accepts it (a
translation that drops a ``%(name)s`` placeholder would crash at render time). Up to date:
``makemessages`` run over a copy of the package yields exactly the catalogue's msgids, so nobody
can add a string to code or templates without translating it, or leave dead entries behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "src" / "marketdesk"
MAIN_CATALOGUE = PACKAGE_DIR / "locale" / "ru" / "LC_MESSAGES" / "django.po"
CATALOGUES = sorted(PACKAGE_DIR.glob("**/locale/ru/LC_MESSAGES/*.po"))

Key = tuple[str | None, str, str]


def _keys(po: polib.POFile) -> set[Key]:
    return {(e.msgctxt, e.msgid, e.msgid_plural) for e in po if not e.obsolete and e.msgid}


def _describe(keys: set[Key]) -> str:
    return "\n".join(f"  {ctx + ' | ' if ctx else ''}{msgid!r}" for ctx, msgid, _ in sorted(keys, key=str))


def _catalogue_id(path: Path) -> str:
    return str(path.relative_to(PACKAGE_DIR))


def test_russian_catalogue_exists() -> None:
    assert MAIN_CATALOGUE.is_file(), f"missing {MAIN_CATALOGUE}: run `manage.py makemessages -l ru` in src/marketdesk"


@pytest.mark.parametrize("path", CATALOGUES, ids=_catalogue_id)
def test_catalogue_is_fully_translated(path: Path) -> None:
    po = polib.pofile(str(path))

    fuzzy = {(e.msgctxt, e.msgid, e.msgid_plural) for e in po.fuzzy_entries()}
    untranslated = {(e.msgctxt, e.msgid, e.msgid_plural) for e in po.untranslated_entries()} - fuzzy

    problems = []
    if untranslated:
        problems.append(f"{len(untranslated)} untranslated:\n{_describe(untranslated)}")
    if fuzzy:
        problems.append(f"{len(fuzzy)} fuzzy (review, then drop the fuzzy flag):\n{_describe(fuzzy)}")
    assert not problems, f"{path}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", CATALOGUES, ids=_catalogue_id)
def test_catalogue_compiles_cleanly(path: Path) -> None:
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt not found: install gettext (make install does)"

    result = subprocess.run(
        [msgfmt, "--check", "--output-file=/dev/null", str(path)], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr


def test_catalogues_match_the_source(tmp_path: Path) -> None:
    assert shutil.which("xgettext"), "xgettext not found: install gettext (make install does)"
    assert CATALOGUES, "no Russian catalogue to compare"
    copy = tmp_path / "marketdesk"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    # Without DJANGO_SETTINGS_MODULE, makemessages writes to the `locale` dirs under the working
    # directory (the copy) and never to the real LOCALE_PATHS.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    domains = sorted({p.stem for p in CATALOGUES})

    for domain in domains:
        result = subprocess.run(
            [sys.executable, "-m", "django", "makemessages", "--locale=ru", f"--domain={domain}", "--no-obsolete"],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr

    stale = []
    for path in CATALOGUES:
        fresh = copy / path.relative_to(PACKAGE_DIR)
        committed, extracted = _keys(polib.pofile(str(path))), _keys(polib.pofile(str(fresh)))
        if missing := extracted - committed:
            stale.append(
                f"{_catalogue_id(path)}: {len(missing)} string(s) in the source but not in the catalogue:\n{_describe(missing)}"
            )
        if dead := committed - extracted:
            stale.append(f"{_catalogue_id(path)}: {len(dead)} entry(ies) no longer in the source:\n{_describe(dead)}")
    assert not stale, (
        "catalogue is stale; run `django-admin makemessages -l ru` in src/marketdesk, translate, commit\n"
        + "\n".join(stale)
    )
