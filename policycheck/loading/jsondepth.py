"""JSON nesting depth, counted explicitly rather than left to a RecursionError.

Up to Python 3.12, `json.loads` raised RecursionError near the interpreter's default
recursion limit (1000); 3.13 parses much deeper (its C recursion guard is the stack),
so a limit that relied on the exception silently disappeared. The limit is now
counted: `[` and `{` outside strings, before anything parses the text.
"""

from __future__ import annotations

import re

MAX_JSON_DEPTH = 1000
"""The default recursion limit, which is what `json.loads` enforced before 3.13."""

# a string (an unterminated one runs to the end: the text is invalid JSON then) or a bracket
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


def too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when containers nest more than `limit` deep in the JSON `text` (strings are skipped)."""
    return deeper_at(text, limit) is not None


def deeper_at(text: str, limit: int) -> int | None:
    """The offset of the first `[` or `{` that opens a container deeper than `limit` (strings skipped)."""
    if text.count("[") + text.count("{") <= limit:  # the common case, at the speed of str.count
        return None
    depth = 0
    for match in _TOKEN.finditer(text):
        c = match.group()
        if c == "[" or c == "{":
            depth += 1
            if depth > limit:
                return match.start()
        elif c == "]" or c == "}":
            depth -= 1
    return None


def max_depth(data: object, limit: int = MAX_JSON_DEPTH) -> int:
    """The nesting depth of parsed JSON data (containers in containers), counted up to limit + 1."""
    deepest = 0
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: list[object] = [v for v in node.values() if isinstance(v, (dict, list))]
        elif isinstance(node, list):
            children = [v for v in node if isinstance(v, (dict, list))]
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((v, depth + 1) for v in children)
    return deepest
