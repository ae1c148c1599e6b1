"""Line and column of a key path in a JSON text, found on demand at C speed.

`json` gives no positions. Rather than tokenising the whole text in Python, the
index steps through only the containers on the way to a key path, skipping each
child value with the C decoder (`raw_decode`), and remembers the offsets of every
container it stepped through: locating all the findings of a large export costs
about one more parse of the containers they are in.

The text may also be the bytes of an ASCII file mapped into memory (`mmap`): its
byte offsets are then its character offsets, and a large export is located
without being decoded again (a container that is not pretty-printed decodes it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

_BLOCK = 1 << 16
_WS = re.compile(r"[ \t\n\r]*")
_WS_BYTES = re.compile(rb"[ \t\n\r]*")
_STRING_BYTES = re.compile(rb'"(?:[^"\\]|\\.)*"')
_DECODER = json.JSONDecoder()
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]

PathKey = str | int
_UNKNOWN: Any = object()


class JsonIndex:
    def __init__(self, text: str | Any, data: Any = _UNKNOWN):
        """`text`: the JSON text, or the bytes of an ASCII one (a buffer: `bytes`, `mmap`).

        `data`: the parsed text, when known: pretty-printed containers are then indexed by indentation.
        """
        self.text: Any = text  # str, or a buffer of ASCII bytes
        self.data = data
        self._bytes = not isinstance(text, str)
        self._ws: Any = _WS_BYTES if self._bytes else _WS
        self._nl: Any = b"\n" if self._bytes else "\n"
        self._newlines: list[int] | None = None
        # path -> {child key: (key offset, value offset)}
        self._children: dict[tuple[PathKey, ...], dict[PathKey, tuple[int, int]]] = {}
        self._root: int = self._ws.match(self.text, 0).end()  # type: ignore[union-attr, arg-type]

    def position(self, offset: int) -> tuple[int, int]:
        """Line and column of `offset`: newlines counted per block of the text once, then within one block."""
        text, nl = self.text, self._nl
        if self._newlines is None:
            before, lines = [], 0
            for start in range(0, len(text), _BLOCK):
                before.append(lines)
                lines += self._count(start, start + _BLOCK)
            self._newlines = before
        before = self._newlines
        block = min(offset // _BLOCK, max(len(before) - 1, 0))
        line = (before[block] if before else 0) + self._count(block * _BLOCK, offset)
        newline = text.rfind(nl, block * _BLOCK, offset)
        while newline < 0 and 0 < block <= len(before):  # the line starts in an earlier block: one with a newline
            block -= 1
            if block + 1 == len(before) or before[block + 1] > before[block]:
                newline = text.rfind(nl, block * _BLOCK, (block + 1) * _BLOCK)
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

    def _count(self, start: int, end: int) -> int:
        """Newlines in text[start:end] (a buffer has no `count` with bounds: its slice is copied)."""
        if self._bytes:
            return int(self.text[start:end].count(b"\n"))
        return int(self.text.count("\n", start, end))

    def _char(self, i: int) -> str:
        """The character at `i`, or "" past the end."""
        c = self.text[i : i + 1]
        return c.decode("ascii") if self._bytes else c  # type: ignore[no-any-return]

    def _key(self, i: int) -> tuple[str, int]:
        """The string that starts at `i` (its opening quote) and the offset after it, as `scanstring` gives them."""
        if not self._bytes:
            return _scanstring(self.text, i + 1)  # type: ignore[no-any-return]
        m = _STRING_BYTES.match(self.text, i)
        if m is None:
            raise ValueError("not a string")
        return json.loads(m.group()), m.end()

    def _children_of(self, path: tuple[PathKey, ...], start: int) -> dict[PathKey, tuple[int, int]] | None:
        found = self._children.get(path)
        if found is not None:
            return found
        opener = self._char(start)
        if opener not in ("{", "["):
            return None
        children = self._indented(path, start, opener)
        if children is None:
            window = self._window(start) if self._bytes else None
            if window is not None:  # only this container decoded: its offsets moved back by `start`
                stepped = _stepped(window, 0, opener).items()
                children = {name: (key_at + start, at + start) for name, (key_at, at) in stepped}
            else:
                if self._bytes:  # the decoder skips values only in a `str`: go on with the decoded text
                    self.text = bytes(self.text).decode("ascii")
                    self._bytes, self._ws, self._nl = False, _WS, "\n"
                children = _stepped(self.text, start, opener)
        self._children[path] = children
        return children

    def _window(self, start: int) -> str | None:
        """The decoded text of the pretty-printed container at `start` (up to its own closing line), or None.

        Used when its children do not match the data by indentation (a dropped secret
        key): the decoder then steps through this container alone, not the whole file.
        """
        _, closing = self._closing(start, start)
        if closing is None:
            return None
        window = bytes(self.text[start : closing.end()]).decode("ascii")
        try:
            _, end = _DECODER.raw_decode(window)
        except (ValueError, RecursionError):
            return None
        return window if end == len(window) else None  # exactly one value: the container, whole

    def _closing(self, start: int, after: int) -> tuple[int, Any]:
        """The indentation of the line the container at `start` opens on, and the first line from `after` that
        closes a container at that indentation (its own closing line, when pretty-printed), or None."""
        text = self.text
        line = text.rfind(self._nl, 0, start) + 1
        own: int = (_SPACES_BYTES if self._bytes else _SPACES).match(text, line).end() - line  # type: ignore[union-attr]
        # spaces written out, not counted ({n}): the regex engine then scans for the whole line start at once
        return own, self._pattern("\n" + " " * own + "[\\]}]").search(text, after)

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
        text, ws, nl = self.text, self._ws, self._nl
        spaces: Any = _SPACES_BYTES if self._bytes else _SPACES
        first = ws.match(text, start + 1).end()
        own, closing = self._closing(start, first)
        child_line = text.rfind(nl, start, first) + 1
        if not child_line or spaces.match(text, child_line).end() != first:
            return None
        step = first - child_line
        if step <= own:
            return None
        if closing is None:
            return None
        starts = [first] if self._char(first) not in ("]", "}") else []
        # the lines one step in, but for a multi-line child's own closing line
        inner = self._pattern("\n" + " " * step + "(?![ \\]}])")
        starts += [m.end() for m in inner.finditer(text, first, closing.start())]
        children: dict[PathKey, tuple[int, int]] = {}
        if opener == "[":
            if len(starts) != len(node):
                return None
            for index, i in enumerate(starts):
                children[index] = (i, i)
            return children
        try:
            for i in starts:
                if self._char(i) != '"':
                    return None
                key, j = self._key(i)
                j = ws.match(text, j).end()
                if self._char(j) != ":":
                    return None
                children[key] = (i, ws.match(text, j + 1).end())
        except (ValueError, IndexError):
            return None
        if len(children) != len(starts) or not isinstance(node, dict) or children.keys() != node.keys():
            return None
        return children

    def _pattern(self, source: str) -> re.Pattern[Any]:
        key = (source, self._bytes)
        found = _PATTERNS.get(key)
        if found is None:
            found = _PATTERNS[key] = re.compile(source.encode("ascii") if self._bytes else source)
        return found


def _stepped(text: str, start: int, opener: str) -> dict[PathKey, tuple[int, int]]:
    """The children of the container at `start`, stepped through with the decoder skipping each value."""
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
    return children


_SPACES = re.compile(" *")
_SPACES_BYTES = re.compile(b" *")
_PATTERNS: dict[tuple[str, bool], re.Pattern[Any]] = {}
