"""What a Makefile defines: read by the session's tooling check and by the handoff."""

from __future__ import annotations

import re
import shlex

_RULE = r"^(?:[^\s:=#][^:=#]*?\s)?{target}(?:\s[^:=#]*)?\s*::?(?!=)"


def defines_target(makefile_text: str, target: str) -> bool:
    pattern = re.compile(_RULE.format(target=re.escape(target)), re.MULTILINE)
    return pattern.search(makefile_text) is not None


def make_variable(name: str, value: str) -> str:
    """`NAME=value` as a shell word that gives make exactly `value`.

    Pasted into sh, `TASK=#75` makes the rest of the line a comment; quoting
    fixes that, and `$` is doubled because make expands a command-line value.
    """
    return f"{name}={shlex.quote(value.replace('$', '$$'))}"
