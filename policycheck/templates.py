"""Request templates (`/orders/{orderId}/lines`) matched against a request path, in linear time.

A placeholder is `{`, at least one character, and the first `}` after it, within one
path segment, and it stands for one or more characters other than `/` (as the
regular expression `[^/]+` did). The match goes segment by segment; within a
segment, the literal pieces are found left to right, each at its leftmost place,
which is correct for wildcards and never backtracks: the work is bounded by the
lengths of the template and the path, whatever either holds (a regular expression
of 16 consecutive placeholders ran for over a minute on one hostile path).
"""

from __future__ import annotations

Piece = str | None
"""A literal, or None for a placeholder."""


def pieces(segment: str) -> list[Piece]:
    out: list[Piece] = []
    literal: list[str] = []
    i = 0
    while i < len(segment):
        end = segment.find("}", i + 2) if segment[i] == "{" else -1
        if end < 0:
            literal.append(segment[i])
            i += 1
            continue
        if literal:
            out.append("".join(literal))
            literal = []
        out.append(None)
        i = end + 1
    if literal:
        out.append("".join(literal))
    return out


def _segment(template: list[Piece], text: str) -> bool:
    if not template:
        return text == ""
    first, last = 0, len(text)
    items = list(template)
    if isinstance(items[0], str):  # a leading literal is anchored at the start
        if not text.startswith(items[0]):
            return False
        first = len(items[0])
        items = items[1:]
    if items and isinstance(items[-1], str):  # a trailing literal at the end
        if not text.endswith(items[-1]) or len(text) - len(items[-1]) < first:
            return False
        last = len(text) - len(items[-1])
        items = items[:-1]
    if not items:
        return first == last
    # what is left starts and ends with a placeholder: each takes at least one character,
    # and each literal between them is taken at its leftmost place
    pos, need = first, 0
    for item in items:
        if item is None:
            need += 1
            continue
        found = text.find(item, pos + need, last)
        if found < 0 or found + len(item) > last:
            return False
        pos, need = found + len(item), 0
    return last - pos >= need


def matches(template: str, path: str) -> bool:
    """Whether `path` (without its query) is an instance of `template`; one trailing slash more is allowed."""
    path = path.split("?", 1)[0]
    return _path(template, path) or (path.endswith("/") and _path(template, path[:-1]))


def _path(template: str, path: str) -> bool:
    t_segments, p_segments = template.split("/"), path.split("/")
    if len(t_segments) != len(p_segments):
        return False
    return all(_segment(pieces(t), p) for t, p in zip(t_segments, p_segments, strict=True))
