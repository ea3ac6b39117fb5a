"""Conventions checked by machine (design.md habits 2, 3, 5, 10)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "xinfang"


def _sources(*parts: str) -> list[Path]:
    return [p for p in PKG.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts
            and all(x in str(p) for x in parts)]


def test_only_the_petition_services_assign_petition_state():
    pattern = re.compile(r"\b(petition|p)\.state\s*=(?!=)")
    services = PKG / "petitions" / "services"  # the package: register, act, steps, accused, …
    assert (services / "act.py").exists(), "the one writer moved: update this test"
    offenders = []
    for path in _sources():
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line) and services not in path.parents:
                offenders.append(f"{path.relative_to(ROOT)}:{n}")
    assert offenders == []
    writers = [
        f"{path.name}: {line.strip()}"
        for path in sorted(services.glob("*.py"))
        for line in path.read_text().splitlines()
        if pattern.search(line)
    ]
    # creation sets the initial state (register._assemble, for the single and the bulk path:
    # ADR 0020), and act._transition applies next_state
    assert len(writers) == 2, writers
    assert sum(w.startswith("act.py") for w in writers) == 1, writers


def test_interface_code_reads_petitions_only_through_the_selectors():
    offenders = []
    for path in [*_sources("web"), *_sources("api"), *_sources("portal")]:
        if path.name == "selectors.py":
            continue  # a selector is the gate (portal: the look-up by code and password)
        text = path.read_text()
        if "Petition.objects" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_pure_rule_modules_import_no_django():
    exe = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(exe) if exe.exists() else "lint-imports", str(ROOT / "pyproject.toml")],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.django_db
def test_the_models_and_migrations_agree():
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_no_page_loads_assets_from_the_internet():
    bad = []
    for path in PKG.rglob("*.html"):
        if re.search(r"""(src|href)=["']https?://""", path.read_text()):
            bad.append(str(path.relative_to(ROOT)))
    assert bad == []
