"""Regenerating the board safely: `charter board` and `charter board --check`.

The board is derived from the plans, so it may always be rebuilt; what must
never happen is losing something a person wrote or a task silently vanishing.
So a regeneration is refused (CharterError naming the file, line and task IDs)
when:

- a board file was edited by hand since charter stamped it, or is a
  hand-written file charter never stamped (see charter.stamps);
- it would drop more rows than `max_drop_rows` / `max_drop_share` allow, or
  drop every row (a plan half-saved, a glob that matches nothing);
- a plan cannot be read reliably (frontmatter never closed, invalid UTF-8,
  nesting too deep), so its tasks may be missing.

`force=True` overrides all three; the reasons still come back in the result.
Plans are read, and the board written, while holding the board's locks, so
the last writer always saw every edit that finished before it started. A board
that is already current is recognised without parsing (charter.board.memo).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from charter import stamps
from charter.board import memo as board_memo
from charter.board.claimed import Claimed, board_claims, claims_key
from charter.board.fastmd import is_default_template
from charter.board.patch import (
    Patched,
    keys_digest,
    patch_board,
    plan_digest,
    record_state,
    row_keys,
)
from charter.board.patch_states import (
    forget_state,
    pass_drop,
    passed_drop,
    pin_committed,
    save_state,
)
from charter.board.patch_write import plain, write_patched
from charter.board.render import (
    MD_TEMPLATE,
    BoardParts,
    board_rows,
    companion_name,
    stamped_markdown,
)
from charter.config import Config
from charter.errors import CharterError
from charter.io import (
    STATE_DIR,
    ensure_state_dir,
    locked,
    read_text,
    write_bytes_atomic,
)
from charter.outputs import protect
from charter.outputs.protect import EXAMPLE_PLAN, unreadable_problems
from charter.repo import build_repo, collector_paused, read_snapshot

REGION = "board"  # a hand-written board file may hold the board between these markers
IN_TRANSIT = f"{STATE_DIR}/outputs/board-in-transit.json"  # CSV hashes while the board is written
PlanBytes = Sequence[tuple[str, bytes | None]]  # each plan's path and bytes (None: unreadable)
__all__ = ["EXAMPLE_PLAN", "BoardResult", "board_locked", "regenerate_board", "unreadable_problems"]


@dataclass(frozen=True)
class BoardResult:
    changed: tuple[str, ...] = ()  # files written (or, with check, out of date)
    diff: str = ""  # unified diff of the drift (check only)
    refused: tuple[str, ...] = ()  # refusals overridden by force, or (check) a write would meet
    rows: int = 0

    @property
    def up_to_date(self) -> bool:
        return not self.changed


# Tuples, not dataclasses: a dataclass costs a task edit's start-up a millisecond each.
class _Output(NamedTuple):
    rel: str
    old: str | None
    new: str
    refusal: CharterError | None = None
    region: bool = False  # the board lives in a region of a hand-written file


class _Run(NamedTuple):
    config: Config
    parts: BoardParts
    files: dict[str, str]  # each output's fresh text, stamped


def regenerate_board(
    config: Config,
    *,
    force: bool = False,
    check: bool = False,
    html: str | None = None,
    edited: bool = False,
    plans: PlanBytes | None = None,
) -> BoardResult:
    """Write (or, with `check`, compare) TaskBoard.md, TaskBoard.csv and an optional HTML page.

    `html` is the page's path relative to the repo root. With `check`, nothing
    is written (not even lock files) and the result carries a unified diff.
    `edited`: the caller has just written a plan, so the board is not current and
    the no-op check (a read of every plan) is skipped. `plans`: every plan's path and
    bytes as the caller read them (and wrote them) while holding `board_locked`, which
    it still holds: they are not read, nor the locks taken, again.
    """
    claimed = board_claims(config)
    inputs = board_memo.inputs_key(config, (MD_TEMPLATE,), claims_key(claimed))
    if html is None and not edited:
        # Nothing changed since the last regeneration: no parse, no render.
        read = plans if plans is not None else board_memo.read_plans(config)
        key = board_memo.fingerprint(inputs, [(rel, plan_digest(data)) for rel, data in read])
        rows = board_memo.current(config, key, _targets(config, None))
        if rows is not None:
            return BoardResult(rows=rows)
    run = _Request(force, html, claimed, inputs, plans)
    # Tens of thousands of rows are made and dropped by reference counting alone: a cyclic
    # collection in between walks them all again (a third of a 50k-task regeneration).
    if check:
        with collector_paused():
            return _regenerate(config, run, check=True)
    held = plans is not None and html is None
    with _board_locks(config, None if held else html, held), collector_paused():
        return _regenerate(config, run, check=False)


class _Request(NamedTuple):
    force: bool
    html: str | None
    claimed: Claimed
    inputs: str  # board_memo.inputs_key: every input but the plans
    plans: PlanBytes | None = None  # read under the board's locks by the caller


def board_locked(config: Config) -> contextlib.AbstractContextManager[None]:
    """The locks a regeneration of the Markdown board and CSV holds while it reads the plans
    and writes: an edit that holds them while it reads and writes its plan can hand the
    plans it read to `regenerate_board` (`plans`), so they are read once."""
    return _board_locks(config, None)


@contextlib.contextmanager
def _board_locks(config: Config, html: str | None, held: bool = False) -> Iterator[None]:
    # Always the same order, so two regenerations never deadlock.
    with contextlib.ExitStack() as stack:
        for rel in [] if held else _targets(config, html):
            stack.enter_context(locked(config.path(rel)))
        yield


def _targets(config: Config, html: str | None) -> list[str]:
    return [config.board, config.board_csv, *([html] if html else [])]


def _regenerate(config: Config, request: _Request, *, check: bool) -> BoardResult:
    """Read the plans (under the board's locks, when writing) and regenerate from them: the
    rows of the plans that changed alone when the last state allows (charter.board.patch),
    else every row."""
    force, html = request.force, request.html
    raw = {rel: _read_bytes(config, rel) for rel in _targets(config, html)}
    fast = is_default_template(config)
    if html is None and not force and fast:
        read = request.plans if request.plans is not None else board_memo.read_plans(config)
        plans = [(rel, data, plan_digest(data)) for rel, data in read]
        key = board_memo.fingerprint(request.inputs, [(rel, digest) for rel, _, digest in plans])
        patched = patch_board(config, request.inputs, plans, request.claimed, raw)
        if patched is not None and not check and plain(patched, raw):
            return _conclude_pieces(config, request, patched, raw, key)
        old = {rel: _decoded(config, rel, data) for rel, data in raw.items()}
        if patched is not None:
            parts = BoardParts((), patched.markdown, patched.csv)
            files = {config.board_csv: parts.csv, config.board: stamped_markdown(config, parts)}
            run = _Run(config, parts, files)
            names = protect.committed_names(config)
            table = old[config.board_csv]
            drop, keys, judged = _drop_verdict(config, patched, lambda: table, names)
            marked = keys is None
            verified = patched.from_disk  # else the board on disk is inspected as usual
            done = _Done(
                run,
                old,
                [],
                drop,
                keys or {},
                patched.rows,
                key,
                verified=verified,
                marked=marked,
                judged=judged,
                names=names,
            )
            return _conclude(done, request, check, patched.state)
    from charter.board.parts import (  # lazy: the page's code is no part of a patch
        board_files,
        render_parts,
        statistics_beside,
    )

    old = {rel: _decoded(config, rel, data) for rel, data in raw.items()}
    snapshot = read_snapshot(config)
    plans = [(f.rel, f.data, f.digest or "") for f in snapshot.files if f.kind == "plan"]
    key = board_memo.fingerprint(request.inputs, [(rel, digest) for rel, _, digest in plans])
    repo = build_repo(snapshot)
    unreadable = unreadable_problems(repo)
    refusals: list[CharterError] = []
    if unreadable:
        refusals.append(protect.incomplete_error(unreadable, "the board"))
        if not (force or check):
            raise refusals[0]
    # The page's statistics are worked out beside the rows (charter.board.parts).
    statistics = statistics_beside(repo) if html is not None else None
    fresh = board_rows(repo, request.claimed)
    kept = _current_board(config, html, key, old) if not unreadable else None
    new_keys: protect.Keys = {}
    drop = None
    if kept is None:
        # The drop guard reads the last commit's board before anything is rendered: its
        # 50,000 keys and the page's text then never take memory at the same time.
        new_keys = protect.keys_of((r.id, r.plan, r.title) for r in fresh)
        drop = protect.drop_refusal(config, new_keys, old[config.board_csv])
    parts = render_parts(repo, html=html, rows=fresh, statistics=statistics, board=kept is None)
    run = _Run(config, parts, board_files(config, parts, html, kept))
    state = None
    if fast and not unreadable and kept is None:
        state = record_state(config, request.inputs, plans, repo.plans, fresh)
    current = kept is not None  # what charter wrote for these plans: nothing to inspect
    done = _Done(run, old, refusals, drop, new_keys, len(fresh), key, bool(unreadable))
    if current:
        done = done._replace(verified=True, marked=True, kept=True)
    return _conclude(done, request, check, state)


def _read_bytes(config: Config, rel: str) -> bytes | None:
    """An output file's bytes (None: missing)."""
    path = config.path(rel)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        text = read_text(path)  # raises, naming the file
        return None if text is None else text.encode("utf-8")


def _decoded(config: Config, rel: str, data: bytes | None) -> str | None:
    """An output file's text from its bytes, the bytes remembered for the hashes taken of
    it (charter.board.memo.encoded)."""
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return read_text(config.path(rel))  # raises, naming the file and line
    board_memo.remember(text, data)
    return text


def _conclude_pieces(
    config: Config, request: _Request, patched: Patched, raw: dict[str, bytes | None], key: str
) -> BoardResult:
    """`_conclude` for a board patched from the files on disk, written in pieces
    (charter.board.patch_write): nothing on disk to inspect, the drop guard as for any patch."""
    names = protect.committed_names(config)
    table = raw[config.board_csv]
    drop, keys, judged = _drop_verdict(
        config, patched, lambda: _decoded(config, config.board_csv, table), names
    )
    if drop is not None and not request.force:
        raise drop
    markdown = raw[config.board]
    if table is not None and markdown is not None:  # both are: the patch read them
        pin_committed(config, names, board_memo.sha_bytes(markdown), table)
    written = write_patched(config, patched, raw, config.path(IN_TRANSIT))
    if keys is not None:  # else the high-water mark holds them already
        protect.record(config, keys, reset=request.force)
    if judged and drop is None:  # passed, written, and in the mark
        pass_drop(config, judged, protect.drop_inputs(config, names))
    board_memo.record_hashes(config, key, written.hashes, patched.rows)
    save_state(config, patched.state, written.hashes)
    return BoardResult(written.changed, "", (), patched.rows)


def _current_board(
    config: Config, html: str | None, key: str, old: dict[str, str | None]
) -> dict[str, str | None] | None:
    """The Markdown board and CSV as on disk when they are the board of these plans (`key`),
    so that a page asked for alone leaves them as they are: nothing else to render. None
    without a page (the caller's no-op check came first) or when they are not current."""
    if html is None:
        return None
    targets = _targets(config, None)
    if board_memo.current(config, key, targets) is None:
        return None
    return {rel: old[rel] for rel in targets}


def _drop_verdict(
    config: Config,
    patched: Patched,
    on_disk: Callable[[], str | None],
    names: tuple[str, str],
) -> tuple[CharterError | None, protect.Keys | None, str]:
    """The drop guard's verdict on a patched board, the keys it judged (None: a verdict
    remembered) and their hash (charter.board.patch.keys_digest; "" when remembered).

    Patched from the board on disk, the keys are its keys (a patch keeps every task ID).
    After a pass and the write, the high-water mark holds them (`_conclude` remembers the
    pass with the guard's inputs as they are then), so while the commit, its CSV and the
    mark stay so, the guard passes them again. A patch never changes the board's keys:
    every board patched from one full regeneration shares the verdict, a board a checkout
    brings back included."""
    key_set = keys_digest(patched)
    if patched.from_disk and passed_drop(config) == (key_set, protect.drop_inputs(config, names)):
        return None, None, ""
    keys = row_keys(patched)
    # Patched from another board than the one on disk: the keys on disk are its CSV's.
    drop = protect.drop_refusal(config, keys, on_disk(), keys if patched.from_disk else None)
    return drop, keys, key_set


class _Done(NamedTuple):
    """A regeneration's result before it is compared or written."""

    run: _Run
    old: dict[str, str | None]
    refusals: list[CharterError]
    drop: CharterError | None
    keys: protect.Keys
    rows: int
    key: str  # the fingerprint of the plans it was made from
    unreadable: bool = False
    # The board files on disk are the ones charter wrote last (charter.board.patch checked
    # their hashes).
    verified: bool = False
    marked: bool = False  # the high-water mark holds `keys` already (then left empty)
    kept: bool = False  # the Markdown board and CSV were current: kept, with their state
    judged: str = ""  # the hash of `keys`, when the drop guard judged them (a patch only)
    names: tuple[str, str] | None = None  # protect.committed_names, as the guard read them


def _conclude(
    done: _Done, request: _Request, check: bool, state: dict[str, Any] | None
) -> BoardResult:
    run, old = done.run, done.old
    config = run.config
    html = request.html
    if done.verified:  # what charter wrote: nothing to inspect
        outputs = [_Output(rel, old[rel], run.files[rel]) for rel in _targets(config, None)]
    else:
        outputs = [_markdown_output(run, old), _csv_output(run, old)]
    if html is not None:
        outputs.append(_html_output(run, html, old[html]))
    refusals = list(done.refusals)
    refusals.extend(o.refusal for o in outputs if o.refusal is not None)
    if done.drop is not None:
        refusals.append(done.drop)
    changed = [o for o in outputs if o.old != o.new]
    reasons = tuple(str(r) for r in refusals)
    if check:
        from charter.board.drift import unified_diffs  # lazy: difflib, for --check only

        diff = unified_diffs((o.rel, o.old, o.new) for o in changed)
        return BoardResult(tuple(o.rel for o in changed), diff, reasons, done.rows)
    if refusals and not request.force:
        raise _combined(refusals)
    _write(run, outputs)
    if not done.unreadable and not done.marked:
        protect.record(config, done.keys, reset=request.force)
    if done.judged and done.drop is None:  # passed, written, and in the mark
        pass_drop(config, done.judged, protect.drop_inputs(config, done.names))
    # What was written is the board of the plans as read under the lock: remember both,
    # unless a plan was unreadable (the board may then lack its tasks). The page is not
    # remembered: the Markdown board and CSV are current whatever page was asked for.
    if not done.unreadable:
        board_memo.record(config, done.key, {o.rel: o.new for o in outputs[:2]}, done.rows)
    else:
        board_memo.forget(config)
    md = outputs[0]
    if state is not None and not md.region and not done.unreadable:
        save_state(config, state, {o.rel: board_memo.sha(o.new) for o in outputs[:2]})
    elif not done.kept:
        forget_state(config)
    return BoardResult(tuple(o.rel for o in changed), "", reasons, done.rows)


# ---- what each file should hold, and whether it may be overwritten ----------


def _markdown_output(run: _Run, old: dict[str, str | None]) -> _Output:
    config = run.config
    rel = config.board
    text = old[rel]
    new = run.files[rel]
    if text is None or text == new:  # freshly stamped by charter: nothing to inspect
        return _Output(rel, text, new)
    stamp = stamps.inspect_file(text)
    if stamp.state == "generated":
        return _Output(rel, text, new)
    if stamp.state == "edited":
        return _Output(rel, text, new, _edited(rel, stamp, _body_of(new)))
    region = stamps.inspect_region(text, REGION)
    if region is None:
        return _Output(
            rel,
            text,
            new,
            CharterError(
                "this file was not generated by charter (it has no charter:generated stamp), "
                "so charter will not overwrite it. Move it aside, put the lines "
                f"<!-- charter:begin {REGION} --> and <!-- charter:end {REGION} --> where the "
                "board should go, or run with --force to replace it",
                rel,
                1,
            ),
        )
    new = _region_text(run, text, {})
    if region.state == "edited":
        refusal = _edited(rel, region, run.parts.markdown, f"region {REGION}")
        return _Output(rel, text, new, refusal, region=True)
    return _Output(rel, text, new, region=True)


def _region_text(run: _Run, text: str, extra: dict[str, str]) -> str:
    config = run.config
    csv_name = companion_name(config.board, config.board_csv)
    return stamps.stamp_region(
        text,
        REGION,
        run.parts.markdown,
        config.path(config.board),
        {csv_name: run.parts.csv},
        extra,
    )


def _csv_output(run: _Run, old: dict[str, str | None]) -> _Output:
    config = run.config
    rel = config.board_csv
    text = old[rel]
    new = run.files[rel]
    if text is None or text == new:
        return _Output(rel, text, new)
    known = _csv_hashes(config, old[config.board])
    if stamps.digest(text) in known:
        return _Output(rel, text, new)
    if known:
        refusal = CharterError(
            f"edited by hand since charter generated it (it no longer matches the hash "
            f"{config.board} records for it; the line named is the first that differs from a "
            "fresh render); charter will not overwrite it. Move the change into the plans, or "
            "run with --force to discard it",
            rel,
            stamps.first_difference(text, new),
        )
    else:
        refusal = CharterError(
            f"no record that charter wrote this file ({config.board}, which holds its hash "
            "stamp, is missing or unstamped), so charter will not overwrite it. Move it aside, "
            "or run with --force to replace it",
            rel,
            1,
        )
    return _Output(rel, text, new, refusal)


def _csv_hashes(config: Config, markdown: str | None) -> set[str]:
    """Hashes of CSV texts charter wrote, as the Markdown board's stamp records them."""
    if markdown is None:
        return set()
    stamp = stamps.inspect_file(markdown)
    attrs = stamp.attrs
    if stamp.state == "foreign":
        region = stamps.inspect_region(markdown, REGION)
        attrs = region.attrs if region is not None else {}
    key = stamps.companion_key(companion_name(config.board, config.board_csv))
    # `previous`: the stamp of a board an earlier charter wrote mid-way through a write.
    return {attrs[k] for k in (key, _previous(key)) if k in attrs} | _in_transit(config)


def _previous(key: str) -> str:
    return key.replace(f".{stamps.KEY}", f".previous.{stamps.KEY}")


def _html_output(run: _Run, rel: str, text: str | None) -> _Output:
    assert run.parts.html is not None
    new = run.files[rel]
    if text is None or text == new:  # freshly stamped by charter: nothing to inspect
        return _Output(rel, text, new)
    stamp = stamps.inspect_file(text)
    if stamp.state == "generated":
        return _Output(rel, text, new)
    if stamp.state == "edited":
        return _Output(rel, text, new, _edited(rel, stamp, run.parts.html))
    return _Output(
        rel,
        text,
        new,
        CharterError(
            "this file was not generated by charter (it has no charter:generated stamp), so "
            "charter will not overwrite it. Choose another --html path, or run with --force",
            rel,
            1,
        ),
    )


def _edited(rel: str, stamp: stamps.Stamp, rendered: str, what: str = "this file") -> CharterError:
    line = stamp.line + stamps.first_difference(stamp.body, rendered) - 1
    return CharterError(stamps.edited_message(what), rel, line)


def _body_of(stamped: str) -> str:
    return stamped.partition("\n")[2]


# ---- writing -------------------------------------------------------------------


def _write(run: _Run, outputs: list[_Output]) -> None:
    """Write the changed files, each once, from its old content straight to its new.

    The Markdown board records the CSV's hash; a crash between the two writes
    must not make the CSV look hand-edited. So while both change, a record under
    `.charter/` (IN_TRANSIT) holds the old and the new CSV hash, and the board
    accepts either until a write finishes and removes the record."""
    config = run.config
    md, table, *rest = outputs
    transit = config.path(IN_TRANSIT)
    with locked(transit):
        if table.old is not None and table.old != table.new and md.old != md.new:
            ensure_state_dir(config.path(STATE_DIR))
            hashes = [board_memo.stamp_digest(t) for t in (table.old, table.new)]
            write_bytes_atomic(transit, json.dumps({config.board_csv: hashes}).encode())
        try:
            for output in (table, md, *rest):
                if output.old != output.new:
                    write_bytes_atomic(config.path(output.rel), board_memo.encoded(output.new))
        except BaseException:
            with contextlib.suppress(OSError, CharterError):
                if read_text(config.path(table.rel)) == table.old:  # nothing was in transit
                    transit.unlink(missing_ok=True)
            raise
        transit.unlink(missing_ok=True)


def _in_transit(config: Config) -> set[str]:
    """The CSV hashes an unfinished write recorded (nothing when it cannot be read)."""
    try:
        record = json.loads(read_text(config.path(IN_TRANSIT)) or "{}")
        hashes = record.get(config.board_csv, []) if isinstance(record, dict) else []
    except (OSError, ValueError, CharterError):
        return set()
    return {h for h in hashes if isinstance(h, str)}


def _combined(refusals: list[CharterError]) -> CharterError:
    if len(refusals) == 1:
        return refusals[0]
    first = refusals[0]
    rest = "\n".join(f"  {r}" for r in refusals[1:])
    return CharterError(f"{first.message}\nalso:\n{rest}", first.path, first.line)
