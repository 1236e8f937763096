"""The cross-file index on disk: its totals in one file, each plan's share in shards.

A check after one plan edit must not decode and encode every plan's share
(some 1.2 MB at 50,000 tasks) to learn that one plan's tasks changed status.
So `check-cross.cache` holds what the rules that compare files read of all
plans together, kept up to date by each plan's delta: each plan's summary hash,
CH006's findings by plan, and the last results of CH002, CH007 and CH018. How
often each task ID is defined (50,000 of them at 50,000 tasks) sits apart in
`check-cross-ids.cache`, as a list of the IDs and the few counts above one (a
JSON object of 50,000 keys took ten times as long to read and write), rewritten
only when a count changed: an edit to a task's status or text leaves it as it is.
Each plan's share (its IDs, edges and the IDs it depends on) sits in one of
`SHARDS` files by path (`check-cross-NN.cache`), read only when a rule needs the
shares of plans that did not change (an ID that came or went, an edge that
changed) and rewritten only for the plans that did. The IDs file and each shard
carry a token the main file lists: one that is not the one the main file was
written with is not believed.
"""

from __future__ import annotations

import os
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from charter.cache import CACHE_DIR, load_cache, save_cache
from charter.model import Diagnostic
from charter.model_codec import Malformed, decode_diagnostic

CROSS_FILE = "check-cross.cache"
IDS_FILE = "check-cross-ids.cache"
SHARD_NAME = "check-cross"
SHARDS = 16


@dataclass
class Share:
    """One plan's share of the index, as of its summary hash."""

    summary: str
    ids: list[str]  # the IDs it defines, in file order, with repeats
    edges: list[tuple[str, list[str]]]  # (ID, dependencies) of tasks with both
    depends_on: list[str]  # every ID its tasks depend on, once each
    unknown: list[Diagnostic]  # CH006's findings in it (raw: severities applied later)

    def to_data(self) -> list[Any]:
        return [self.summary, self.ids, self.edges, self.depends_on]


@dataclass
class Totals:
    """The main file: what every plan's share adds up to, and the rules' last results."""

    summaries: dict[str, str]  # each plan's summary hash
    counts: Counter[str]  # how often each task ID is defined
    unknown: dict[str, list[Diagnostic]]  # CH006's findings by plan (raw)
    holding: list[str] | None  # the plans that define an ID defined twice, in order
    rest: dict[str, Any]  # the rules' last results, as cross_index stored them
    tokens: list[str]
    ids_token: str = ""  # the IDs file's (`counts`)


def shard_of(rel: str) -> int:
    return zlib.crc32(rel.encode("utf-8", "surrogateescape")) % SHARDS


class Store:
    """The stored index: its totals, and each plan's share read from its shard when asked."""

    def __init__(self, root: Path, totals: Totals):
        self.root = root
        self.totals = totals
        self.loaded: dict[int, dict[str, Share]] = {}

    def share(self, rel: str) -> Share | None:
        """The stored share of plan `rel` (None: none stored); Malformed for a shard that is
        not the one the totals were written with."""
        if rel not in self.totals.summaries:
            return None
        share = self._shard(shard_of(rel)).get(rel)
        if share is None:
            raise Malformed(f"{rel}: no share in its shard")
        return share

    def every_share(self) -> dict[str, Share]:
        found: dict[str, Share] = {}
        for n in range(SHARDS):
            found.update(self._shard(n))
        if set(found) != set(self.totals.summaries):
            raise Malformed("the shards do not hold the plans the totals name")
        return found

    def _shard(self, n: int) -> dict[str, Share]:
        if n not in self.loaded:
            stored = load_cache(_shard_path(self.root, n))
            if not isinstance(stored, dict) or stored.get("token") != self.totals.tokens[n]:
                raise Malformed("not the shard the totals were written with")
            shares = stored.get("shares")
            if type(shares) is not dict:
                raise Malformed("not shares")
            unknown = self.totals.unknown
            self.loaded[n] = {
                rel: _share(data, unknown.get(rel, [])) for rel, data in shares.items()
            }
        return self.loaded[n]


def load(root: Path, key: str) -> Store | None:
    """The stored index under `key`; None when there is none to believe."""
    stored = load_cache(root / CACHE_DIR / CROSS_FILE)
    if not isinstance(stored, dict) or stored.get("key") != key:
        return None
    try:
        summaries, unknown = stored["summaries"], stored["unknown"]
        tokens, holding, ids_token = stored["tokens"], stored["holding"], stored["ids"]
        valid = (
            type(summaries) is dict
            and types_of(chain(summaries, summaries.values())) <= {str}
            and type(ids_token) is str
            and type(unknown) is dict
            and type(tokens) is list
            and len(tokens) == SHARDS
            and types_of(tokens) <= {str}
            and (holding is None or (type(holding) is list and types_of(holding) <= {str}))
        )
        if not valid:
            return None
        counts = _counts(load_cache(root / CACHE_DIR / IDS_FILE), ids_token)
        if counts is None:
            return None
        totals = Totals(
            summaries,
            counts,
            {rel: diagnostics_of(rows) for rel, rows in unknown.items()},
            holding,
            {name: stored[name] for name in ("duplicates", "mirror", "cycles", "schemes")},
            tokens,
            ids_token,
        )
    except (KeyError, TypeError, ValueError):  # another layout (Malformed is a ValueError)
        return None
    return Store(root, totals)


