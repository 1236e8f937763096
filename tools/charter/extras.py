"""Optional extras: what only some commands need is not installed with charter.

pandas (and numpy with it) serve `charter gates`, `charter stats` and the charts of
`charter board --html`; watchdog serves `charter watch`. The check and guard paths,
and the pre-commit hook's install, need neither. A module that imports one does so
at its top, inside `try`, and turns the ImportError into `missing_extra(...)`: one
line that names the extra to install.
"""

from __future__ import annotations

from charter import DISTRIBUTION
from charter.errors import CharterError

EXTRAS = {
    "analytics": ("pandas", "numpy"),
    "watch": ("watchdog",),
}
FOR_WHAT = {
    "analytics": "`charter gates`, `charter stats` and `charter board --html`",
    "watch": "`charter watch`",
}


def install_hint(extra: str) -> str:
    return f"pip install '{DISTRIBUTION}[{extra}]'"


def missing_extra(extra: str, module: str) -> CharterError:
    """The error for a missing optional module: what needs it and how to install it."""
    return CharterError(
        f"{FOR_WHAT[extra]} need {module}, which comes with charter's optional extra "
        f"[{extra}]: {install_hint(extra)} (or [all] for every extra)"
    )
