"""Load the tree-sitter PowerShell parser, only when a PowerShell command is judged.

The same fast path as the bash parser (`charter.guard.tsload`): the compiled
`_binding` modules are loaded straight from the installed packages, and the
packages' ordinary imports are the fallback.
"""

from __future__ import annotations

from charter.guard.tsload import language_parser

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_parser: Any = None


def parser() -> Any:
    """The PowerShell parser, created once per process."""
    global _parser
    if _parser is None:
        _parser = language_parser("tree_sitter_powershell")
    return _parser
