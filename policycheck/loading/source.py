"""Input files as plain data that remembers where every key and item came from.

YAML is composed into nodes (the libyaml C loader when present), the node graph
is checked for alias bombs, recursive aliases and depth before anything is
built, and then it is constructed here with JSON types only: string keys, no
duplicate keys, no dates (they stay strings), no tags other than the core ones,
and no YAML 1.1 booleans spelled yes/no/on/off. JSON goes through `json` with
duplicate keys and NaN refused; its line numbers are found by a scanner only
when somebody asks for one.

Keys named in `drop_keys` (client secrets, keys) are skipped wherever they
appear: their values are never constructed, so they cannot reach any output.
"""

from __future__ import annotations

import gc
import json
import math
import os
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import compress
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import InputError, line_column
from ..errors import shown as _short
from .jsondepth import MAX_JSON_DEPTH, deeper_at, max_depth
from .jsonpos import JsonIndex
from .limits import Limits
from .secrets import CREDENTIAL_VALUES, NAMED_MAPPINGS, find_keys, holds_nothing, masked

if TYPE_CHECKING:
    import mmap

PathKey = str | int
Position = tuple[int, int]

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_YAML11_BOOL = re.compile(r"^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$")

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LOADER_NAME = _Base.__name__


class _Loader(_Base):  # type: ignore[misc]
    """The safe loader without the timestamp resolver: dates stay strings.

    Resolution is PyYAML's, with a shortcut: libyaml calls `resolve` in Python for every
    node, and a plain scalar whose first character starts no implicit type (most keys and
    names) is a string without trying the regular expressions. There are no path resolvers.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            if not _SHORTCUT or (implicit[0] and (not value or value[0] in _IMPLICIT_FIRST)):
                return str(super().resolve(kind, value, implicit))
            return _STR
        if not _SHORTCUT:
            return str(super().resolve(kind, value, implicit))
        return _MAP if kind is yaml.MappingNode else _SEQ

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        if not _SHORTCUT:
            super().descend_resolver(current_node, current_index)

    def ascend_resolver(self) -> None:
        if not _SHORTCUT:
            super().ascend_resolver()


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_IMPLICIT_FIRST = frozenset(k for k, v in _Loader.yaml_implicit_resolvers.items() if k and v)
_SHORTCUT = None not in _Loader.yaml_implicit_resolvers and not _Loader.yaml_path_resolvers
"""Only where PyYAML has no wildcard or path resolvers (true of every release so far)."""


@dataclass(frozen=True)
class Duplicate:
    keys: tuple[PathKey, ...]
    line: int
    column: int
    first_line: int


@dataclass
class Document:
    """Parsed data of one file with the positions of its keys and items."""

    path: str
    data: Any
    format: str
    duplicates: tuple[Duplicate, ...] = ()
    size: int = 0
    """Bytes of the file."""
    secrets: tuple[tuple[str, int, int], ...] = ()
    """(key, line, column) of each dropped secret that was not masked: its value was never kept."""
    dropped: dict[int, frozenset[str]] = field(default_factory=dict, repr=False)
    """id of a mapping of `data` -> the dropped keys it held with something in them (masked or not): presence only."""
    _children: dict[int, Any] | None = field(default=None, repr=False)
    _text: str | None = field(default=None, repr=False)
    _index: JsonIndex | None = field(default=None, repr=False)
    _file: tuple[str, int, int, int, bool] | None = field(default=None, repr=False)
    """(path, size, mtime_ns, inode, ASCII) of the file the text can be read again from, once set aside."""

    def set_aside(self) -> None:
        """Let go of the text of a large JSON file that can be read again (its positions then re-read it).

        The text of a large export is the largest thing kept after parsing (a 139 MB
        file at 100,000 applications). It is needed only to locate the findings; the
        file is read again for that, if it is unchanged since it was parsed (else
        positions are unknown: 1:1).
        """
        if self._file is not None and self._children is None:
            self._text = None
            self._index = None

    def keep_file(self, path: str, stamp: os.stat_result) -> None:
        """Mark the text as one that `path` holds (read at `stamp`), so that it may be set aside."""
        if self.format == "json" and self._children is None and self.size >= SET_ASIDE_BYTES:
            text = self._text or ""
            ascii = text.isascii() and len(text) == stamp.st_size  # no byte order mark either
            self._file = (path, stamp.st_size, stamp.st_mtime_ns, stamp.st_ino, ascii)

    def dropped_from(self, node: Any) -> frozenset[str]:
        """The dropped keys that `node` (a mapping of `data`) held with a value: their presence, never the value."""
        return self.dropped.get(id(node), frozenset())

    def locate(self, keys: Sequence[PathKey]) -> Position:
        """Line and column (1-based) of the deepest known point along `keys`."""
        if self._children is None:
            if self._index is None:
                self._index = JsonIndex(self._text if self._text is not None else self._read_again(), self.data)
            return self._index.locate(keys)
        node, pos = self.data, (1, 1)
        for key in keys:
            children = self._children.get(id(node))
            if children is None:
                break
            try:
                pos = children[key]
                node = node[key]
            except (KeyError, IndexError, TypeError):
                break
        return pos

    def _read_again(self) -> str | mmap.mmap:
        """The text again: an ASCII file is mapped (its bytes are its characters), any other one decoded.

        A mapping reads the file's pages from the system's cache as they are needed,
        where decoding a copy would first allocate and fill twice its size (0.9 s of
        page faults for a 139 MB export at 100,000 applications on these machines).
        A file cut short while it is mapped would end the process (SIGBUS); one
        changed before it is mapped is told by its size, time and inode.
        """
        if self._file is None:
            return ""
        path, size, mtime, inode, ascii = self._file
        try:
            with open(path, "rb") as f:
                st = os.fstat(f.fileno())
                if (st.st_size, st.st_mtime_ns, st.st_ino) != (size, mtime, inode):
                    return ""  # changed since it was parsed: its offsets would not be the data's
                if ascii:
                    import mmap

                    return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)  # stays open after f closes
                return f.read().decode("utf-8-sig")
        except (OSError, ValueError):  # ValueError: UnicodeDecodeError, or a file emptied meanwhile
            return ""


SET_ASIDE_BYTES = 8 << 20
"""JSON files at least this large have their text set aside after loading (`Document.set_aside`)."""


def read_bytes(path: str, limits: Limits) -> bytes:
    return read_stamped(path, limits)[0]


def read_stamped(path: str, limits: Limits) -> tuple[bytes, os.stat_result]:
    """The bytes of the file at `path`, and its status when it was read (to tell later whether it changed)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror}") from None
    if not os.path.isfile(path):
        raise InputError(path, "not a regular file")
    if st.st_size > limits.max_file_bytes:
        raise InputError(
            path,
            f"file is {st.st_size} bytes, over the limit of {limits.max_file_bytes} (raise it with --max-file-size)",
        )
    try:
        with open(path, "rb") as f:
            raw = f.read(limits.max_file_bytes + 1)
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror}") from None
    if len(raw) > limits.max_file_bytes:
        raise InputError(path, f"file is over the limit of {limits.max_file_bytes} bytes")
    return raw, st


