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

_BLOCK = 1 << 16
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]

PathKey = str | int


class JsonIndex:
    def __init__(self, text: str):
        self.text = text
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
