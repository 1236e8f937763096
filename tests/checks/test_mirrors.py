"""CH018 checklist-mirror: copies of one task in several files must agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.repo import load_repo
from tests.adoption.helpers import make_repo
from tests.conftest import check_findings

MIRRORS = (
    "[tool.charter]\nrequire_frontmatter = false\nrequire_evidence = false\n"
    'mirrors = [".agent/task/*.md", "docs/TASKS.md"]\n'
)
ANONYMOUS = MIRRORS + "anonymous_tasks = true\n"


def ch018(tmp_path: Path, files: dict[str, str], config: str = MIRRORS) -> list[str]:
    config = make_repo(tmp_path, files, config)
    return [str(d) for d in check_findings(config) if d.code == "CH018"]


CASES = [
    pytest.param(
        {"docs/plans/a.md": "- [ ] **ST-1** Build\n", ".agent/task/x.md": "- [x] **ST-1** Build\n"},
        MIRRORS,
        [".agent/task/x.md:1:3: CH018 ST-1 is [x] here but [ ] in its copy at docs/plans/a.md:1"],
        id="checkbox against checkbox, by ID",
    ),
    pytest.param(
        {
            "docs/plans/a.md": "| ID | Title | Status |\n|--|--|--|\n| ST-1 | Build | In Progress |\n",
            "docs/plans/b.md": "- [x] **ST-1** Build\n",
        },
        MIRRORS,
        [
            "docs/plans/b.md:1:3: CH018 ST-1 is [x] here but In Progress (status 'In Progress') in its "
            "copy at docs/plans/a.md:3"
        ],
        id="a table status against a checkbox, between two plans",
    ),
    pytest.param(
        {
            "docs/plans/a.md": "- [ ] **ST-1** Build\n  - Status: Review\n",
            ".agent/task/x.md": "- [ ] **ST-1** Build\n  - Status: In Progress\n",
        },
        MIRRORS,
        [
            ".agent/task/x.md:1:3: CH018 ST-1 is In Progress (status 'In Progress') here but Review "
            "(status 'Review') in its copy at docs/plans/a.md:1"
        ],
        id="two statuses in different columns",
    ),
    pytest.param(
        {
            "docs/plans/a.md": "- [ ] **ST-1** Build\n  - Status: Review\n",
            ".agent/task/x.md": "- [ ] **ST-1** Build\n",
        },
        MIRRORS,
        [],
        id="an open checkbox agrees with any open status",
    ),
    pytest.param(
        {
            "docs/plans/a.md": "- [x] **ST-1** Build\n",
            "docs/plans/b.md": "| ID | Title |\n|--|--|\n| ST-1 | Build |\n",
        },
        MIRRORS,
        [],
        id="a copy that states nothing is not compared",
    ),
    pytest.param(
        {
            "tasks/tasks-0303-autonomy.md": "- [ ] Stream events. Evidence: `a.json`\n- [x] Lint\n",
            ".agent/task/0303-autonomy.md": "- [x] Stream events. Evidence: this file.\n- [x] Lint\n",
        },
        ANONYMOUS.replace("require_frontmatter", 'plans = ["tasks/*.md"]\nrequire_frontmatter'),
        [
            ".agent/task/0303-autonomy.md:1:3: CH018 'Stream events' is [x] here but [ ] in its copy "
            "at tasks/tasks-0303-autonomy.md:1"
        ],
        id="items without IDs, same file name once tasks- is dropped",
    ),
    pytest.param(
        {
            "docs/plans/p.md": "- [ ] `npm test`\n",
            "docs/TASKS.md": "Snapshot of `docs/plans/p.md`:\n\n- [x] `npm test`\n",
        },
        ANONYMOUS,
        [
            "docs/TASKS.md:3:3: CH018 '`npm test`' is [x] here but [ ] in its copy at "
            "docs/plans/p.md:1"
        ],
        id="items without IDs, the mirror names the plan's path",
    ),
    pytest.param(
        {"docs/plans/one.md": "- [ ] `npm test`\n", ".agent/task/two.md": "- [x] `npm test`\n"},
        ANONYMOUS,
        [],
        id="unrelated files with the same step are not copies",
    ),
    pytest.param(
        {"docs/plans/readme.md": "- [ ] Lint\n", ".agent/task/readme.md": "- [x] Lint\n"},
        ANONYMOUS,
        [],
        id="a shared generic file name does not make a copy",
    ),
]


@pytest.mark.parametrize(("files", "config", "expected"), CASES)
def test_copies_that_disagree_are_reported(
    tmp_path: Path, files: dict[str, str], config: str, expected: list[str]
) -> None:
    assert ch018(tmp_path, files, config) == expected


def test_a_mirror_is_not_a_plan(tmp_path: Path) -> None:
    repo = load_repo(
        make_repo(
            tmp_path,
            {".agent/task/x.md": "- [x] **ST-1** Build\n", "docs/plans/a.md": "- [ ] **ST-2** B\n"},
            MIRRORS,
        ),
        use_cache=False,
    )
    assert [t.id for t in repo.tasks()] == ["ST-2"]
    assert not [d for d in check_findings(repo.config) if d.code == "CH002"]