def load(
    path: str, raw: bytes, limits: Limits, drop_keys: frozenset[str] = frozenset(), as_json: bool | None = None
) -> Document:
    """Parse `raw` as JSON when the name ends in .json (or `as_json`), else as YAML."""
    json_text = path.endswith(".json") if as_json is None else as_json
    doc = _load_json(path, raw, limits, drop_keys) if json_text else _load_yaml(path, raw, limits, drop_keys)
    doc.size = len(raw)
    return doc


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Parsed trees have no cycles: the collector only slows a large load down (2x measured)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- YAML -----------------------------------------------------------------


def byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    """Line and column (1-based, in characters as far as they decode) of a byte offset."""
    encoding = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}.get(raw[:2], "utf-8")
    prefix = raw[: max(offset, 0)].decode(encoding, "replace").removeprefix("\ufeff")
    return prefix.count("\n") + 1, len(prefix) - (prefix.rfind("\n") + 1) + 1


def _bad_sequence(raw: bytes, offset: int) -> int:
    """Where the undecodable UTF-8 sequence that ends at `offset` starts (libyaml names its last byte)."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16: libyaml's offset stands
        return offset
    try:
        raw[: offset + 1].decode("utf-8")
    except UnicodeDecodeError as e:
        return min(e.start, offset)
    return offset


def char_position(raw: bytes, offset: int) -> tuple[int, int]:
    """Line and column (1-based) of a character offset into the decoded text."""
    prefix = raw.decode("utf-8", "replace")[: max(offset, 0)]
    return prefix.count("\n") + 1, offset - (prefix.rfind("\n") + 1) + 1


def _load_yaml(path: str, raw: bytes, limits: Limits, drop_keys: frozenset[str]) -> Document:
    with _gc_paused():
        loader = _Loader(raw)
        try:
            try:
                root = loader.get_single_node()
            except yaml.MarkedYAMLError as e:
                mark = e.problem_mark or e.context_mark
                what = e.problem or e.context or "invalid YAML"
                if "expected a single document" in (e.context or ""):
                    what = "several YAML documents in one file; put one document in each file"
                raise InputError(path, f"invalid YAML: {what}", *_mark(mark)) from None
            except yaml.reader.ReaderError as e:
                # libyaml counts bytes; PyYAML counts bytes for a decoding error, characters otherwise
                in_bytes = LOADER_NAME == "CSafeLoader" or isinstance(e.character, int)
                where = (
                    byte_position(raw, _bad_sequence(raw, e.position)) if in_bytes else char_position(raw, e.position)
                )
                raise InputError(path, f"invalid YAML: {e.reason} (not UTF-8/UTF-16 text?)", *where) from None
            except yaml.YAMLError:
                raise InputError(path, "invalid YAML") from None
        finally:
            loader.dispose()
        if root is None:
            raise InputError(path, "the file is empty; expected a mapping", 1, 1)
        if b"&" in raw:  # anchors exist, so aliases may share or loop: check before building
            _check_graph(path, root, limits)
        builder = _YamlBuilder(path, loader, limits, drop_keys)
        data = builder.build(root, 0)
    return Document(
        path,
        data,
        "yaml",
        tuple(builder.duplicates),
        secrets=tuple(builder.secrets),
        dropped={k: frozenset(v) for k, v in builder.dropped.items()},
        _children=builder.children,
    )


def _present(value: Any) -> bool:
    """A dropped value that holds something (masked or not): null, empty text and empty lists hold nothing."""
    return value is not None and value != "" and value != [] and value != {}


def _holds_nothing(node: yaml.Node) -> bool:
    """The node of a secret key's value shows no secret (null, masked, empty, a secret reference)."""
    if isinstance(node, yaml.ScalarNode):
        return node.tag == _NULL or masked(node.value)
    if isinstance(node, yaml.MappingNode):
        names = {k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
        return not node.value or (len(names) == len(node.value) and holds_nothing(dict.fromkeys(names, "")))
    if not isinstance(node, yaml.SequenceNode):
        return False
    # a list whose every item holds nothing (client_secret: ['${{ env "DECK_OIDC_SECRET" }}'])
    return all(
        _placeholder_credential(item) if isinstance(item, yaml.MappingNode) else _holds_nothing(item)
        for item in node.value
    )


def _empty_node(node: yaml.Node) -> bool:
    """A secret key's node that holds nothing at all (null, empty text, an empty list or mapping)."""
    if isinstance(node, yaml.ScalarNode):
        return node.tag == _NULL or node.value == ""
    return not node.value


def _placeholder_credential(node: yaml.Node) -> bool:
    """One credential of a list (Kong's keyauth_credentials) whose secret fields are all placeholders."""
    if not isinstance(node, yaml.MappingNode):
        return False
    fields = [(k.value, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value in CREDENTIAL_VALUES]
    return bool(fields) and all(_holds_nothing(v) for _, v in fields)


def _mark(mark: Any) -> tuple[int | None, int | None]:
    if mark is None:
        return None, None
    return mark.line + 1, mark.column + 1


def _check_graph(path: str, root: yaml.Node, limits: Limits) -> None:
    """Iterative: recursive aliases and expanded size over the shared node graph (depth: the builder)."""
    size: dict[int, int] = {}
    on_path: set[int] = set()
    unique = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(k)] for k in _kids(node))
            continue
        if key in on_path:
            raise InputError(path, "recursive alias: a node contains itself", *_mark(node.start_mark))
        if key in size:
            continue
        unique += 1
        on_path.add(key)
        stack.append((node, True))
        for kid in _kids(node):
            stack.append((kid, False))
    expanded = size[id(root)]
    if expanded - unique > limits.max_alias_nodes:
        raise InputError(
            path,
            f"aliases expand to {expanded} nodes from {unique}; over the budget of "
            f"{limits.max_alias_nodes} (an alias bomb?)",
            *_mark(root.start_mark),
        )


