"""Independent, reproducible random streams.

Every table (and every piece of the static world) draws from its own
``numpy.random.Generator(PCG64)`` whose seed is spawned from the run's seed by
a fixed key ``(stream, day)``.  Changing how one table is generated therefore
never shifts the numbers of another, and the same seed gives the same bytes.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["stream_rng"]


def stream_rng(seed: int, stream: str, index: int = 0) -> np.random.Generator:
    """The generator of ``stream`` (a table or world part) for ``index`` (a day, or 0).

    The stream name is hashed with CRC-32 — stable across processes, unlike
    Python's ``hash`` — so the key does not depend on any ordering of tables.
    """
    key = (zlib.crc32(stream.encode()), index)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))
