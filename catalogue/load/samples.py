"""NumPy ``.npz`` archives read member by member within a byte budget.

An .npz is a zip of ``.npy`` files; a small archive can inflate to gigabytes. Each member's
``.npy`` header (shape and dtype) is read first, without inflating the data; a member the
caller does not ask for is never decompressed; a member whose data would take the budget past
its limit is refused before it is read; pickled (object) arrays are refused, never loaded.
"""

from __future__ import annotations

import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_HEADER_BYTES = 10_000


class SampleError(Exception):
    """A sample archive that cannot be read, or that would exceed the budget."""


@dataclass
class Budget:
    """Decompressed bytes still allowed; shared by every sample file of one model."""

    limit: int
    used: int = 0
    setting: str = "parity.max_sample_bytes in catalogue.yaml"

    def take(self, amount: int, what: str) -> None:
        if self.used + amount > self.limit:
            from catalogue.model.pointers import human_bytes  # only here: the child starts fast

            raise SampleError(f"{what} holds {human_bytes(amount)} once decompressed, which "
                              f"would take the samples past {human_bytes(self.limit)} "
                              f"({self.setting}); ship fewer or smaller samples")
        self.used += amount


def npz_members(path: Path) -> list[str]:
    """The array names of an .npz (``x`` for member ``x.npy``), in archive order."""
    try:
        with zipfile.ZipFile(path) as archive:
            return [name.removesuffix(".npy") for name in archive.namelist()]
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise SampleError(f"it is not a NumPy .npz file: {exc}") from None


def read_npz(path: Path, names: Collection[str], budget: Budget) -> dict[str, Any]:
    """The arrays ``names`` of the .npz at ``path`` (those it holds), within ``budget``."""
    try:
        with zipfile.ZipFile(path) as archive:
            arrays: dict[str, Any] = {}
            for info in archive.infolist():
                name = info.filename.removesuffix(".npy")
                if name in names and info.filename.endswith(".npy"):
                    arrays[name] = _read_member(archive, info, budget)
            return arrays
    except (OSError, zipfile.BadZipFile, EOFError, NotImplementedError) as exc:
        raise SampleError(f"it is not a NumPy .npz file: {exc}") from None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget) -> Any:
    import numpy as np

    label = f"member '{info.filename}'"
    with archive.open(info) as stream:
        try:
            version = np.lib.format.read_magic(stream)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(
                    stream, max_header_size=MAX_HEADER_BYTES)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(
                    stream, max_header_size=MAX_HEADER_BYTES)
            else:
                raise SampleError(f"{label} is a .npy of format {version}; save it with "
                                  "numpy.savez")
        except ValueError as exc:
            raise SampleError(f"{label} is not a .npy array: {exc}") from None
        if dtype.hasobject:
            raise SampleError(f"{label} holds pickled object arrays, which are never loaded; "
                              "store numeric or string arrays")
        count = 1
        for dim in shape:
            count *= int(dim)
        size = count * dtype.itemsize
        budget.take(size, f"{label} ({dtype}, shape {list(shape)})")
        data = stream.read(size)
        if len(data) != size:
            raise SampleError(f"{label} is truncated: {len(data)} of {size} bytes")
    array = np.frombuffer(data, dtype=dtype, count=count) if count else np.zeros(0, dtype)
    return array.reshape(shape, order="F" if fortran else "C").copy()
