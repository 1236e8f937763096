"""Every rule code charter reports, with its name, in one table.

A constant's identifier is the rule's name (`EVIDENCE_MISSING` is rule CH004
`evidence-missing`), so each code and name is written once, here. Emitters
import the constant; `checks.registry` gives each code its check and summary,
and docs/rules/<code>-<name>.md its page (tests/checks/test_registry.py keeps
the three in step, tests/test_rulecodes.py keeps code literals out of the rest
of the package). A new rule is one line here, one entry in the registry and
one page.
"""

from __future__ import annotations

from typing import Final

PARSE_ERROR: Final = "CH001"
DUPLICATE_TASK_ID: Final = "CH002"
DONE_WITHOUT_EVIDENCE: Final = "CH003"
EVIDENCE_MISSING: Final = "CH004"
EVIDENCE_OUTSIDE_REPO: Final = "CH005"
UNKNOWN_DEPENDENCY: Final = "CH006"
DEPENDENCY_CYCLE: Final = "CH007"
UNKNOWN_STATUS: Final = "CH008"
CHECKBOX_STATUS_MISMATCH: Final = "CH009"
PARENT_DONE_OPEN_SUBTASKS: Final = "CH010"
PLAN_FRONTMATTER: Final = "CH011"
SESSION_UNKNOWN_TASK: Final = "CH012"
SESSION_PLACEHOLDER: Final = "CH013"
PLAN_REVIEW_OVERDUE: Final = "CH014"
TABLE_SHAPE: Final = "CH015"
FILE_ENCODING: Final = "CH016"
NESTING_TOO_DEEP: Final = "CH017"
CHECKLIST_MIRROR: Final = "CH018"
EVIDENCE_HASH_MISMATCH: Final = "CH019"
EVIDENCE_MANIFEST_INVALID: Final = "CH020"
EVIDENCE_RUN_FAILED: Final = "CH021"
EVIDENCE_WRONG_TASK: Final = "CH022"
EVIDENCE_DIRTY_TREE: Final = "CH023"
FORBIDDEN_FILE_COMMITTED: Final = "CH024"
FILE_TOO_LARGE: Final = "CH025"
DECISION_RECORD_MISSING: Final = "CH026"
PROTECTION_CHANGED_UNAPPROVED: Final = "CH027"
TOUCHES_CLAIMED_TASK: Final = "CH030"
REVIEWED_PATHS_CHANGED: Final = "CH031"
AGENT_SANDBOX_WIDENED: Final = "CH050"


def _is_code(value: object) -> bool:
    return isinstance(value, str) and len(value) == 5 and value[:2] == "CH" and value[2:].isdigit()


# code -> kebab-case name, read off the constants above
NAMES: Final[dict[str, str]] = {
    value: key.lower().replace("_", "-")
    for key, value in dict(globals()).items()
    if key.isupper() and _is_code(value)
}


def name_of(code: str) -> str:
    """The rule's kebab-case name (KeyError for a code no rule has)."""
    return NAMES[code]