def save(
    root: Path,
    key: str,
    totals: Totals,
    shares: dict[str, Share],
    store: Store | None,
    rewrite: Iterable[str],
    counted: bool = True,
) -> None:
    """Write the totals, and the shards of the plans in `rewrite` (every shard when there
    was no `store`): each such shard as the store held it, with `shares` in place of what
    it held for those plans (a plan not in `shares` is gone). The IDs' counts are written
    when `counted` (they changed) or there was no `store`."""
    tokens = list(store.totals.tokens) if store is not None else [""] * SHARDS
    ids_token = store.totals.ids_token if store is not None else ""
    if store is None or counted:
        ids_token = os.urandom(8).hex()
        if not save_cache(root / CACHE_DIR / IDS_FILE, _ids_data(ids_token, totals.counts)):
            return
    if store is None:
        write = set(range(SHARDS))
        groups: dict[int, dict[str, Share]] = {n: {} for n in write}
        for rel, share in shares.items():
            groups[shard_of(rel)][rel] = share
    else:
        changed = set(rewrite)
        write = {shard_of(rel) for rel in changed}
        groups = {}
        for n in write:
            kept = {rel: s for rel, s in store._shard(n).items() if rel not in changed}
            kept.update(
                (rel, shares[rel]) for rel in changed if rel in shares and shard_of(rel) == n
            )
            groups[n] = kept
    for n in sorted(write):
        token = os.urandom(8).hex()
        data = {"token": token, "shares": {rel: s.to_data() for rel, s in groups[n].items()}}
        if not save_cache(_shard_path(root, n), data):
            return
        tokens[n] = token
    payload: dict[str, Any] = {
        "key": key,
        "summaries": totals.summaries,
        "ids": ids_token,
        "unknown": {rel: finding_rows(found) for rel, found in totals.unknown.items() if found},
        "holding": totals.holding,
        **totals.rest,
        "tokens": tokens,
    }
    save_cache(root / CACHE_DIR / CROSS_FILE, payload)


def _ids_data(token: str, counts: Counter[str]) -> dict[str, Any]:
    """The IDs file: every ID defined once or more, and how often those defined more than
    once are (plain lists and a small object: fast to encode and decode)."""
    return {
        "token": token,
        "ids": list(counts),
        "more": {task_id: n for task_id, n in counts.items() if n > 1},
    }


def _counts(stored: Any, token: str) -> Counter[str] | None:
    """How often each ID is defined, from the IDs file `_ids_data` wrote under `token`;
    None when it is another or not of that shape."""
    if not isinstance(stored, dict) or stored.get("token") != token:
        return None
    ids, more = stored.get("ids"), stored.get("more")
    if type(ids) is not list or not types_of(ids) <= {str} or type(more) is not dict:
        return None
    counts: Counter[str] = Counter(dict.fromkeys(ids, 1))
    if len(counts) != len(ids) or not types_of(more.values()) <= {int}:
        return None
    for task_id, n in more.items():
        if task_id not in counts or n < 2:
            return None
        counts[task_id] = n
    return counts


def _shard_path(root: Path, n: int) -> Path:
    return root / CACHE_DIR / f"{SHARD_NAME}-{n:02d}.cache"


def finding_rows(found: Iterable[Diagnostic]) -> list[list[Any]]:
    return [[d.path, d.line, d.col, d.code, d.message, d.severity] for d in found]


def types_of(values: Iterable[Any]) -> set[type]:
    return set(map(type, values))


def strings_of(value: Any) -> list[str]:
    if type(value) is not list or not types_of(value) <= {str}:
        raise Malformed("not a list of strings")
    return value


def diagnostics_of(value: Any) -> list[Diagnostic]:
    if type(value) is not list:
        raise Malformed("not findings")
    return [decode_diagnostic(row) for row in value]


def _share(data: Any, unknown: list[Diagnostic]) -> Share:
    if type(data) is not list or len(data) != 4 or type(data[0]) is not str:
        raise Malformed("not a plan's share")
    summary, ids, edges, depends_on = data
    if type(edges) is not list or not types_of(edges) <= {list} or not set(map(len, edges)) <= {2}:
        raise Malformed("not edges")
    pairs = [(task_id, deps) for task_id, deps in edges]
    checked = (
        types_of(p[0] for p in pairs) <= {str}
        and types_of(p[1] for p in pairs) <= {list}
        and types_of(chain.from_iterable(p[1] for p in pairs)) <= {str}
    )
    if not checked:
        raise Malformed("not edges")
    return Share(summary, strings_of(ids), pairs, strings_of(depends_on), list(unknown))
