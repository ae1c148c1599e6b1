"""`$ref`s of an OpenAPI document: local pointers and files in the same repository, with positions.

A reference is followed to the document and key path where its target is written, so a
finding can point at that file's line. Remote references (http:, https:, //host) are
refused: policycheck reads no network. A file outside the repository (the nearest
parent with `.git`, else the document's own directory) is refused too.
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple
from urllib.parse import unquote

from ..errors import InputError, shown
from .limits import Limits
from .source import Document, load, read_bytes

MAX_HOPS = 32


class Node(NamedTuple):
    """A value and where it is written: its document and the keys from that document's root."""

    value: Any
    doc: Document
    keys: tuple[str | int, ...]

    def child(self, key: str | int) -> Node:
        return Node(self.value[key], self.doc, (*self.keys, key))

    def fail(self, message: str, *more: str | int) -> InputError:
        line, column = self.doc.locate((*self.keys, *more))
        return InputError(self.doc.path, message, line, column)


def repository_root(path: str) -> str:
    here = os.path.dirname(os.path.abspath(path))
    start = here
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return start
        here = parent


class Refs:
    """Loads the documents that references name, once each."""

    def __init__(self, root: Document, real_path: str, limits: Limits):
        self.limits = limits
        self.base = os.path.realpath(repository_root(real_path))
        self.real = {root.path: os.path.realpath(real_path)}
        self.docs: dict[str, Document] = {os.path.realpath(real_path): root}

    def follow(self, node: Node) -> Node:
        """The target of `node` when it is a {$ref: ...} (followed to the end), else `node`."""
        for _ in range(MAX_HOPS):
            if not (isinstance(node.value, dict) and isinstance(node.value.get("$ref"), str)):
                return node
            node = self._target(node, node.value["$ref"])
        raise node.fail(f"more than {MAX_HOPS} $ref hops (a reference cycle?)", "$ref")

    def _target(self, node: Node, ref: str) -> Node:
        lowered = ref.lower()
        if "://" in lowered or lowered.startswith("//"):
            raise node.fail(
                "remote $ref refused (policycheck reads no network): save the document in the repository "
                "and refer to it by a relative path",
                "$ref",
            )
        file_part, _, pointer = ref.partition("#")
        doc = node.doc if not file_part else self._load(node, unquote(file_part))
        target = Node(doc.data, doc, ())
        for raw in (p for p in pointer.split("/")[1:] if pointer.startswith("/")) if pointer else ():
            key = unquote(raw).replace("~1", "/").replace("~0", "~")
            value = target.value
            if isinstance(value, dict) and key in value:
                target = target.child(key)
            elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
                target = target.child(int(key))
            else:
                raise node.fail(f"$ref target not found: {shown(pointer, 80)!r} in {doc.path}", "$ref")
        if pointer and not pointer.startswith("/"):
            raise node.fail("expected a JSON pointer after # in $ref (#/components/...)", "$ref")
        return target

    def _load(self, node: Node, relative: str) -> Document:
        here = os.path.dirname(self.real.get(node.doc.path, os.path.abspath(node.doc.path)))
        real = os.path.realpath(os.path.join(here, relative))
        if os.path.commonpath([real, self.base]) != self.base:
            raise node.fail("$ref to a file outside the repository refused", "$ref")
        found = self.docs.get(real)
        if found is None:
            label = os.path.normpath(os.path.join(os.path.dirname(node.doc.path), relative))
            try:
                found = load(label, read_bytes(real, self.limits), self.limits)
            except InputError as e:
                if e.line is None and e.message in ("no such file", "not a regular file"):
                    raise node.fail(f"$ref names {shown(relative, 80)!r}: {e.message}", "$ref") from None
                raise
            self.docs[real] = found
            self.real[found.path] = real
        return found
