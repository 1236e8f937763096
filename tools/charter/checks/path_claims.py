"""Which cited evidence texts claim a file in the repository (rules CH004, CH005).

An `Evidence:` field holds what its author thought proves the work, and that
is not always a path: a branch (`origin/main`), a model (`gpt-5.4`), a version
(`0.124.0`), a timestamp, a code symbol (`request.args`), prose with a slash
(`active/archived`). Reporting those as missing files is noise. A text claims
a path when, after a location suffix is dropped (`src/a.ts:42`, `docs/a.md#usage`,
`crates/x.rs::symbol`):

- it names a file: its last segment has an extension with a letter in it (a
  known one, such as `.md` or `.json`, when there is no folder in front), or
  is a dotfile (`.env`);
- or it names a folder on purpose: it ends with `/`, starts with `./`, `../` or
  `/`, or its first segment is an entry at the repository's top level
  (`docs/spec` when there is a `docs/` folder);

and it is none of: a git ref (`origin/...`, `refs/...`, `HEAD~1`, `a..b`), an
assignment (`key=value`), a flag, or text holding `:`, `|`, quotes or commas.
A bare file name (`package.json`, `HandleService.test.ts`) is a file of that
name anywhere in the repository: authors cite files by name.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

# `path:42`, `path:42:7`, `path:10-20`, `path#L10-L20`, `path#anchor`, `path::symbol`.
_LOCATION = re.compile(r"(?::\d+(?:[-:]\d+)*|#[\w.-]*|::[\w:.<>~-]+(?:\(\.*\))?)$")
_GIT_REF = re.compile(
    r"^(?:origin|upstream|refs|remotes|heads|tags)/|^HEAD(?:[~^@]|$)|@\{|\w\.\.\.?\w"
)
_NOT_PATH_CHARS = frozenset("=|<>\"'`,;:\\ \t")
_BRACES = re.compile(r"\{([^{}]*,[^{}]*)\}")
_EXTENSION = re.compile(r"\.([A-Za-z0-9_+-]{1,10})$")
# Extensions a bare name (no folder in front) must carry to be read as a file name.
_KNOWN = """
    md markdown mdx mdc txt rst adoc org json jsonl ndjson json5 yaml yml toml ini cfg conf env
    csv tsv log out err xml html htm css scss sass less js mjs cjs jsx ts tsx mts cts py pyi ipynb
    rs go java kt kts scala rb php pl sh bash zsh fish ps1 psm1 bat cmd c h cc cpp cxx hpp hh cs fs
    swift m mm r jl lua dart ex exs erl hs ml clj sql graphql gql proto lock patch diff png jpg
    jpeg gif svg webp ico pdf zip gz tgz tar bz2 xz whl jar wasm db sqlite parquet pkl pt onnx vue
    svelte astro tf hcl mk gradle sbt cmake snap har pcap xlsx docx pptx mp4 webm gitignore
    """
KNOWN_EXTENSIONS = frozenset(_KNOWN.split())


# The evidence rules and the replay record ask about the same texts: each is read once.
@functools.lru_cache(maxsize=1 << 16)
def claimed_paths(text: str) -> tuple[str, ...] | None:
    """The repository paths an evidence text claims (one, or several for `{a,b}`), with
    location suffixes dropped; None when the text is not a path at all.

    Whether a folder-like text without an extension is a path depends on the repository;
    `is_claim` decides that with the top-level entries.
    """
    path = _LOCATION.sub("", text.strip())
    if not path or path.startswith("-") or _GIT_REF.search(path):
        return None
    expanded = _expand(path)
    if any(_NOT_PATH_CHARS & set(p) for p in expanded):
        return None
    return tuple(expanded)


def _expand(path: str) -> list[str]:
    """`a/{b,c}.json` as `a/b.json` and `a/c.json` (a shell brace list)."""
    match = _BRACES.search(path)
    if match is None:
        return [path]
    head, tail = path[: match.start()], path[match.end() :]
    return [p for alt in match.group(1).split(",") for p in _expand(head + alt.strip() + tail)]


def is_claim(path: str, top_level: Callable[[str], bool]) -> bool:
    """Whether `path` (one of `claimed_paths`) names a file or folder, as opposed to prose."""
    if path.endswith("/") or path.startswith(("./", "../", "/")):
        return any(ch.isalnum() for ch in path)
    body = path.rstrip("/")
    folder, _, name = body.rpartition("/")
    if name.startswith(".") and name.count(".") == 1 and len(name) > 1:
        return True  # a dotfile: .env, .gitignore
    ext = _EXTENSION.search(name)
    if ext is not None and name != ext.group(0) and any(ch.isalpha() for ch in ext.group(1)):
        return bool(folder) or ext.group(1).lower() in KNOWN_EXTENSIONS or top_level(name)
    return bool(folder) and top_level(body.split("/", 1)[0])


def is_bare_name(path: str) -> bool:
    return "/" not in path and not any(ch in path for ch in "*?[")


class RepoEntries:
    """The repository's top-level entries and (when first needed) its files' names."""

    def __init__(self, root: Path):
        self.root = root
        try:
            self.top = frozenset(os.listdir(root))
        except OSError:
            self.top = frozenset()
        self._names: frozenset[str] | None = None

    def top_level(self, name: str) -> bool:
        return name in self.top

    def has_file_named(self, name: str) -> bool:
        if self._names is None:
            self._names = _file_names(str(self.root))
        return name in self._names


def _file_names(root: str) -> frozenset[str]:
    """Every file name in the work tree (git's listing when it has one, else a walk)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        listed = None
    if listed is not None and listed.returncode == 0:
        return frozenset(
            os.path.basename(p) for p in listed.stdout.decode("utf-8", "replace").split("\0") if p
        )
    names: set[str] = set()
    for _folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in (".git", "node_modules", ".charter")]
        names.update(files)
    return frozenset(names)
