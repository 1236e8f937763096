"""After an edit to plans, the rules that read the world, replayed for the plans that did not
change (CH-F-9).

A check after one plan edit cannot replay its whole last result (checks.replay):
a plan it read changed. But the rules that read the world (evidence files, git,
the agents' configurations) read of the plans only their citations, each one
on its own, and the rest of their inputs are what the replay record lists. So
when every one of those other inputs has the signature the record gives it
(`Partial`), what those rules found is the record's, except for the evidence
rules (`CITING`) in the plans that changed: those run again over these plans'
citations alone.

The record says which plans' citations its evidence findings came from and each
file's content hash; a plan whose hash differs, that appeared, or that an import
now replaces is a changed plan. A finding of an evidence rule placed anywhere but
in a plan the record read means no replay: the rule then spoke about more than
one citation.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping
from typing import Any, NamedTuple

from charter.checks.replay import (
    Row,
    Sig,
    _Doubt,
    _hashed,
    _sig,
    _split,
    read_record,
    replay_key,
)
from charter.config import Config
from charter.rulecodes import (
    AGENT_SANDBOX_WIDENED,
    DECISION_RECORD_MISSING,
    EVIDENCE_DIRTY_TREE,
    EVIDENCE_HASH_MISMATCH,
    EVIDENCE_MANIFEST_INVALID,
    EVIDENCE_MISSING,
    EVIDENCE_OUTSIDE_REPO,
    EVIDENCE_RUN_FAILED,
    EVIDENCE_WRONG_TASK,
    FILE_TOO_LARGE,
    FORBIDDEN_FILE_COMMITTED,
    PROTECTION_CHANGED_UNAPPROVED,
    REVIEWED_PATHS_CHANGED,
    TOUCHES_CLAIMED_TASK,
)

# The rules that read the world and each citation on its own: run again for changed plans.
CITING = frozenset(
    {
        EVIDENCE_MISSING,
        EVIDENCE_OUTSIDE_REPO,
        EVIDENCE_HASH_MISMATCH,
        EVIDENCE_MANIFEST_INVALID,
        EVIDENCE_RUN_FAILED,
        EVIDENCE_WRONG_TASK,
        EVIDENCE_DIRTY_TREE,
    }
)
# The rules that read the world and no plan (git, the policy, the agents' configurations;
# CH030 and CH031 only with files staged or a plan saying `Reviewed:`, when nothing is
# recorded): replayed whole. tests/checks/test_world_replay.py holds every world rule to
# one of the two.
UNCITING = frozenset(
    {
        FORBIDDEN_FILE_COMMITTED,
        FILE_TOO_LARGE,
        DECISION_RECORD_MISSING,
        PROTECTION_CHANGED_UNAPPROVED,
        TOUCHES_CLAIMED_TASK,
        REVIEWED_PATHS_CHANGED,
        AGENT_SANDBOX_WIDENED,
    }
)


class Partial(NamedTuple):
    """The last record's world findings, its world's inputs unchanged since."""

    found: list[Row]  # what the rules that read the world found
    digests: dict[str, str | None]  # each plan, log and mirror it read: its content hash
    plans: frozenset[str]  # the plans whose citations the rules read
    world: tuple[list[str], list[str], str]  # the world's folders, files, their signatures
    # Each plan, log and mirror it read: its signature, six numbers a file in the order of
    # `digests` (a mode below zero: none taken)
    sigs: list[int]
    # The signatures of files taken since by checks.replay ({full path: signature}), which
    # vouch for them as well as one taken now (repo.read_snapshot takes no other)
    taken: Mapping[str, Sig] | None = None

    def known(self) -> dict[str, tuple[tuple[int, int, int, int, int, int], str]]:
        """Each file's signature and content hash at the record (repo.read_snapshot)."""
        sigs = self.sigs
        if len(sigs) != 6 * len(self.digests) or not set(map(type, sigs)) <= {int}:
            return {}
        found = {}
        for n, (rel, digest) in enumerate(self.digests.items()):
            sig = tuple(sigs[6 * n : 6 * n + 6])
            if type(digest) is str and sig[0] >= 0:
                found[rel] = (sig, digest)
        return found  # type: ignore[return-value]  # six numbers each, checked above

    def stale(self, digests: dict[str, str | None], plans: Collection[str]) -> set[str]:
        """The plans whose citations may differ from the record's: changed, new, or gone
        (or replaced by an import), given each file's hash and the plans read now."""
        stale = {rel for rel in plans if rel not in self.plans}
        stale.update(rel for rel in plans if self.digests.get(rel, "") != digests.get(rel))
        stale.update(rel for rel in self.plans if rel not in plans)
        return stale

    def kept(self, stale: set[str]) -> list[Row]:
        """The record's world findings that still hold, those of `stale` plans dropped."""
        return [row for row in self.found if not (row.code in CITING and row.path in stale)]


def partial(
    config: Config, today: str, stored: Any = None, taken: Mapping[str, Sig] | None = None
) -> Partial | None:
    """The last record's world findings, when every input of the world rules it lists has
    the signature it recorded; else None. `stored`: the record, when read already;
    `taken`: files' signatures checks.replay took meanwhile (`Partial.taken`)."""
    if stored is None:
        stored = read_record(config)
    try:
        if not isinstance(stored, dict) or stored.get("key") != replay_key(config, today):
            return None
        world = stored["world"]
        folders, files, digest = _split(world["lstat"]), _split(world["stat"]), world["digest"]
        root = os.path.join(str(config.root), "")
        sigs = [_sig(p if p.startswith("/") else root + p) for p in folders]
        sigs += [_sig(p if p.startswith("/") else root + p, os.stat) for p in files]
        if type(digest) is not str or _hashed(sigs) != digest:
            return None
        found = [Row(*row) for row in world["found"]]
        digests = world["files"]
        plans = frozenset(_strings(world["plans"]))
        if not _valid(found, digests):
            return None
        if any(row.code in CITING and row.path not in plans for row in found):
            return None  # an evidence rule spoke about more than one citation
        if any(row.code not in CITING | UNCITING for row in found):
            return None
    except (KeyError, TypeError, ValueError, AttributeError, _Doubt):  # the full check
        return None
    file_sigs = world.get("sigs")
    if type(file_sigs) is not list:
        file_sigs = []
    return Partial(found, digests, plans, (folders, files, digest), file_sigs, taken)


def _strings(value: Any) -> list[str]:
    if type(value) is not list or not all(type(v) is str for v in value):
        raise ValueError("not strings")
    return value


def _valid(found: Iterable[Row], digests: Any) -> bool:
    rows = list(found)
    texts = (f for d in rows for f in (d.path, d.code, d.message, d.severity))
    return (
        all(type(d.line) is int and type(d.col) is int for d in rows)
        and all(d.severity in ("error", "warning") for d in rows)
        and all(type(text) is str for text in texts)
        and type(digests) is dict
        and set(map(type, digests)) <= {str}
        and set(map(type, digests.values())) <= {str, type(None)}
    )
