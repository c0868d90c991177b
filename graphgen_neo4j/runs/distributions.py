"""Distributions of numbers as the reports show them: quantiles and histogram bins."""

from __future__ import annotations

import statistics

from pydantic import BaseModel


class Distribution(BaseModel):
    count: int
    mean: float | None
    median: float | None
    p10: float | None
    p90: float | None
    minimum: float | None
    maximum: float | None
    bins: list[tuple[float, float, int]]  # (from, to, count)


def distribution(values: list[float], bins: int = 12) -> Distribution:
    if not values:
        return Distribution(count=0, mean=None, median=None, p10=None, p90=None, minimum=None, maximum=None, bins=[])
    ordered = sorted(values)
    low, high = ordered[0], ordered[-1]
    width = (high - low) / bins if high > low else 1.0
    counts = [0] * bins
    for value in ordered:
        counts[min(int((value - low) / width), bins - 1)] += 1

    def quantile(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return Distribution(
        count=len(values),
        mean=round(statistics.fmean(values), 3),
        median=quantile(0.5),
        p10=quantile(0.1),
        p90=quantile(0.9),
        minimum=low,
        maximum=high,
        bins=[(round(low + i * width, 3), round(low + (i + 1) * width, 3), c) for i, c in enumerate(counts)],
    )


def text_histogram(dist: Distribution, width: int = 30) -> list[str]:
    """The bins of a distribution as lines of '#' bars, for terminals."""
    top = max((c for _, _, c in dist.bins), default=0)
    lines = []
    for low, high, count in dist.bins:
        bar = "#" * (round(width * count / top) if top else 0)
        lines.append(f"{low:>9.2f} – {high:<9.2f} {bar} {count}")
    return lines
