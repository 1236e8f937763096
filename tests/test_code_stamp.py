"""charter's own code stamp (cache.code_stamp) keys every cache: one check takes it half a
dozen times, so it is taken once a second, and a long-running process sees a change."""

from __future__ import annotations

import os

import pytest

from charter import cache


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every walk of charter's code, counted; the stamp as never taken."""
    walked: list[str] = []
    real_walk = os.walk

    def counting(top: str, *args: object, **kwargs: object) -> object:
        walked.append(str(top))
        return real_walk(top)

    monkeypatch.setattr(cache.os, "walk", counting)
    monkeypatch.setattr(cache, "_LAST_STAMP", [])
    return walked


def test_one_check_takes_charters_stamp_once(walks: list[str]) -> None:
    first = cache.code_stamp()
    assert all(cache.code_stamp() == first for _ in range(5))
    assert walks == [str(cache.CODE)]
    assert first == cache._code_stamp((cache.CODE,)), "the kept stamp is the one taken now"


def test_the_stamp_is_taken_again_after_a_second(
    walks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: now[0])
    cache.code_stamp()
    now[0] += cache._STAMP_KEPT_S + 0.01
    cache.code_stamp()
    assert len(walks) == 2


def test_other_folders_are_never_kept(walks: list[str], tmp_path: os.PathLike[str]) -> None:
    cache.code_stamp((cache.Path(tmp_path),))
    cache.code_stamp((cache.Path(tmp_path),))
    assert len(walks) == 2
