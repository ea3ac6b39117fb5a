"""Generated documentation stays in step with the code (no database)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

from xinfang.petitions import workflow

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW_MD = ROOT / "docs" / "domain" / "workflow.md"
GENERATOR = ROOT / "docs" / "domain" / "gen_workflow.py"
REGENERATE = "python docs/domain/gen_workflow.py > docs/domain/workflow.md"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_workflow", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_workflow_document_is_what_its_generator_prints() -> None:
    expected = _generator().render()
    actual = WORKFLOW_MD.read_text(encoding="utf-8")
    assert actual == expected, f"docs/domain/workflow.md is stale; run: {REGENERATE}"


def test_the_workflow_document_holds_the_state_diagram_of_the_code() -> None:
    text = WORKFLOW_MD.read_text(encoding="utf-8")
    blocks = re.findall(r"```mermaid\n(.*?)```", text, flags=re.S)
    assert blocks == [workflow.mermaid()], f"run: {REGENERATE}"


def test_the_workflow_document_describes_every_state_and_action() -> None:
    text = WORKFLOW_MD.read_text(encoding="utf-8")
    for state in workflow.State:
        assert f"| `{state.name}` | `{state.value}` |" in text
    for action in workflow.Action:
        assert f"| `{action.value}` |" in text


def test_every_source_path_the_docs_name_exists() -> None:
    """Files move (issue 18 split several modules into packages): README, docs and bench
    write-ups must not send a reader to a path that is gone."""
    missing = []
    texts = [ROOT / "README.md", *ROOT.glob("docs/**/*.md"), *ROOT.glob("bench/**/*.md")]
    for md in texts:
        for path in re.findall(r"(?<![\w/.])(?:xinfang|config|tests|bench|docs)/[\w/.-]*\w", md.read_text()):
            if not (ROOT / path).exists() and not list(ROOT.glob(path + "*")):  # "0001": the ADR
                missing.append(f"{md.relative_to(ROOT)}: {path}")
    assert missing == []
