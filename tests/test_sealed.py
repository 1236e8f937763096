"""charter.sealed: a cache file is believed only when it is whole, current and ours."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from charter import sealed
from charter.sealed import read_sealed, seal, sweep, unseal, write_sealed

PAYLOAD = {"key": ["k", 1], "entries": {"docs/plans/a.md": ["d1", [1, 2.5, None, True]]}}


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    folder = tmp_path / "cache"
    folder.mkdir()
    path = folder / "models-00.cache"
    assert write_sealed(str(path), path.name, PAYLOAD)
    return path


def test_a_written_cache_reads_back(cache: Path) -> None:
    assert read_sealed(str(cache), cache.name) == PAYLOAD
    assert cache.read_bytes().startswith(b"charter-cache 1 ")
    assert cache.stat().st_mode & 0o777 == 0o644


def test_every_single_bit_flip_and_truncation_is_a_miss(cache: Path) -> None:
    data = cache.read_bytes()
    for position in range(len(data)):
        for bit in range(8):
            flipped = bytearray(data)
            flipped[position] ^= 1 << bit
            assert unseal(cache.name, bytes(flipped)) is None, (position, bit)
        assert unseal(cache.name, data[:position]) is None, position


@pytest.mark.parametrize(
    "header",
    [
        b"charter-cache 2 {version} models-00.cache {digest}",  # another format
        b"charter-cache 1 0.0.0-other models-00.cache {digest}",  # another charter
        b"charter-cache 1 {version} models-01.cache {digest}",  # another shard's file
        b"charter-cache 1 {version} models-00.cache {digest}0",
    ],
)
def test_a_header_for_anything_else_is_a_miss(cache: Path, header: bytes) -> None:
    from charter import __version__

    data = cache.read_bytes()
    first, _, body = data.partition(b"\n")
    digest = first.rsplit(b" ", 1)[1]
    made = header.replace(b"{version}", __version__.encode()).replace(b"{digest}", digest)
    cache.write_bytes(made + b"\n" + body)
    assert read_sealed(str(cache), cache.name) is None


@pytest.mark.parametrize("mode", [0o664, 0o646, 0o666])
def test_a_file_others_may_write_is_not_believed(cache: Path, mode: int) -> None:
    cache.chmod(mode)
    assert read_sealed(str(cache), cache.name) is None


@pytest.mark.parametrize("mode", [0o775, 0o777, 0o757])
def test_a_folder_others_may_write_is_not_believed_until_its_owner_writes(
    cache: Path, mode: int
) -> None:
    cache.parent.chmod(mode)
    assert read_sealed(str(cache), cache.name) is None
    # the owner's next write makes the folder private to its owner again
    assert write_sealed(str(cache), cache.name, PAYLOAD)
    assert cache.parent.stat().st_mode & 0o022 == 0
    assert read_sealed(str(cache), cache.name) == PAYLOAD


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
def test_a_file_or_folder_another_user_owns_is_not_believed(cache: Path) -> None:
    os.chown(cache, 65534, -1)
    assert read_sealed(str(cache), cache.name) is None
    os.chown(cache, os.geteuid(), -1)
    os.chown(cache.parent, 65534, -1)
    cache.parent.chmod(0o775)
    assert read_sealed(str(cache), cache.name) is None
    assert not write_sealed(str(cache), cache.name, PAYLOAD)
    assert cache.parent.stat().st_mode & 0o777 == 0o775  # a stranger's folder is left alone


def test_a_link_is_not_followed(cache: Path, tmp_path: Path) -> None:
    link = cache.parent / "check.cache"
    target = tmp_path / "elsewhere.cache"
    target.write_bytes(seal(link.name, PAYLOAD))
    link.symlink_to(target)
    assert read_sealed(str(link), link.name) is None


def test_plain_json_and_pickles_are_misses(cache: Path) -> None:
    import json
    import pickle

    for data in (json.dumps(PAYLOAD).encode(), pickle.dumps(PAYLOAD), b"", b"\n"):
        cache.write_bytes(data)
        assert read_sealed(str(cache), cache.name) is None


def test_what_is_not_json_data_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "x.cache"
    assert not write_sealed(str(path), path.name, {"a": object()})
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_folder_only_costs_the_cache(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("permission checks are not in force for this user")
        assert not write_sealed(str(folder / "a.cache"), "a.cache", PAYLOAD)
    finally:
        folder.chmod(0o755)


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_orphaned_temp_files_and_old_pickles_are_swept(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    (folder / "templates").mkdir(parents=True)
    dead = _dead_pid()
    orphans = [
        f".models-03.cache.{dead}.tmp",  # a writer killed before its rename
        f"policy.json.{dead}.tmp",  # the guard's writer before this format
        "models-00.pickle",
        "check.pickle",
        "policy.json",
        "board.json",
    ]
    for name in orphans:
        (folder / name).write_bytes(b"x")
    (folder / "templates" / "__jinja2_0123abcd.cache").write_bytes(b"x")
    live = folder / f".board.cache.{os.getpid()}.tmp"  # this process's own: not an orphan
    live.write_bytes(b"x")
    old = folder / ".evidence.cache.1.tmp"  # PID 1 lives, but nobody writes for ten minutes
    old.write_bytes(b"x")
    stamp = time.time() - sealed.ORPHAN_AGE_S - 5
    os.utime(old, (stamp, stamp))
    kept = folder / "check.cache"
    kept.write_bytes(b"x")
    removed = sweep(str(folder))
    assert sorted(removed) == sorted([*orphans, old.name, "templates/__jinja2_0123abcd.cache"])
    assert sorted(p.name for p in folder.iterdir()) == sorted([live.name, kept.name])


def test_a_write_sweeps_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    orphan = folder / f".check.cache.{_dead_pid()}.tmp"
    orphan.write_bytes(b"half a")
    assert write_sealed(str(folder / "check.cache"), "check.cache", PAYLOAD)
    assert not orphan.exists()


def test_random_bodies_under_a_valid_header_never_raise(tmp_path: Path) -> None:
    rng = random.Random(20261203)
    path = tmp_path / "x.cache"
    for _ in range(300):
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
        data = seal(path.name, None)
        header = data.split(b"\n", 1)[0].rsplit(b" ", 1)[0]
        from _blake2 import blake2b

        forged = header + b" " + blake2b(body, digest_size=32).hexdigest().encode() + b"\n" + body
        unseal(path.name, forged)  # any value or None, never an exception
