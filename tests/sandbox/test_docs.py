"""docs/guard.md's sandbox section: the worked example runs; the policy keys are all described."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.guard import policy as policy_parser
from charter.sandbox.system import capabilities
from tests.conftest import doc_block, run_doc_example

DOC = Path(__file__).resolve().parents[2] / "docs" / "guard.md"
SYSTEM = capabilities()


@pytest.mark.skipif(
    SYSTEM.best_kind() != "landlock+namespaces",
    reason=f"the example's output is that of Landlock with user namespaces; "
    f"this system: {SYSTEM.summary()}",
)
def test_the_sandbox_example_prints_what_the_page_shows(tmp_path: Path) -> None:
    script = doc_block(DOC, "example: sandbox-demo")
    expected = doc_block(DOC, "output: sandbox-demo")
    assert run_doc_example(script, tmp_path) == expected


def test_the_docs_describe_every_policy_key() -> None:
    # guard.md holds the policy's reference; keys of other capabilities live on their pages
    text = "\n".join(page.read_text(encoding="utf-8") for page in DOC.parent.glob("*.md"))
    keys = [*policy_parser._TOP_KEYS, *policy_parser._LEVEL_KEYS]
    missing = [key for key in keys if f"`{key}`" not in text and f"{key}:" not in text]
    assert not missing, f"no page under docs/ describes: {missing}"
    guard = DOC.read_text(encoding="utf-8")
    for key in ("sandbox", "network", "forbidden_paths", "protected_paths"):
        assert f"| `{key}` |" in guard
