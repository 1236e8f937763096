"""Load the tree-sitter bash parser without the packages' Python wrappers.

`import tree_sitter` pulls in `typing`, and `import tree_sitter_bash` pulls in
`importlib.resources` (tempfile, shutil, zipfile): together about 12 ms, more
than the whole decision takes, on a path that runs before every agent command.
The compiled `_binding` extension modules need neither, so they are loaded
straight from the installed packages. If that fails for any reason (a different
layout, a zipped install), the ordinary imports are used instead.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_parser: Any = None


def load_binding(package: str) -> Any:
    from importlib.machinery import (
        EXTENSION_SUFFIXES,
        ExtensionFileLoader,
        ModuleSpec,
        PathFinder,
    )

    name = f"{package}._binding"
    if name in sys.modules:
        return sys.modules[name]
    spec = PathFinder.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(package)
    for directory in spec.submodule_search_locations:
        for suffix in EXTENSION_SUFFIXES:
            path = os.path.join(directory, "_binding" + suffix)
            if os.path.isfile(path):
                loader = ExtensionFileLoader(name, path)
                module_spec = ModuleSpec(name, loader, origin=path)
                module = loader.create_module(module_spec)
                loader.exec_module(module)
                return module
    raise ImportError(name)


def language_parser(package: str) -> Any:
    """A parser for the grammar in `package` (e.g. tree_sitter_bash): its compiled binding
    loaded straight from the installed package, the package's ordinary import the fallback."""
    try:
        core = load_binding("tree_sitter")
        grammar = load_binding(package)
        return core.Parser(core.Language(grammar.language()))
    except Exception:
        import importlib

        import tree_sitter

        language = importlib.import_module(package).language()
        return tree_sitter.Parser(tree_sitter.Language(language))


def parser() -> Any:
    """The bash parser, created once per process."""
    global _parser
    if _parser is None:
        _parser = language_parser("tree_sitter_bash")
    return _parser