def _kids(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


class _YamlBuilder:
    def __init__(self, path: str, loader: Any, limits: Limits, drop_keys: frozenset[str]):
        self.path = path
        self.loader = loader
        self.limits = limits
        self.drop_keys = drop_keys
        self.children: dict[int, Any] = {}
        self.duplicates: list[Duplicate] = []
        self.secrets: list[tuple[str, int, int]] = []
        self.dropped: dict[int, set[str]] = {}
        self.keys: list[PathKey] = []

    def fail(self, node: yaml.Node, message: str) -> InputError:
        return InputError(self.path, message, *_mark(node.start_mark))

    def build(self, node: yaml.Node, depth: int) -> Any:
        """`depth`: containers around `node`; the limit counts containers, as for JSON."""
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if depth >= self.limits.max_depth:
            raise self.fail(node, f"nesting deeper than {self.limits.max_depth} levels")
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise self.fail(node, f"unsupported tag {_short(node.tag)}; only plain YAML values are allowed")
            items: list[Any] = []
            marks: list[Position] = []
            for i, item in enumerate(node.value):
                self.keys.append(i)
                items.append(self.build(item, depth + 1))
                self.keys.pop()
                marks.append((item.start_mark.line + 1, item.start_mark.column + 1))
            self.children[id(items)] = marks
            return items
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, depth)
        raise self.fail(node, "unsupported YAML node")

    def mapping(self, node: yaml.MappingNode, depth: int) -> dict[str, Any]:
        if node.tag != _MAP:
            raise self.fail(node, f"unsupported tag {_short(node.tag)}; only plain YAML values are allowed")
        out: dict[str, Any] = {}
        marks: dict[str, Position] = {}
        merged: list[tuple[str, Any, Position]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.extend(self.merge_sources(value_node, depth))
                continue
            key = key_node.value if key_node.tag == _STR else self.key(key_node)
            mark = key_node.start_mark
            pos = (mark.line + 1, mark.column + 1)
            if key in marks:
                self.duplicates.append(Duplicate((*self.keys, key), pos[0], pos[1], marks[key][0]))
            marks[key] = pos
            if key in self.drop_keys and not (self.keys and self.keys[-1] in NAMED_MAPPINGS):
                out.pop(key, None)  # the value is never built
                if not _holds_nothing(value_node):
                    self.secrets.append((key, *pos))
                if not _empty_node(value_node):
                    self.dropped.setdefault(id(out), set()).add(key)
                continue
            if value_node.tag == _STR and isinstance(value_node, yaml.ScalarNode):
                out[key] = value_node.value  # the common case, without a call
                continue
            self.keys.append(key)
            out[key] = self.build(value_node, depth + 1)
            self.keys.pop()
        for key, value, pos in merged:
            if key not in marks:
                out[key] = value
                marks[key] = pos
        self.children[id(out)] = marks
        return out

    def merge_sources(self, node: yaml.Node, depth: int) -> list[tuple[str, Any, Position]]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        found: list[tuple[str, Any, Position]] = []
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                raise self.fail(source, "a merge key (<<) needs a mapping or a list of mappings")
            built = self.mapping(source, depth)
            pos = (source.start_mark.line + 1, source.start_mark.column + 1)
            found.extend((k, v, pos) for k, v in built.items())
        return found

    def key(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, "keys must be strings, not lists or mappings")
        if node.tag == _STR:
            return str(node.value)
        if node.tag == _BOOL and _YAML11_BOOL.match(node.value):
            raise self.fail(node, f"key {node.value!r} is read as a boolean by YAML 1.1; quote it: '{node.value}'")
        raise self.fail(node, f"keys must be strings; quote {_short(node.value)!r}")

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _BOOL:
            if _YAML11_BOOL.match(node.value):
                raise self.fail(
                    node,
                    f"{node.value!r} is read as a boolean by YAML 1.1; write true/false, "
                    f"or quote it for the text '{node.value}'",
                )
            return self.loader.construct_yaml_bool(node)
        if tag == _INT:
            if ":" in node.value:
                raise self.fail(node, f"{node.value!r} is read as a base-60 number by YAML 1.1; quote it")
            return self.loader.construct_yaml_int(node)
        if tag == _FLOAT:
            value = self.loader.construct_yaml_float(node)
            if not math.isfinite(value):
                raise self.fail(node, "NaN and infinity are not valid values")
            return value
        if tag == _NULL:
            return None
        raise self.fail(node, f"unsupported tag {_short(tag)}; only plain YAML values are allowed")


# --- JSON -----------------------------------------------------------------


def _load_json(path: str, raw: bytes, limits: Limits, drop_keys: frozenset[str]) -> Document:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(path, f"not UTF-8 text (byte {e.start})", *byte_position(raw, e.start)) from None
    fast = _load_json_fast(path, text, limits, drop_keys)
    if fast is not None:
        return fast
    saw_duplicate = False
    holders: dict[int, dict[str, Any]] = {}  # objects holding a dropped key, until their parent is seen
    kept: set[str] = set()  # secret-like names kept as names (an environment called "secret")

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal saw_duplicate
        out: dict[str, Any] = {}
        seen: set[str] = set()
        for k, v in items:
            if k in seen:
                saw_duplicate = True
            seen.add(k)
            if k in drop_keys:
                out[k] = _Dropped(v)  # removed below unless this object is keyed by names
                holders[id(out)] = out
            else:
                out[k] = v
                if holders and k in NAMED_MAPPINGS and type(v) is dict and holders.pop(id(v), None) is not None:
                    for name, value in v.items():
                        if type(value) is _Dropped:
                            v[name] = value.value
                            kept.add(name)
        return out

    def constant(name: str) -> Any:
        raise _Refused(f"{name} is not valid JSON", re.escape(name))

    def number(literal: str) -> float:
        value = float(literal)
        if not math.isfinite(value):
            raise _Refused("a number too large for a float is not valid here", re.escape(literal))
        return value

    with _gc_paused():
        try:
            data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant, parse_float=number)
        except json.JSONDecodeError as e:
            raise InputError(path, f"invalid JSON: {e.msg}", e.lineno, e.colno) from None
        except RecursionError:
            raise InputError(path, "JSON nested too deeply", *_offset(text, deeper_at(text, MAX_JSON_DEPTH))) from None
        except _Refused as e:
            raise InputError(path, f"invalid JSON: {e}", *_first(text, e.token)) from None
        except ValueError:  # the int-digits limit; its text is Python's, not ours to show
            raise InputError(path, "invalid JSON: a number with too many digits", *_first(text, r"\d{4000}")) from None
        reported: set[str] = set()
        dropped: dict[int, frozenset[str]] = {}
        for holder in holders.values():  # the values of secret keys are let go here, unread
            names = [k for k, v in holder.items() if type(v) is _Dropped]
            _let_go(holder, {name: holder[name].value for name in names}, reported, dropped)
        holders.clear()
    _check_json_depth(path, data, limits, text)
    doc = Document(path, data, "json", dropped=dropped, _text=text)
    if saw_duplicate or reported & kept:  # positions of every key: exact when names are also kept as data
        doc._children, duplicates = _scan_json(text, data)
        doc.duplicates = tuple(duplicates)
    doc.secrets = tuple(find_keys(text, reported - kept)) + _kept_too(doc, reported & kept)
    return doc


