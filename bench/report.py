"""The table: each figure, the two measurements it compares, their ratio and the target."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Row:
    figure: str
    ours: str
    theirs: str
    ratio: float | None
    target: str  # e.g. ">= 3.0x" / "<= 1.2x" / "" (informational)
    unit: str = "x"

    @property
    def verdict(self) -> str:
        if not self.target or self.ratio is None:
            return ""
        op, value = self.target.split()
        limit = float(value.rstrip("xB"))
        ok = self.ratio >= limit if op == ">=" else self.ratio <= limit
        return "met" if ok else "MISSED"


def table(rows: list[Row]) -> str:
    head = ["figure", "mockown", "compared with", "ratio", "target", ""]
    body = [
        [r.figure, r.ours, r.theirs, "-" if r.ratio is None else f"{r.ratio:.2f}{r.unit}", r.target or "-", r.verdict]
        for r in rows
    ]
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(b) for b in body]
    return "\n".join(out)
