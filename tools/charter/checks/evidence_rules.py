"""Rules about what evidence proves: recorded hashes, and the run manifests a done task cites.

One pass reads every evidence file once and yields the findings of all these
rules; each rule in the registry keeps its own code's share. Evidence that is
missing on a done task is CH004's, outside the repository CH005's, so those
cases are not reported twice here.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from charter.checks.evidence_facts import EvidenceFacts, facts_for, read_cited
from charter.errors import CharterError
from charter.evidence.digest import Verdict, verify
from charter.model import Diagnostic, Evidence
from charter.rulecodes import (
    EVIDENCE_DIRTY_TREE,
    EVIDENCE_HASH_MISMATCH,
    EVIDENCE_MANIFEST_INVALID,
    EVIDENCE_RUN_FAILED,
    EVIDENCE_WRONG_TASK,
)
from charter.world import Citation, World

_GLOB_CHARS = frozenset("*?[")


def findings(world: World, code: str) -> Iterator[Diagnostic]:
    """The findings of rule `code`, from one scan shared by all the evidence rules."""
    found = world.shared("evidence-rules", lambda: list(_scan(world)))
    return (d for d in found if d.code == code)


def _scan(world: World) -> Iterator[Diagnostic]:
    root = os.path.abspath(world.root)
    facts = facts_for(world)
    # Many tasks cite the same file: each is hashed and read once per check.
    verdicts: dict[tuple[str, str], Verdict] = {}
    manifests: dict[str, dict[str, Any] | CharterError | None] = {}
    places: dict[str, str | None] = {}
    dirty: list[tuple[Citation, Evidence, dict[str, Any]]] = []
    for task in world.citations:
        done = task.done
        for evidence in task.evidence:
            if evidence.path not in places:
                # A remembered file is a plain path inside: no need to normalise it.
                plain = facts.entry(evidence.path) is not None
                places[evidence.path] = (
                    os.path.join(root, evidence.path) if plain else _inside(root, evidence.path)
                )
            path = places[evidence.path]
            if path is None:
                continue  # a pattern, or outside the repository (CH005)
            if evidence.sha256 is not None:
                key = (path, evidence.sha256)
                if key not in verdicts:
                    verdicts[key] = _verify(facts, evidence.path, world.root, path, evidence.sha256)
                yield from _hash(task, evidence, verdicts[key], done)
            if not path.lower().endswith(".json"):
                continue
            if path not in manifests:
                entry = facts.entry(evidence.path)
                if entry is None:
                    manifests[path] = read_cited(Path(path))
                else:
                    manifests[path] = facts.manifest(evidence.path, entry)
            manifest = manifests[path]
            if isinstance(manifest, CharterError):
                yield _at(
                    task,
                    evidence,
                    EVIDENCE_MANIFEST_INVALID,
                    f"evidence {evidence.path} is a damaged run manifest: {manifest.message}",
                )
            elif manifest is not None and done:
                yield from _run(task, evidence, manifest)
                git = manifest["git"]
                if git is None or git["dirty"]:
                    dirty.append((task, evidence, manifest))
    facts.save(prune=not world.some)
    if dirty:
        yield from _dirty(world, dirty)


def _verify(facts: EvidenceFacts, text: str, root: Path, path: str, recorded: str) -> Verdict:
    """`verify(root, path, recorded)`, from the remembered digest when the file is unchanged."""
    entry = facts.entry(text)
    if entry is None:
        return verify(root, path, recorded)
    try:
        actual = facts.sha256(text, entry)
    except OSError as exc:
        return Verdict("unreadable", detail=exc.strerror or str(exc))
    return Verdict("ok" if actual == recorded.lower() else "mismatch", actual)


def _inside(root: str, text: str) -> str | None:
    """The evidence's absolute path when it names one file lexically inside the repository.

    Lexical on purpose: resolving links for every citation costs seconds on a
    large repository, and a link that leads outside is CH005's finding.
    """
    if not text or _GLOB_CHARS & set(text):
        return None
    path = os.path.normpath(os.path.join(root, text))
    if path != root and not path.startswith(root.rstrip(os.sep) + os.sep):
        return None
    return path


def _at(task: Citation, evidence: Evidence, code: str, message: str) -> Diagnostic:
    return Diagnostic(task.path, evidence.line, 1, code, message)


def _hash(task: Citation, evidence: Evidence, verdict: Verdict, done: bool) -> Iterator[Diagnostic]:
    again = (
        f"charter task done {shlex.quote(task.task_id)} --evidence {shlex.quote(evidence.path)}"
        if task.task_id
        else None
    )
    redo = f"; if the new content is right, record its hash again ({again})" if again else ""
    if verdict.state == "mismatch":
        assert evidence.sha256 is not None and verdict.actual is not None
        yield _at(
            task,
            evidence,
            EVIDENCE_HASH_MISMATCH,
            f"evidence {evidence.path} changed since its hash was recorded "
            f"(recorded sha256 {evidence.sha256[:12]}..., now {verdict.actual[:12]}...)"
            f": restore it{redo}",
        )
    elif verdict.state == "missing" and not done:
        yield _at(
            task,
            evidence,
            EVIDENCE_HASH_MISMATCH,
            f"evidence {evidence.path} had its hash recorded but no longer exists",
        )
    elif verdict.state == "unreadable":
        yield _at(
            task,
            evidence,
            EVIDENCE_HASH_MISMATCH,
            f"cannot read evidence {evidence.path} to check its hash: {verdict.detail}",
        )


def _run(task: Citation, evidence: Evidence, manifest: dict[str, Any]) -> Iterator[Diagnostic]:
    command = _short(manifest["command"])
    if manifest["status"] == "denied":
        yield _at(
            task,
            evidence,
            EVIDENCE_RUN_FAILED,
            f"{task.label} is done, but its evidence {evidence.path} records a command "
            f"the guard denied ({command}): nothing ran",
        )
    elif manifest["status"] != "succeeded" or manifest["exit_code"] != 0:
        yield _at(
            task,
            evidence,
            EVIDENCE_RUN_FAILED,
            f"{task.label} is done, but its evidence {evidence.path} records a failed run "
            f"({command} exited {manifest['exit_code']})",
        )
    if manifest["task"] not in task.own_ids:
        yield _at(
            task,
            evidence,
            EVIDENCE_WRONG_TASK,
            f"{task.label} cites {evidence.path}, a run for task {manifest['task']}",
        )


def _short(command: str, limit: int = 80) -> str:
    line = command.splitlines()[0] if command else ""
    if len(line) > limit or line != command:
        line = line[: limit - 3] + "..."
    return f"`{line}`"


def _dirty(
    world: World, cited: list[tuple[Citation, Evidence, dict[str, Any]]]
) -> Iterator[Diagnostic]:
    required, problem = clean_tree_required(world)
    if problem is not None:
        yield problem
        return
    if not required:
        return
    for task, evidence, manifest in cited:
        git = manifest["git"]
        if git is None:
            detail = "outside a git repository, so the tree's state is unknown"
        else:
            paths = ", ".join(git["dirty_paths"][:3])
            more = f" and {git['dirty_count'] - 3} more" if git["dirty_count"] > 3 else ""
            detail = f"on a dirty tree ({paths}{more} not committed)"
        yield _at(
            task,
            evidence,
            EVIDENCE_DIRTY_TREE,
            f"{task.label} cites {evidence.path}, a run {detail}; the policy requires "
            "evidence from a clean tree: commit, then run again",
        )


def clean_tree_required(world: World) -> tuple[bool, Diagnostic | None]:
    """Whether the autonomy policy says evidence runs need a clean tree (read only when asked)."""
    config = world.config
    path = config.path(config.policy)
    if not path.is_file():
        return False, None
    from charter.guard.policy import load_policy  # lazy: off a warm check's start-up path

    try:
        policy = load_policy(path, config.policy)
    except CharterError as exc:
        message = f"cannot tell whether evidence may come from a dirty tree: {exc.message}"
        return False, Diagnostic(config.policy, exc.line or 1, 1, EVIDENCE_DIRTY_TREE, message)
    return policy.require_clean_tree, None