def _load_json_fast(path: str, text: str, limits: Limits, drop_keys: frozenset[str]) -> Document | None:
    """The common case at C speed: json.loads builds the objects, one walk drops the secret keys.

    None (the caller parses again with a hook on every object) when the text may hold a
    duplicate key, which only the hook sees: the keys in the text are counted from above
    (every key is a string followed by optional whitespace and a colon; inside strings a
    quote is escaped, so extra matches only over-count) and compared with the keys parsed.
    Errors are left to the careful path, which words them.
    """
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
    except (ValueError, RecursionError):
        return None
    with _gc_paused():
        walked = _walk_json(data, limits, drop_keys)
        if walked is None:  # too deep: the careful path words it
            return None
        keys, holders, named = walked
        if keys != text.count('":') + len(_SPACED_KEY.findall(text)):
            return None
        reported: set[str] = set()
        kept: set[str] = set()
        dropped: dict[int, frozenset[str]] = {}
        for holder in reversed(holders):  # deepest first, as the hook meets them; values let go unread
            found = drop_keys.intersection(holder)
            if id(holder) in named:
                kept.update(found)  # names (an environment called "secret"), kept as data
                continue
            _let_go(holder, {name: holder[name] for name in found}, reported, dropped)
    doc = Document(path, data, "json", dropped=dropped, _text=text)
    if reported & kept:  # positions of every key: exact when names are also kept as data
        doc._children, _ = _scan_json(text, data)
    doc.secrets = tuple(find_keys(text, reported - kept)) + _kept_too(doc, reported & kept)
    return doc


