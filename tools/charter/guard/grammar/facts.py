"""What a per-program judgment may look at besides the argv."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from charter.guard.paths import PathRules


class Facts:
    """What a judgment may look at besides the argv."""

    __slots__ = ("env", "paths", "stdin")

    def __init__(self, paths: PathRules, env: Mapping[str, str], stdin: str | None):
        self.paths = paths
        self.env = env
        self.stdin = stdin  # the file a `<` redirection feeds the command, if any
