"""`handoff --check`'s no-op fast path: prove nothing changed without rendering.

The handoff is a function of the plans, the session logs, the run manifests,
the policy, the Makefile (its continue command), the configuration, the
template and charter's own code. After each render that matched or was
written, charter records a fingerprint of all of them and the hash of the
handoff file in `.charter/cache/handoff.cache` (sealed, like every cache).
When both still match, the handoff is current and nothing is parsed or rendered.

The fingerprint reads file contents, not modification times, like the
board's (charter.board.memo): an edit is never missed however fast it
follows the last run.

A second key stands for the same inputs with the plans and logs replaced by
their facts (charter.handoff.incremental): an edit that changes no fact the
handoff shows (a note, a blank line, an acceptance criterion) matches it, and
the handoff is known current after re-reading only the edited plan.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from charter import __version__
from charter.cache import CACHE_DIR, code_stamp, file_content, load_cache, save_cache
from charter.config import Config
from charter.evidence.manifest import MANIFEST_NAME
from charter.repo import Snapshot
from charter.templating import template_path

MEMO = f"{CACHE_DIR}/handoff.cache"
TEMPLATE = "handoff.md.j2"  # the handoff's template (its rows': charter.handoff.rows)
TEMPLATES_MEMO = f"{CACHE_DIR}/handoff-templates.cache"


def fingerprint(snapshot: Snapshot, *templates: str) -> str:
    """A hash of every input of the handoff; the plans and logs are the snapshot a
    check reads (one read of each file serves the fingerprint and, on a miss, the render)."""
    return _fingerprint(snapshot.config, templates, b"files\0" + snapshot.fingerprint())


def facts_fingerprint(config: Config, facts: bytes, *templates: str) -> str:
    """`fingerprint` with the plans and logs stood for by `facts`, a hash of their facts."""
    return _fingerprint(config, templates, b"facts\0" + facts)


def _fingerprint(config: Config, templates: tuple[str, ...], sources: bytes) -> str:
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{__version__}\0{config!r}\0".encode())
    h.update(code_stamp())
    h.update(sources)
    extra = [template_path(config, name) for name in templates]
    extra += [config.path(config.policy), config.root / "Makefile"]
    for path in extra:
        h.update(f"{path}\0".encode())
        h.update(file_content(path))
    for manifest in _manifests(config.root / config.runs):
        h.update(f"{manifest}\0".encode())
        h.update(hashlib.blake2b(file_content(Path(manifest)), digest_size=16).digest())
    return h.hexdigest()


def _manifests(runs: Path) -> list[str]:
    """charter.evidence.manifest.manifest_paths, with os.walk (pathlib's rglob took
    a third of a warm check at 2,000 run folders)."""
    found = [
        os.path.join(folder, MANIFEST_NAME)
        for folder, _, names in os.walk(runs)
        if MANIFEST_NAME in names
    ]
    return sorted(found)


def current(config: Config, key: str, field: str = "key") -> bool:
    """True when the memo is for `key` (`field`: "key" for `fingerprint`, "facts" for
    `facts_fingerprint`) and the handoff file still holds what it recorded."""
    memo = load_cache(config.path(MEMO))
    if not isinstance(memo, dict) or memo.get(field) != key:
        return False
    digest = hashlib.sha256(file_content(config.path(config.handoff))).hexdigest()
    return bool(memo.get("file") == digest)


def record(config: Config, key: str, text: str, facts_key: str | None = None) -> None:
    """Remember that `text` is the handoff for `key` (and for `facts_key`)."""
    memo = {
        "key": key,
        "facts": facts_key,
        "file": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }
    # A read-only checkout renders the same handoff, only slower.
    save_cache(config.path(MEMO), memo)


def also_for(config: Config, key: str) -> None:
    """Remember that the recorded handoff is also the one for `key` (its facts matched)."""
    memo = load_cache(config.path(MEMO))
    if isinstance(memo, dict):
        save_cache(config.path(MEMO), {**memo, "key": key})


def template_reading(
    config: Config, main: str, rows: str, *, keep: bool = True
) -> tuple[frozenset[str] | None, bool]:
    """What Jinja2's analysis of the templates says: the variables `main` reads (None:
    any; charter.templating.template_variables), and whether `rows` prints an order row's
    number apart (charter.handoff.rows.numbers_apart). Kept under
    `.charter/cache/handoff-templates.cache` by the templates' text, Jinja2's version and
    charter's code: parsing both on every render took 0.03 s of an edit's 1 s at 50,000
    tasks. `keep=False` (a render that keeps nothing, of a loaded repository) neither reads
    nor writes the cache."""
    if not keep:
        return _read_templates(config, main, rows)
    import jinja2  # lazy: the render that follows needs it, a warm --check does not

    h = hashlib.blake2b(digest_size=20)
    h.update(f"{__version__}\0{jinja2.__version__}\0".encode())
    h.update(code_stamp())
    for name in (main, rows):
        path = template_path(config, name)
        h.update(f"{name}\0{path}\0".encode())
        h.update(file_content(path))
    key = h.hexdigest()
    kept = load_cache(config.path(TEMPLATES_MEMO))
    if isinstance(kept, dict) and kept.get("key") == key:
        variables, apart = kept.get("variables"), kept.get("apart")
        if type(apart) is bool and (variables is None or _strings(variables)):
            return (None if variables is None else frozenset(variables)), apart
    found, apart = _read_templates(config, main, rows)
    listed = None if found is None else sorted(found)
    save_cache(config.path(TEMPLATES_MEMO), {"key": key, "variables": listed, "apart": apart})
    return found, apart


def _read_templates(config: Config, main: str, rows: str) -> tuple[frozenset[str] | None, bool]:
    from charter.handoff.rows import numbers_apart  # lazy: Jinja2's nodes, on a miss only
    from charter.templating import template_tree, template_variables  # lazy: on a miss only

    return template_variables(config, main), numbers_apart(template_tree(config, rows))


def _strings(value: object) -> bool:
    return type(value) is list and all(type(item) is str for item in value)


def forget(config: Config) -> None:
    with contextlib.suppress(OSError):
        config.path(MEMO).unlink()
