"""Every task ID of the plans, for the hint of `no task X in the plans; did you mean ...?`.

An edit naming an unknown ID loaded the whole repository (at 50,000 tasks, 1.5 s of
decoding models) to list the IDs close to it. The edit has just read every plan's bytes
to look for the ID, so the IDs are kept under `.charter/cache/task-ids.cache` by each
plan's path and content hash: a plan whose bytes are known costs a hash, the others come
from the model cache or are parsed (charter.repo.models_of), and are kept for next time.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import blake2b

from charter import __version__
from charter.cache import CACHE_DIR, ModelCache, load_cache, save_cache
from charter.config import Config
from charter.model import Plan
from charter.repo import FileRead, collector_paused, models_of

INDEX = f"{CACHE_DIR}/task-ids.cache"


def plan_task_ids(config: Config, plans: Sequence[tuple[str, bytes | None]]) -> list[str]:
    """The IDs the plans define (each plan's tasks and subtasks, in file order), from the
    plans' bytes as read (`None`: a plan that could not be read, which defines none)."""
    settings = f"{__version__}\0{config!r}"
    stored = _stored(config, settings)
    reads = [
        FileRead(rel, "plan", data, blake2b(data, digest_size=16).hexdigest())
        for rel, data in plans
        if data is not None
    ]
    known: dict[str, str] = {}
    missing: list[FileRead] = []
    for read in reads:
        key = f"{read.rel}\0{read.digest}"
        ids = stored.get(key)
        if isinstance(ids, str):
            known[key] = ids
        else:
            missing.append(read)
    if missing:
        with collector_paused():
            cache = ModelCache(config)
            models = models_of(tuple(missing), config, cache)
            cache.save()
        for read, model in zip(missing, models, strict=True):
            walked = model.walk() if isinstance(model, Plan) else ()
            known[f"{read.rel}\0{read.digest}"] = "\n".join(t.id for t in walked if t.id)
    if missing or len(known) != len(stored):  # plans added, changed or gone: keep the new
        save_cache(config.path(INDEX), {"settings": settings, "plans": known})
    found: list[str] = []
    for ids in known.values():
        if ids:
            found += ids.split("\n")
    return found


def _stored(config: Config, settings: str) -> dict[str, object]:
    data = load_cache(config.path(INDEX))
    if not isinstance(data, dict) or data.get("settings") != settings:
        return {}
    plans = data.get("plans")
    return plans if isinstance(plans, dict) else {}
