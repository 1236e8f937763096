"""Claims as git refs: claim, refuse, take over, renew, release; local and remote."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from charter.claims import gitref, ops
from charter.claims.gitref import local_refs
from charter.claims.record import REF_PREFIX, claim_ref, parse_duration
from charter.config import load_config
from charter.errors import CharterError
from tests.claims.helpers import clone_of, governed_clone, run_git, with_remote, worktree_of


@pytest.fixture
def pin(monkeypatch: pytest.MonkeyPatch) -> object:
    def at(moment: str) -> None:
        monkeypatch.setenv("CHARTER_NOW", moment)

    return at


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("30m", 1800), ("2h", 7200), ("1d", 86400), ("1h30m", 5400), (" 2H ", 7200)],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "2", "h", "0m", "2 hours", "-1h", "1h-"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(CharterError, match="duration"):
        parse_duration(text)


@pytest.mark.parametrize("task_id", ["a/b", "..x", "x.lock", "-x", "x y", "x..y", ""])
def test_ids_that_cannot_name_a_ref_are_refused(task_id: str) -> None:
    with pytest.raises(CharterError, match="cannot name a claim"):
        claim_ref(task_id)


def test_worktrees_of_one_clone_share_claims(tmp_path: Path, pin) -> None:
    root = governed_clone(tmp_path)
    other = worktree_of(root, "wt-b")
    pin("2026-01-01T10:00:00Z")
    mine, theirs = ops.Store(root, None), ops.Store(other, None)

    first = ops.claim(mine, "PAR-1", "alice", "1h")
    second = ops.claim(theirs, "PAR-1", "bob", "1h")

    assert (first.ok, first.action) == (True, "claimed")
    assert (second.ok, second.action) == (False, "refused")
    assert second.holder is not None and second.holder.agent == "alice"
    assert "held by alice" in second.message and "2026-01-01T11:00:00Z" in second.message
    assert ops.claim(mine, "PAR-1", "alice", "1h").action == "already-yours"
    assert [c.agent for c in ops.list_claims(theirs)] == ["alice"]


def test_an_expired_claim_is_taken_over_and_the_takeover_recorded(tmp_path: Path, pin) -> None:
    root = governed_clone(tmp_path)
    store = ops.Store(root, None)
    pin("2026-01-01T10:00:00Z")
    ops.claim(store, "PAR-1", "alice", "30m")
    pin("2026-01-01T10:30:30Z")  # past expiry, within the allowed skew
    assert ops.claim(store, "PAR-1", "bob", "30m").action == "refused"
    pin("2026-01-01T10:31:01Z")
    taken = ops.claim(store, "PAR-1", "bob", "30m")

    assert taken.action == "took-over"
    assert taken.claim is not None and taken.claim.took_over_from == "alice"
    assert taken.claim.took_over_expired_at == "2026-01-01T10:30:00Z"
    history = run_git(root, "log", "--format=%s", claim_ref("PAR-1")).split("\n")
    assert history[:2] == ["charter claim PAR-1", "charter claim PAR-1"]


def test_renew_and_release_belong_to_the_holder(tmp_path: Path, pin) -> None:
    root = governed_clone(tmp_path)
    store = ops.Store(root, None)
    pin("2026-01-01T10:00:00Z")
    ops.claim(store, "PAR-2", "alice", "30m")
    pin("2026-01-01T10:20:00Z")

    assert ops.renew(store, "PAR-2", "bob", "1h").action == "refused"
    renewed = ops.renew(store, "PAR-2", "alice", "1h")
    assert renewed.claim is not None and renewed.claim.expires_at == "2026-01-01T11:20:00Z"
    assert renewed.claim.claimed_at == "2026-01-01T10:00:00Z"
    assert ops.release(store, "PAR-2", "bob").ok is False
    assert ops.release(store, "PAR-2", "alice").action == "released"
    assert local_refs(root) == {}
    assert ops.claim(store, "PAR-2", "bob", "1h").action == "claimed"
    assert ops.release(store, "PAR-2", "alice", force=True).ok


def test_two_clones_of_one_remote_cannot_both_win(tmp_path: Path) -> None:
    root = governed_clone(tmp_path)
    bare = with_remote(tmp_path, root)
    other = clone_of(tmp_path, bare, "second")
    here, there = ops.Store(root, "origin"), ops.Store(other, "origin")

    assert ops.claim(here, "PAR-3", "alice", "1h").ok
    refused = ops.claim(there, "PAR-3", "bob", "1h")

    assert not refused.ok and refused.holder is not None and refused.holder.agent == "alice"
    assert local_refs(root) == {} and local_refs(other) == {}  # the remote is the one truth
    on_remote = run_git(bare, "for-each-ref", "--format=%(refname)", REF_PREFIX).split()
    assert on_remote == [claim_ref("PAR-3")]
    assert ops.release(here, "PAR-3", "alice").ok
    assert ops.claim(there, "PAR-3", "bob", "1h").ok


def test_an_unreachable_remote_fails_closed_and_leaves_nothing(tmp_path: Path) -> None:
    root = governed_clone(tmp_path)
    bare = with_remote(tmp_path, root)
    store = ops.Store(root, "origin")
    assert ops.claim(store, "PAR-1", "alice", "1h").ok
    bare.rename(tmp_path / "gone.git")

    with pytest.raises(CharterError, match="cannot reach the claims remote 'origin'"):
        ops.claim(store, "PAR-2", "alice", "1h")
    with pytest.raises(CharterError, match="no claim was taken or changed"):
        ops.release(store, "PAR-1", "alice")
    assert local_refs(root) == {}


def test_a_push_that_cannot_land_fails_closed(tmp_path: Path, monkeypatch) -> None:
    """The remote is read fine, then vanishes before the push: an error, no half-claim."""
    root = governed_clone(tmp_path)
    bare = with_remote(tmp_path, root)
    store = ops.Store(root, "origin")
    real = gitref.swap_remote

    def vanish_then_push(*args: object) -> gitref.Swap:
        bare.rename(tmp_path / "gone.git")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(gitref, "swap_remote", vanish_then_push)
    with pytest.raises(CharterError, match="cannot reach"):
        ops.claim(store, "PAR-1", "alice", "1h")
    assert local_refs(root) == {}
    assert run_git(tmp_path / "gone.git", "for-each-ref", REF_PREFIX) == ""


@pytest.mark.parametrize(
    ("config", "remote", "expected"),
    [
        ('claims = "local"\n', True, None),
        ('claims = "auto"\n', True, "origin"),
        ('claims = "auto"\n', False, None),
        ('claims = "remote"\nclaims_remote = "upstream"\n', False, "error"),
    ],
)
def test_the_configured_store(tmp_path: Path, config: str, remote: bool, expected: str) -> None:
    root = governed_clone(tmp_path, config)
    if remote:
        with_remote(tmp_path, root)
    if expected == "error":
        with pytest.raises(CharterError, match="no remote 'upstream'"):
            ops.store_for(load_config(root))
    else:
        assert ops.store_for(load_config(root)).remote == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('claims = "cloud"', 'must be "local", "remote" or "auto"'),
        ('claim_ttl = "soon"', "duration"),
    ],
)
def test_bad_claim_settings_name_the_key(tmp_path: Path, line: str, message: str) -> None:
    root = governed_clone(tmp_path, line + "\n")
    with pytest.raises(CharterError, match=message) as caught:
        load_config(root)
    assert caught.value.line == 1
