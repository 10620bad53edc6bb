"""Large tables pickled in pieces: the corpus index, the page families' paths, the entities' rows
and the cache's directory.

Pickling remembers every object it wrote until it ends: one pickle of the
paths of a million pages remembers hundreds of megabytes. A table written
here is a head, ``(kind, pieces)``, then that many pickles of its entries,
each of its own: a list's entries, a dict's keys and values as two lists,
or for a table of arrays of numbers their keys, their lengths and all their
numbers in one run of bytes (a pickle of a few large objects, not of one
object per entry).
"""

from __future__ import annotations

import pickle
from array import array
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

#: Entries of a table pickled at a time.
INDEX_PIECE = 1 << 14
#: Bytes of numbers a piece of a table of arrays holds at most, unless one array alone holds more:
#: the entities named most often come first in the corpus index, and their arrays hold most of a table's numbers.
ARRAYS_PIECE_BYTES = 1 << 23


def dump_in_pieces(
    value: dict | list, file: SupportsWrite[bytes], key: Callable[[Any], object] | None = None, arrays: bool = False
) -> None:
    """Pickle a dict or a list into ``file`` in pieces (``load_in_pieces`` reads it back).

    ``key`` gives the key a dict's entry is written with, or what a list's
    entry is written as (the corpus index writes its tables by entity with
    each entity's number), a piece at a time: the table is never copied
    whole. With ``arrays`` the dict's values are arrays of numbers, and a
    piece holds at most ARRAYS_PIECE_BYTES of them.
    """
    sizes = piece_sizes(len(value), value.values() if arrays and isinstance(value, dict) else None)
    kind = "arrays" if arrays else "dict" if isinstance(value, dict) else "list"
    pickle.dump((kind, len(sizes)), file, protocol=pickle.HIGHEST_PROTOCOL)
    if isinstance(value, dict):
        keys, values = iter(value), iter(value.values())
        for size in sizes:
            keyed = list(islice(keys, size))
            if key is not None:
                keyed = list(map(key, keyed))
            taken = list(islice(values, size))
            piece = (keyed, *_packed_arrays(taken)) if arrays else (keyed, taken)
            pickle.dump(piece, file, protocol=pickle.HIGHEST_PROTOCOL)
    else:
        start = 0
        for size in sizes:
            entries = value[start : start + size]
            pickle.dump(entries if key is None else list(map(key, entries)), file, protocol=pickle.HIGHEST_PROTOCOL)
            start += size


def load_in_pieces(stream: IO[bytes]) -> dict | list:
    """Return what dump_in_pieces wrote, read from where ``stream`` is (ValueError when it is not that)."""
    head = pickle.load(stream)
    if not (
        isinstance(head, tuple)
        and len(head) == 2
        and head[0] in ("dict", "list", "arrays")
        and isinstance(head[1], int)
    ):
        raise ValueError("not a table written in pieces")
    kind, pieces = head
    if kind == "list":
        found: list = []
        for _ in range(pieces):
            piece = pickle.load(stream)
            if not isinstance(piece, list):
                raise ValueError("not a piece of a list")
            found += piece
        return found
    table: dict = {}
    for _ in range(pieces):
        piece = pickle.load(stream)
        if kind == "arrays":
            table.update(_unpacked_arrays(piece))
            continue
        if not (
            isinstance(piece, tuple)
            and len(piece) == 2
            and all(isinstance(part, list) for part in piece)
            and len(piece[0]) == len(piece[1])
        ):
            raise ValueError("not a piece of a table")
        table.update(zip(*piece))
    return table


def piece_sizes(count: int, arrays: Iterable[array] | None = None) -> list[int]:
    """Return how many of ``count`` entries each piece takes: INDEX_PIECE, or for a table of
    ``arrays`` as many as hold ARRAYS_PIECE_BYTES of numbers (one at least)."""
    if arrays is None:
        return [min(INDEX_PIECE, count - start) for start in range(0, count, INDEX_PIECE)]
    sizes, taken, size = [], 0, 0
    for numbers in arrays:
        length = len(numbers) * numbers.itemsize
        if taken and (taken == INDEX_PIECE or size + length > ARRAYS_PIECE_BYTES):
            sizes.append(taken)
            taken = size = 0
        taken += 1
        size += length
    return [*sizes, taken] if taken else sizes


def _packed_arrays(values: list[array]) -> tuple[array, bytearray]:
    """Return arrays of numbers as a piece keeps them: their lengths, and their numbers one after another."""
    data = bytearray()  # the numbers copied once (a join of each array's bytes copies them twice)
    for numbers in values:
        data += numbers
    return array("Q", map(len, values)), data


def _unpacked_arrays(piece: object) -> Iterator[tuple[object, array]]:
    """Yield the entries of a piece of a table of arrays (ValueError when ``piece`` is not one)."""
    if not (isinstance(piece, tuple) and len(piece) == 3 and isinstance(piece[0], list)):
        raise ValueError("not a piece of a table of arrays")
    keys, lengths, data = piece
    numbers = array("I")
    numbers.frombytes(data)
    if len(keys) != len(lengths) or sum(lengths) != len(numbers):
        raise ValueError("a piece of a table of arrays does not add up")
    at = 0
    for entry, length in zip(keys, lengths, strict=True):
        yield entry, numbers[at : at + length]
        at += length
