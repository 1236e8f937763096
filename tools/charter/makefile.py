"""What a Makefile defines: read by the session's tooling check and by the handoff."""

from __future__ import annotations

import re

_RULE = r"^(?:[^\s:=#][^:=#]*?\s)?{target}(?:\s[^:=#]*)?\s*::?(?!=)"


def defines_target(makefile_text: str, target: str) -> bool:
    pattern = re.compile(_RULE.format(target=re.escape(target)), re.MULTILINE)
    return pattern.search(makefile_text) is not None
