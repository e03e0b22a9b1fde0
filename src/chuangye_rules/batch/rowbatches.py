"""The rows of a run on their way to the evaluator: grouped per rulebook into batches of a useful size (Waiting),
split by the city they name, and their applicant ids remembered cheaply to count the duplicates at the end."""

from __future__ import annotations

from typing import Iterator

import polars as pl

from .columnar import ROW
from .compile import CompiledRulebook


class DuplicateIds:
    """Applicant ids seen so far, as 64-bit hashes, never the ids themselves, and for each block which of its
    rows they belong to, as a bit mask. Found by sorting at the end, which needs no hash table. (What it costs
    a row: bench/README.md.)"""

    SHOWN = 20

    def __init__(self) -> None:
        self.hashes: list[pl.Series] = []
        self.blocks: list[tuple[int, pl.Series]] = []  # (first row, which rows from there on have an id)

    def add(self, ids: pl.DataFrame | None) -> None:
        if ids is not None and ids.height:
            self.hashes.append(ids["applicant_id"].hash(seed=0))
            rows = ids[ROW]
            first, last = rows.min(), rows.max()
            self.blocks.append((first, pl.int_range(first, last + 1, eager=True).is_in(rows.implode())))

    def _rows(self) -> pl.Series:
        """The row of each hash, in the order added."""
        return pl.concat([pl.int_range(first, first + has.len(), eager=True).filter(has) for first, has in self.blocks])

    def report(self) -> tuple[int, list[list[int]]]:
        """(how many rows repeat an earlier row's id, the first groups of rows that share an id)."""
        if not self.hashes:
            return 0, []
        hashes = pl.concat(self.hashes, rechunk=False)
        self.hashes = []
        ordered = hashes.sort()
        repeats = ordered.len() - ordered.n_unique()  # on sorted values a scan, with no table or copy
        if repeats == 0:
            return 0, []
        repeated = ordered.filter(ordered == ordered.shift(1)).unique()
        del ordered
        found = pl.DataFrame({"h": hashes, "row": self._rows()}).filter(pl.col("h").is_in(repeated.implode()))
        groups = (found.group_by("h").agg(pl.col("row").sort()).sort(pl.col("row").list.first())
                  .head(self.SHOWN)["row"].to_list())
        return repeats, groups


class Waiting:
    """Valid rows waiting to be evaluated, per rulebook. A rulebook is evaluated `size` rows at a time (and
    what is left at the end): planning a query of a few thousand expressions costs the same whatever its rows,
    so each city gets full batches rather than its fifth of every block read; and a block of very short lines
    (a million rows) is still evaluated at most `size` rows at once, for each row takes memory meanwhile
    (figures: bench/README.md)."""

    def __init__(self, slugs: list[str], size: int) -> None:
        self.size = max(size, 1)
        # the first batches are smaller, so the writer thread gets work before five cities have filled up
        self.batch = max(self.size // 8, 1)
        self.frames: dict[str, list[pl.DataFrame]] = {s: [] for s in slugs}
        self.rows = dict.fromkeys(slugs, 0)

    def add(self, parts: dict[str, pl.DataFrame]) -> None:
        for slug, part in parts.items():
            self.frames[slug].append(part)
            self.rows[slug] += part.height

    def full(self) -> Iterator[tuple[str, pl.DataFrame]]:
        """Batches of `size` rows (the first few smaller): one from the city with the most rows waiting
        (cities fill at the same pace, and evaluating them all after the same block would leave the writer
        thread idle, then swamped), then more, fullest city first, while over three batches' rows wait in all
        (what bounds the memory rows take while they wait)."""
        fullest = max(self.rows, key=self.rows.get, default=None)
        if fullest is not None and self.rows[fullest] >= self.batch:
            yield fullest, self._take(fullest)
        while sum(self.rows.values()) > 3 * self.size:
            fullest = max(self.rows, key=self.rows.get)
            yield fullest, self._take(fullest)

    def _take(self, slug: str) -> pl.DataFrame:
        frame = pl.concat(self.frames[slug], rechunk=False)
        size, self.batch = min(self.batch, frame.height), min(2 * self.batch, self.size)
        rest = frame.slice(size)
        self.frames[slug], self.rows[slug] = ([rest] if rest.height else []), rest.height
        return frame.slice(0, size)

    def rest(self) -> Iterator[tuple[str, pl.DataFrame]]:
        """What is left at the end, still at most `size` rows at a time."""
        for slug, frames in self.frames.items():
            frame = pl.concat(frames, rechunk=False) if frames else None
            self.frames[slug], self.rows[slug] = [], 0
            for start in range(0, frame.height if frame is not None else 0, self.size):
                yield slug, frame.slice(start, self.size)


def city_parts(frame: pl.DataFrame, compiled: dict[str, CompiledRulebook], city: str | None) -> dict[str, pl.DataFrame]:
    """The rows each rulebook evaluates: those naming its city, and those naming none (evaluated against
    every rulebook, as `check` does)."""
    if frame.height == 0:
        return {}
    if city or "city" not in frame.columns:
        return dict.fromkeys(compiled, frame)
    parts = {slug: frame.filter(pl.col("city").is_null() | (pl.col("city") == slug)) for slug in compiled}
    return {slug: part for slug, part in parts.items() if part.height}
