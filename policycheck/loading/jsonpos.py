"""Line and column of a key path in a JSON text, found on demand at C speed.

`json` gives no positions. Rather than tokenising the whole text in Python, the
index steps through only the containers on the way to a key path, skipping each
child value with the C decoder (`raw_decode`), and remembers the offsets of every
container it stepped through: locating all the findings of a large export costs
about one more parse of the containers they are in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

_BLOCK = 1 << 16
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]

PathKey = str | int
_UNKNOWN: Any = object()


class JsonIndex:
    def __init__(self, text: str, data: Any = _UNKNOWN):
        """`data`: the parsed text, when known: pretty-printed containers are then indexed by indentation."""
        self.text = text
        self.data = data
        self._newlines: list[int] | None = None
        # path -> {child key: (key offset, value offset)}
        self._children: dict[tuple[PathKey, ...], dict[PathKey, tuple[int, int]]] = {}
        self._root = _WS.match(text, 0).end()  # type: ignore[union-attr]

    def position(self, offset: int) -> tuple[int, int]:
        """Line and column of `offset`: newlines counted per block of the text once, then within one block."""
        text = self.text
        if self._newlines is None:
            before, lines = [], 0
            for start in range(0, len(text), _BLOCK):
                before.append(lines)
                lines += text.count("\n", start, start + _BLOCK)
            self._newlines = before
        before = self._newlines
        block = min(offset // _BLOCK, max(len(before) - 1, 0))
        line = (before[block] if before else 0) + text.count("\n", block * _BLOCK, offset)
        newline = text.rfind("\n", block * _BLOCK, offset)
        while newline < 0 and 0 < block <= len(before):  # the line starts in an earlier block: one with a newline
            block -= 1
            if block + 1 == len(before) or before[block + 1] > before[block]:
                newline = text.rfind("\n", block * _BLOCK, (block + 1) * _BLOCK)
        return line + 1, offset - newline

    def locate(self, keys: Sequence[PathKey]) -> tuple[int, int]:
        """Position of the deepest key (or list item) along `keys` that exists."""
        offset, value = 0, self._root
        path: tuple[PathKey, ...] = ()
        for key in keys:
            children = self._children_of(path, value)
            if children is None or key not in children:
                break
            offset, value = children[key]
            path = (*path, key)
        return self.position(offset) if path else (1, 1)

    def _children_of(self, path: tuple[PathKey, ...], start: int) -> dict[PathKey, tuple[int, int]] | None:
        found = self._children.get(path)
        if found is not None:
            return found
        text = self.text
        opener = text[start : start + 1]
        if opener not in ("{", "["):
            return None
        indented = self._indented(path, start, opener)
        if indented is not None:
            self._children[path] = indented
            return indented
        children: dict[PathKey, tuple[int, int]] = {}
        i = _WS.match(text, start + 1).end()  # type: ignore[union-attr]
        index = 0
        try:
            while i < len(text) and text[i] not in "}]":
                if opener == "{":
                    key_at = i
                    key, i = _scanstring(text, i + 1)
                    i = _WS.match(text, i).end()  # type: ignore[union-attr]
                    i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]  # past ':'
                    name: PathKey = key
                else:
                    key_at, name = i, index
                    index += 1
                children[name] = (key_at, i)  # the last of duplicate keys wins, as in the data
                _, i = _DECODER.raw_decode(text, i)
                i = _WS.match(text, i).end()  # type: ignore[union-attr]
                if i < len(text) and text[i] == ",":
                    i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
        except (ValueError, RecursionError):
            pass  # the text was parsed before: only reachable for texts that changed underneath
        self._children[path] = children
        return children

    def _indented(self, path: tuple[PathKey, ...], start: int, opener: str) -> dict[PathKey, tuple[int, int]] | None:
        """The children of a pretty-printed container, found by their lines' indentation, or None.

        A raw newline is never inside a JSON string, so every line of the text starts
        outside one: the children of a container written one per line are the lines
        indented one step deeper than its own, up to its closing line. Used only when
        what is found matches the parsed data exactly (the count of items, every key);
        anything else (compact JSON, tabs, dropped secret keys) takes the decoder's way.
        """
        node = self.data
        if node is _UNKNOWN:
            return None
        try:
            for key in path:
                node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
        if not isinstance(node, dict if opener == "{" else list):
            return None
        text = self.text
        line = text.rfind("\n", 0, start) + 1
        own = _SPACES.match(text, line).end() - line  # type: ignore[union-attr]
        first = _WS.match(text, start + 1).end()  # type: ignore[union-attr]
        child_line = text.rfind("\n", start, first) + 1
        if not child_line or _SPACES.match(text, child_line).end() != first:  # type: ignore[union-attr]
            return None
        step = first - child_line
        if step <= own:
            return None
        # spaces written out, not counted ({n}): the regex engine then scans for the whole line start at once
        closing = _pattern("\n" + " " * own + "[\\]}]").search(text, first)
        if closing is None:
            return None
        starts = [first] if text[first] not in "]}" else []
        # the lines one step in, but for a multi-line child's own closing line
        starts += [m.end() for m in _pattern("\n" + " " * step + "(?![ \\]}])").finditer(text, first, closing.start())]
        children: dict[PathKey, tuple[int, int]] = {}
        if opener == "[":
            if len(starts) != len(node):
                return None
            for index, i in enumerate(starts):
                children[index] = (i, i)
            return children
        try:
            for i in starts:
                if text[i] != '"':
                    return None
                key, j = _scanstring(text, i + 1)
                j = _WS.match(text, j).end()  # type: ignore[union-attr]
                if text[j] != ":":
                    return None
                children[key] = (i, _WS.match(text, j + 1).end())  # type: ignore[union-attr]
        except (ValueError, IndexError):
            return None
        if len(children) != len(starts) or not isinstance(node, dict) or children.keys() != node.keys():
            return None
        return children


_SPACES = re.compile(" *")
_PATTERNS: dict[str, re.Pattern[str]] = {}


def _pattern(source: str) -> re.Pattern[str]:
    found = _PATTERNS.get(source)
    if found is None:
        found = _PATTERNS[source] = re.compile(source)
    return found