def _let_go(
    holder: dict[str, Any], values: dict[str, Any], reported: set[str], dropped: dict[int, frozenset[str]]
) -> None:
    """Drop the secret keys `values` from `holder`: which held a secret (`reported`) and which were present
    at all (`dropped`, by holder: Kong counts a credential's presence, never its value)."""
    present = set()
    for name, value in values.items():
        del holder[name]
        if not holds_nothing(value):
            reported.add(name)
        if _present(value):
            present.add(name)
    if present:
        dropped[id(holder)] = frozenset(present)


_SPACED_KEY = re.compile(r'"\s+:')


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


def _finite(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise ValueError(literal)
    return value


def _walk_json(
    data: Any, limits: Limits, drop_keys: frozenset[str]
) -> tuple[int, list[dict[str, Any]], set[int]] | None:
    """One level at a time: the number of keys, the objects holding a secret key, and the objects keyed by
    names (the values of NAMED_MAPPINGS keys); None when the nesting is deeper than the limit."""
    keys = 0
    holders: list[dict[str, Any]] = []
    named: set[int] = set()
    level: list[Any] = [data] if type(data) in _CONTAINERS else []
    depth = 1
    while level:
        if depth > limits.max_depth:
            return None
        below: list[Any] = []
        for node in level:
            if type(node) is dict:
                keys += len(node)
                if not NAMED_MAPPINGS.isdisjoint(node):
                    for k in NAMED_MAPPINGS.intersection(node):
                        if type(node[k]) is dict:
                            named.add(id(node[k]))
                if not drop_keys.isdisjoint(node):
                    holders.append(node)
                values = node.values()
                below.extend(compress(values, map(_IS_CONTAINER, map(type, values))))  # C loops, no frame per value
            else:
                below.extend(compress(node, map(_IS_CONTAINER, map(type, node))))
        level = below
        depth += 1
    return keys, holders, named


class _Dropped:
    """A secret key's value, held only until the parser knows whether its object is keyed by names."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


def _kept_too(doc: Document, names: set[str]) -> tuple[tuple[str, int, int], ...]:
    """Secrets of a name that the file also uses as a name (rare): told apart by the positions of the full scan."""
    if not names:
        return ()
    children = doc._children or {}
    kept: set[tuple[int, int]] = set()
    stack: list[Any] = [doc.data]
    while stack:  # where the names still in the data (kept as names) stand
        node = stack.pop()
        if isinstance(node, dict):
            kept.update(children.get(id(node), {})[k] for k in names & node.keys() if k in children.get(id(node), {}))
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return tuple(f for f in find_keys(doc._text or "", names) if (f[1], f[2]) not in kept)


class _Refused(ValueError):
    def __init__(self, message: str, token: str):
        super().__init__(message)
        self.token = token


def _first(text: str, pattern: str) -> tuple[int | None, int | None]:
    """Line and column of the first match (outside strings, nearly always), for a message."""
    m = re.search(pattern, text)
    if m is None:
        return None, None
    line = text.count("\n", 0, m.start()) + 1
    return line, m.start() - text.rfind("\n", 0, m.start())


def _offset(text: str, offset: int | None) -> tuple[int | None, int | None]:
    return (None, None) if offset is None else line_column(text, offset)


def _check_json_depth(path: str, data: Any, limits: Limits, text: str) -> None:
    """Containers nested in containers, counted as for YAML: one level at a time, at C speed."""
    level: list[Any] = [data] if type(data) in (dict, list) else []
    depth = 1
    while level:
        if depth > limits.max_depth:
            if max_depth(data) > MAX_JSON_DEPTH:  # json.loads stopped there before Python 3.13; now it is counted
                raise InputError(path, "JSON nested too deeply", *_offset(text, deeper_at(text, MAX_JSON_DEPTH)))
            where = _offset(text, deeper_at(text, limits.max_depth))
            raise InputError(path, f"nesting deeper than {limits.max_depth} levels", *where)
        below: list[Any] = []
        for node in level:
            below.extend(v for v in (node.values() if type(node) is dict else node) if type(v) in _CONTAINERS)
        level = below
        depth += 1


_CONTAINERS = (dict, list)
_IS_CONTAINER = frozenset(_CONTAINERS).__contains__


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


def _scan_json(text: str, data: Any) -> tuple[dict[int, Any], list[Duplicate]]:
    """Positions of every key and item of a JSON text already parsed into `data`."""
    newlines = [m.start() for m in re.finditer("\n", text)]
    children: dict[int, Any] = {}
    duplicates: list[Duplicate] = []
    # stack entries: [container or None, children, keys path, current key, expecting a key]
    stack: list[list[Any]] = []

    def position(offset: int) -> Position:
        line = bisect_right(newlines, offset - 1)
        start = newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1

    def value_start(offset: int) -> tuple[Any, Position] | None:
        if not stack:
            return data, (1, 1)
        top = stack[-1]
        container, kids = top[0], top[1]
        if isinstance(kids, dict):
            key = top[3]
            pos = kids.get(key) if key is not None else None
            child = container.get(key) if isinstance(container, dict) else None
            return child, pos or position(offset)
        pos = position(offset)
        kids.append(pos)
        index = len(kids) - 1
        child = container[index] if isinstance(container, list) and index < len(container) else None
        return child, pos

    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        if stack and isinstance(stack[-1][1], dict) and stack[-1][4]:
            top = stack[-1]
            if tok == "}":
                stack.pop()
                continue
            if tok == ",":
                continue
            if tok.startswith('"'):
                try:
                    key = json.loads(tok)
                except ValueError:
                    key = tok
                pos = position(m.start())
                if key in top[1]:
                    duplicates.append(Duplicate((*top[2], key), pos[0], pos[1], top[1][key][0]))
                top[1][key] = pos
                top[3], top[4] = key, False
            continue
        if tok == ":":
            continue
        if tok == ",":
            if stack and isinstance(stack[-1][1], dict):
                stack[-1][4] = True
            continue
        if tok in ("}", "]"):
            if stack:
                stack.pop()
            continue
        found = value_start(m.start())
        child = found[0] if found else None
        parent_keys = stack[-1][2] if stack else ()
        if stack:
            top = stack[-1]
            here = (*parent_keys, top[3]) if isinstance(top[1], dict) else (*parent_keys, len(top[1]) - 1)
        else:
            here = ()
        if tok == "{":
            kids: dict[str, Position] = {}
            if isinstance(child, dict):
                children[id(child)] = kids
            stack.append([child, kids, here, None, True])
        elif tok == "[":
            items: list[Position] = []
            if isinstance(child, list):
                children[id(child)] = items
            stack.append([child, items, here, None, False])
    return children, duplicates
