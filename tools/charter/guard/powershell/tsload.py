"""Load the tree-sitter PowerShell parser, only when a PowerShell command is judged.

The same fast path as the bash parser (`charter.guard.tsload`): the compiled
`_binding` modules are loaded straight from the installed packages, and the
packages' ordinary imports are the fallback.
"""

from __future__ import annotations

from charter.guard.tsload import load_binding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_parser: Any = None


def _fast_parser() -> Any:
    core = load_binding("tree_sitter")
    powershell = load_binding("tree_sitter_powershell")
    return core.Parser(core.Language(powershell.language()))


def _plain_parser() -> Any:
    import tree_sitter
    import tree_sitter_powershell

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def parser() -> Any:
    """The PowerShell parser, created once per process."""
    global _parser
    if _parser is None:
        try:
            _parser = _fast_parser()
        except Exception:
            _parser = _plain_parser()
    return _parser
