"""What each host holds, and how a report keeps to it: the most important first, the rest counted and said.

The limits are the hosts' own (GitHub's code scanning, workflow commands, step summaries,
pull-request comments) and the size at which a review page still opens. A report that
would exceed one keeps what matters most (severity, then how much a cause breaks) and
says in one line what it left out and where the full report is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from ..findings import Finding

T = TypeVar("T")

SARIF_RESULTS = 25_000
"""Code scanning takes at most 25,000 results per run (and displays the top 5,000)."""
ANNOTATIONS_PER_TYPE = 10
"""GitHub shows about ten annotations of each type (error, warning, notice) per step, a summary included."""
STEP_SUMMARY_BYTES = 1024 * 1024
"""$GITHUB_STEP_SUMMARY holds 1 MiB per step."""
COMMENT_CHARS = 65_536
"""A pull-request comment body holds 65,536 characters."""
COMMENT_ROOM = 1_024
"""Left for what a bot adds around the review (the action's hidden marker and the link to the run)."""
HTML_BYTES = 5_000_000
"""A review page that a browser opens at once and an artifact store keeps without complaint."""

FULL_REPORT = "`policycheck check --format json` has every finding with the calls it breaks"


def importance(f: Finding) -> tuple[int, int]:
    """Sort key: the most severe first, then the cause that breaks the most."""
    return (-f.severity, -f.breaks)


def by_importance(findings: Iterable[Finding]) -> list[Finding]:
    """Most important first; ties keep their order (file, line)."""
    return sorted(findings, key=importance)


def utf8(text: str) -> int:
    """Size as a file or an HTTP body measures it."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


class Budget:
    """Room left under a host's limit, measured as the host measures it (bytes or characters)."""

    def __init__(self, limit: int, measure: Callable[[str], int] = len) -> None:
        self.limit = limit
        self.left = limit
        self.measure = measure

    def take(self, text: str) -> bool:
        """Spend room on `text` if it fits (plus its newline); False, and nothing spent, if not."""
        size = self.measure(text) + 1
        if size > self.left:
            return False
        self.left -= size
        return True

    def spend(self, lines: Iterable[str]) -> None:
        """Room for what is always written (headings, the lines that say what was left out)."""
        for line in lines:
            self.left -= self.measure(line) + 1

    def part(self, share: float) -> Budget:
        """A share of the room left, for one section, so that the sections after it keep some."""
        return Budget(max(0, int(self.left * share)), self.measure)

    def charge(self, part: Budget) -> None:
        """Spend what a part used."""
        self.left -= part.limit - part.left

    def fit_part(self, share: float, items: Iterable[str], total: int) -> tuple[list[str], int]:
        """`fit` within `share` of the room left."""
        part = self.part(share)
        kept = part.fit(items, total)
        self.charge(part)
        return kept

    def fit(self, items: Iterable[str], total: int) -> tuple[list[str], int]:
        """The longest prefix of `items` that fits, and how many of the `total` items did not.

        Stops at the first item that does not fit: what is kept is always the most important
        part, and the rest is never rendered.
        """
        kept: list[str] = []
        for item in items:
            if not self.take(item):
                break
            kept.append(item)
        return kept, total - len(kept)


def prefix(items: Sequence[T], budget: Budget, render: Callable[[T], str], share: float = 1.0) -> tuple[list[str], int]:
    """`Budget.fit` over `items` rendered lazily, within `share` of the room left."""
    return budget.fit_part(share, (render(x) for x in items), len(items))


def counted(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' if n != 1 else ''}"
