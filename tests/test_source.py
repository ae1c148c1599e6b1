"""loading/source.py: YAML and JSON text -> plain data that remembers where each key and item is."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from policycheck.errors import InputError
from policycheck.loading.limits import Limits
from policycheck.loading.source import Document, Duplicate, load

LIMITS = Limits()
SECRETS = frozenset({"client_secret", "cs", "saak", "sask"})
SENTINEL = "SENTINEL-SECRET-123"


def yaml_doc(text: str, drop: frozenset[str] = frozenset(), limits: Limits = LIMITS) -> Document:
    return load("f.yaml", text.encode(), limits, drop)


def json_doc(text: str, drop: frozenset[str] = frozenset(), limits: Limits = LIMITS) -> Document:
    return load("f.json", text.encode(), limits, drop)


def load_error(path: str, raw: bytes, limits: Limits = LIMITS) -> InputError:
    with pytest.raises(InputError) as caught:
        load(path, raw, limits)
    return caught.value


# --- positions: YAML ---------------------------------------------------------

NESTED_YAML = """\
top:
  b/c: 1
  d~e: [x, y]
  '😀k': {z: 1}
  x😀: v
items:
  - name: first
  - name: second
    tags:
      - a
      - b
"""


@pytest.mark.parametrize(
    ("keys", "position"),
    [
        ([], (1, 1)),
        (["top"], (1, 1)),
        (["top", "b/c"], (2, 3)),  # '/' in a key is just a character, no pointer escaping
        (["top", "d~e"], (3, 3)),  # '~' likewise
        (["top", "d~e", 0], (3, 9)),  # flow list items
        (["top", "d~e", 1], (3, 12)),
        (["top", "😀k"], (4, 3)),
        (["top", "😀k", "z"], (4, 10)),  # columns count code points: the emoji is one column
        (["top", "x😀"], (5, 3)),
        (["items"], (6, 1)),
        (["items", 0], (7, 5)),  # a block list item: where its mapping starts
        (["items", 1], (8, 5)),
        (["items", 1, "name"], (8, 5)),
        (["items", 1, "tags"], (9, 5)),
        (["items", 1, "tags", 1], (11, 9)),
    ],
)
def test_yaml_positions(keys, position):
    doc = yaml_doc(NESTED_YAML)
    assert doc.format == "yaml"
    assert doc.locate(keys) == position


@pytest.mark.parametrize(
    ("keys", "position"),
    [
        (["nope"], (1, 1)),  # unknown at the top: the start of the file
        (["items", 1, "nope"], (8, 5)),  # the deepest known point along the keys
        (["items", 7], (6, 1)),
        (["top", "b/c", "below-a-scalar"], (2, 3)),
        (["items", "not-an-index"], (6, 1)),
    ],
)
def test_yaml_position_of_an_unknown_path_is_the_deepest_known_point(keys, position):
    assert yaml_doc(NESTED_YAML).locate(keys) == position


def test_yaml_columns_are_code_points_not_utf16_units_or_bytes():
    doc = yaml_doc("k: {'😀😀😀': {'é': 1, z: 2}}\n")
    # 'k: {' is 4 columns, the quoted key 5 more: 4 bytes (2 UTF-16 units) per emoji would shift z
    assert doc.locate(["k", "😀😀😀"]) == (1, 5)
    assert doc.locate(["k", "😀😀😀", "z"]) == (1, 21)


# --- positions: JSON ---------------------------------------------------------

NESTED_JSON = """\
{"top": {"b/c": 1,
         "d~e": ["x",
                 "y"],
 "😀k": {"z": 1}, "x😀": "v", "\\u00e9t\\u00e9": 2},
 "items": [{"name": "first"},
           {"name": "second", "tags": ["a", "b"]}]}
"""


@pytest.mark.parametrize(
    ("keys", "position"),
    [
        ([], (1, 1)),
        (["top"], (1, 2)),  # the key's opening quote
        (["top", "b/c"], (1, 10)),
        (["top", "d~e"], (2, 10)),
        (["top", "d~e", 0], (2, 18)),
        (["top", "d~e", 1], (3, 18)),
        (["top", "😀k"], (4, 2)),
        (["top", "😀k", "z"], (4, 9)),  # code points: the emoji is one column
        (["top", "x😀"], (4, 18)),
        (["top", "été"], (4, 29)),  # an escaped key is found by its value
        (["items"], (5, 2)),
        (["items", 1], (6, 12)),
        (["items", 1, "tags", 1], (6, 45)),
        (["items", 1, "nope"], (6, 12)),
    ],
)
def test_json_positions(keys, position):
    doc = json_doc(NESTED_JSON)
    assert doc.format == "json"
    assert doc.locate(keys) == position


def test_json_positions_with_crlf_line_ends():
    doc = json_doc('{"a": 1,\r\n "b": [1,\r\n  2]}')
    assert doc.locate(["b"]) == (2, 2)
    assert doc.locate(["b", 1]) == (3, 3)


def test_json_positions_skip_strings_that_look_like_structure():
    doc = json_doc('{"a": "x, y: [}{\\"]", "b": {"c": ["{", "]"]}}')
    assert doc.data == {"a": 'x, y: [}{"]', "b": {"c": ["{", "]"]}}
    assert doc.locate(["b"]) == (1, 23)
    assert doc.locate(["b", "c", 1]) == (1, 40)


# --- duplicate keys ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "duplicates"),
    [
        ("a: 1\nb: 2\na: 3\n", [Duplicate(("a",), 3, 1, 1)]),
        ("x:\n  a: 1\n  'a': 2\n", [Duplicate(("x", "a"), 3, 3, 2)]),  # quoting does not change a key
        ('x: {a: 1, "a": 2}\n', [Duplicate(("x", "a"), 1, 11, 1)]),  # flow mapping
        ("l:\n  - n: 1\n  - n: 1\n    m: 2\n    n: 3\n", [Duplicate(("l", 1, "n"), 5, 5, 3)]),
        ("a: 1\na: 2\na: 3\n", [Duplicate(("a",), 2, 1, 1), Duplicate(("a",), 3, 1, 2)]),
        ("a: 1\n'1': 2\nb: {x: 1, y: 2}\n", []),
    ],
)
def test_yaml_duplicate_keys_are_recorded_with_both_lines(text, duplicates):
    assert list(yaml_doc(text).duplicates) == duplicates


def test_yaml_duplicate_keeps_parsing_and_the_later_value():
    assert yaml_doc("a: 1\nb: 2\na: 3\n").data == {"a": 3, "b": 2}


@pytest.mark.parametrize(
    ("text", "duplicates"),
    [
        ('{"a": 1,\n "b": 2,\n "a": 3}', [Duplicate(("a",), 3, 2, 1)]),
        ('{"x": [{"a": 1},\n       {"b": 1,\n        "b": 2}]}', [Duplicate(("x", 1, "b"), 3, 9, 2)]),
        ('{"x": {"k": {"q": 1},\n       "k": {"r": 2}}}', [Duplicate(("x", "k"), 2, 8, 1)]),
        ('{"a": 1, "\\u0061": 2}', [Duplicate(("a",), 1, 10, 1)]),  # an escaped spelling
    ],
)
def test_json_duplicate_keys_are_recorded_with_both_lines(text, duplicates):
    doc = json_doc(text)
    assert list(doc.duplicates) == duplicates


def test_json_duplicate_positions_point_at_the_kept_value():
    doc = json_doc('{"x": {"k": {"q": 1},\n       "k": {"r": 2}}}')
    assert doc.data == {"x": {"k": {"r": 2}}}
    assert doc.locate(["x", "k", "r"]) == (2, 14)


def test_json_without_duplicates_records_none():
    assert json_doc('{"a": 1, "b": {"a": 1}}').duplicates == ()


# --- merge keys --------------------------------------------------------------


def test_merge_key_override_is_not_a_duplicate():
    doc = yaml_doc("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n")
    assert doc.data == {"base": {"x": 1, "y": 2}, "c": {"x": 1, "y": 3}}
    assert doc.duplicates == ()
    assert doc.locate(["c", "y"]) == (4, 3)  # the overriding key
    assert doc.locate(["c", "x"]) == (1, 7)  # merged: where the merged mapping is written


def test_merge_key_written_after_the_override_still_loses():
    doc = yaml_doc("c:\n  y: 3\n  <<: {x: 1, y: 2}\n")
    assert doc.data == {"c": {"y": 3, "x": 1}}
    assert doc.duplicates == ()


def test_merge_of_a_list_the_earlier_mapping_wins():
    doc = yaml_doc("c:\n  <<: [{x: 1, y: 2}, {y: 5, z: 3}]\n")
    assert doc.data == {"c": {"x": 1, "y": 2, "z": 3}}
    assert doc.duplicates == ()


def test_a_real_duplicate_beside_a_merge_is_still_found():
    doc = yaml_doc("base: &b {x: 1}\nc:\n  <<: *b\n  y: 3\n  y: 4\n")
    assert list(doc.duplicates) == [Duplicate(("c", "y"), 5, 3, 4)]


@pytest.mark.parametrize("text", ["a: {<<: 1}\n", "a: {<<: [1]}\n", "a: &x [1]\nb: {<<: *x}\n"])
def test_merge_of_a_non_mapping_is_an_input_error(text):
    assert "a merge key (<<) needs a mapping or a list of mappings" in str(load_error("f.yaml", text.encode()))


# --- YAML values stay JSON values --------------------------------------------


def test_dates_stay_strings():
    doc = yaml_doc("a: 2001-12-14\nb: 2001-12-14T21:59:43.10-05:00\nc: [2026-01-01]\n2026-02-03: x\n")
    assert doc.data == {"a": "2001-12-14", "b": "2001-12-14T21:59:43.10-05:00", "c": ["2026-01-01"], "2026-02-03": "x"}
    json.dumps(doc.data)  # a date object would not serialise


def test_plain_json_values_are_built():
    doc = yaml_doc("s: text\ni: 12\nf: 1.5\nt: true\nF: False\nn: null\ne: ~\nq: 'yes'\nl: []\nm: {}\n")
    assert doc.data == {
        "s": "text",
        "i": 12,
        "f": 1.5,
        "t": True,
        "F": False,
        "n": None,
        "e": None,
        "q": "yes",
        "l": [],
        "m": {},
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "a: yes\n",
            "f.yaml:1:4: 'yes' is read as a boolean by YAML 1.1; write true/false, or quote it for the text 'yes'",
        ),
        (
            "a: Off\n",
            "f.yaml:1:4: 'Off' is read as a boolean by YAML 1.1; write true/false, or quote it for the text 'Off'",
        ),
        ("on: x\n", "f.yaml:1:1: key 'on' is read as a boolean by YAML 1.1; quote it: 'on'"),
        ("a: 1:20\n", "f.yaml:1:4: '1:20' is read as a base-60 number by YAML 1.1; quote it"),
        ("1: x\n", "f.yaml:1:1: keys must be strings; quote '1'"),
        ("null: x\n", "f.yaml:1:1: keys must be strings; quote 'null'"),
        ("true: x\n", "f.yaml:1:1: keys must be strings; quote 'true'"),
        ("? [a, b]\n: x\n", "f.yaml:1:3: keys must be strings, not lists or mappings"),
        ("a: .nan\n", "f.yaml:1:4: NaN and infinity are not valid values"),
        ("a: -.inf\n", "f.yaml:1:4: NaN and infinity are not valid values"),
        (
            "a: !!binary aGVsbG8=\n",
            "f.yaml:1:4: unsupported tag tag:yaml.org,2002:binary; only plain YAML values are allowed",
        ),
        ("a: !!set {x, y}\n", "f.yaml:1:4: unsupported tag tag:yaml.org,2002:set; only plain YAML values are allowed"),
        (
            "a: !!timestamp 2001-01-01\n",
            "f.yaml:1:4: unsupported tag tag:yaml.org,2002:timestamp; only plain YAML values are allowed",
        ),
        ("a: !Ref b\n", "f.yaml:1:4: unsupported tag !Ref; only plain YAML values are allowed"),
        ("a: !Ref [b]\n", "f.yaml:1:4: unsupported tag !Ref; only plain YAML values are allowed"),
        ("a: !Ref {b: c}\n", "f.yaml:1:4: unsupported tag !Ref; only plain YAML values are allowed"),
    ],
)
def test_values_that_are_not_plain_json_are_input_errors(text, message):
    assert str(load_error("f.yaml", text.encode())) == message


def test_python_tags_are_never_constructed(tmp_path):
    marker = tmp_path / "pwned"
    text = f"a: !!python/object/apply:os.system ['touch {marker}']\nb: !!python/name:os.system\n"
    error = load_error("f.yaml", text.encode())
    assert str(error).startswith("f.yaml:1:4: unsupported tag tag:yaml.org,2002:python/object/apply")
    assert not marker.exists()


# --- secrets -----------------------------------------------------------------

SECRET_YAML = f"""\
app:
  id: a
  client_secret: "{SENTINEL}"
  cs: {SENTINEL}
  nested:
    - saak: {SENTINEL}
      sask: [{SENTINEL}, {{x: {SENTINEL}}}]
      kept: 1
  cs2: fine
"""


def test_yaml_secrets_are_dropped_everywhere():
    doc = yaml_doc(SECRET_YAML, SECRETS)
    assert doc.data == {"app": {"id": "a", "nested": [{"kept": 1}], "cs2": "fine"}}
    assert SENTINEL not in repr(doc)
    assert doc.locate(["app", "nested", 0, "kept"]) == (8, 7)


def test_yaml_secret_values_are_never_built_so_they_cannot_fail():
    """A tag, a YAML 1.1 boolean or a non-string key under a secret key is not even looked at."""
    text = (
        "a:\n  client_secret: !!python/object/apply:os.system ['false']\n"
        "  cs: yes\n  saak: {1: x}\n  sask: !Ref x\n  k: v\n"
    )
    assert yaml_doc(text, SECRETS).data == {"a": {"k": "v"}}


def test_yaml_secrets_are_dropped_from_merge_sources():
    doc = yaml_doc(f"base: &b {{cs: {SENTINEL}, x: 1}}\nc:\n  <<: *b\n  y: 2\n", SECRETS)
    assert doc.data == {"base": {"x": 1}, "c": {"x": 1, "y": 2}}


def test_yaml_duplicate_secret_key_is_recorded_without_its_value():
    doc = yaml_doc(f"a:\n  cs: {SENTINEL}\n  cs: {SENTINEL}\n", SECRETS)
    assert doc.data == {"a": {}}
    assert list(doc.duplicates) == [Duplicate(("a", "cs"), 3, 3, 2)]
    assert SENTINEL not in repr(doc)


def test_json_secrets_are_dropped_everywhere():
    text = json.dumps(
        {
            "app": {
                "id": "a",
                "client_secret": SENTINEL,
                "cs": {"x": SENTINEL},
                "nested": [{"saak": SENTINEL, "sask": [SENTINEL], "kept": 1}],
            }
        }
    )
    doc = json_doc(text, SECRETS)
    assert doc.data == {"app": {"id": "a", "nested": [{"kept": 1}]}}
    assert SENTINEL not in repr(doc.data)
    assert SENTINEL not in repr(doc.duplicates)


def test_json_duplicate_secret_key_is_recorded_and_dropped():
    doc = json_doc(f'{{"a": {{"cs": "{SENTINEL}",\n "cs": "{SENTINEL}", "k": 1}}}}', SECRETS)
    assert doc.data == {"a": {"k": 1}}
    assert list(doc.duplicates) == [Duplicate(("a", "cs"), 2, 2, 1)]
    assert doc.locate(["a", "k"]) == (2, 31)


# --- encodings ---------------------------------------------------------------


def test_utf8_bom_is_accepted_in_json():
    doc = load("f.json", b"\xef\xbb\xbf" + NESTED_JSON.encode(), LIMITS)
    assert doc.data == json_doc(NESTED_JSON).data
    assert doc.locate(["top", "d~e", 1]) == (3, 18)  # the BOM takes no column


def test_utf8_bom_is_accepted_in_yaml():
    doc = load("f.yaml", b"\xef\xbb\xbf" + NESTED_YAML.encode(), LIMITS)
    assert doc.data == yaml_doc(NESTED_YAML).data
    assert doc.locate(["top"]) == (1, 1)
    assert doc.locate(["top", "😀k", "z"]) == (4, 10)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_yaml_with_a_bom_is_accepted(encoding):
    bom = "\ufeff" if encoding != "utf-16" else ""  # 'utf-16' writes its own BOM
    doc = load("f.yaml", (bom + NESTED_YAML).encode(encoding), LIMITS)
    assert doc.data == yaml_doc(NESTED_YAML).data
    assert doc.locate(["top"]) == (1, 1)
    assert doc.locate(["top", "😀k", "z"]) == (4, 10)  # one column, though two UTF-16 units
    assert doc.locate(["items", 1, "tags", 1]) == (11, 9)


def test_json_must_be_utf8():
    assert str(load_error("f.json", '{"a": 1}'.encode("utf-16"))) == "f.json:1:1: not UTF-8 text (byte 0)"
    assert str(load_error("f.json", b'{"a":\n "caf\xe9"}')) == "f.json:2:6: not UTF-8 text (byte 11)"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"a: 1\nb: caf\xe9\n", "f.yaml:2:7: invalid YAML: incomplete UTF-8 octet sequence (not UTF-8/UTF-16 text?)"),
        (b"a: 1\nb: x\x00y\n", "f.yaml:2:5: invalid YAML: control characters are not allowed (not UTF-8/UTF-16 text?)"),
        (
            "a: 1\n".encode("utf-32"),
            "f.yaml:1:1: invalid YAML: control characters are not allowed (not UTF-8/UTF-16 text?)",
        ),
        (
            "a: 1\n".encode("utf-16") + b"\x00",
            "f.yaml:2:1: invalid YAML: incomplete UTF-16 character (not UTF-8/UTF-16 text?)",
        ),
    ],
)
def test_yaml_that_is_not_text_is_an_input_error_with_its_line_and_column(raw, message):
    assert str(load_error("f.yaml", raw)) == message


# --- JSON specifics ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": NaN}', "f.json:1:7: invalid JSON: NaN is not valid JSON"),
        ('{"a": Infinity}', "f.json:1:7: invalid JSON: Infinity is not valid JSON"),
        ('{"a": -Infinity}', "f.json:1:7: invalid JSON: -Infinity is not valid JSON"),
        ('{"a": 1} x', "f.json:1:10: invalid JSON: Extra data"),
        ("", "f.json:1:1: invalid JSON: Expecting value"),
        ('{"a": "x\x00y"}', "f.json:1:9: invalid JSON: Invalid control character at"),
        ('{"a": 1,\n "b": }', "f.json:2:7: invalid JSON: Expecting value"),
    ],
)
def test_json_errors(text, message):
    assert str(load_error("f.json", text.encode())) == message


def test_json_5000_digit_integer_is_an_input_error():
    error = load_error("f.json", b'{"a": ' + b"7" * 5000 + b"}")
    assert str(error) == "f.json:1:7: invalid JSON: a number with too many digits"  # not Python's own text
    assert "7777" not in str(error)


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1.0e999"])
def test_json_number_overflowing_to_infinity_is_refused(number):
    """Like NaN and Infinity, and like YAML's .inf (it was once loaded as float('inf'))."""
    assert str(load_error("f.json", f'{{"a":\n {number}}}'.encode())) == (
        "f.json:2:2: invalid JSON: a number too large for a float is not valid here"
    )


def test_json_lone_surrogate_is_accepted_as_data():
    assert json_doc('{"a": "\\ud800"}').data == {"a": "\ud800"}


# --- limits ------------------------------------------------------------------


def nested_lists(containers: int, leaf: str) -> str:
    """A flow document: a mapping holding `containers - 1` nested lists around `leaf`."""
    return '{"x": ' + "[" * (containers - 1) + leaf + "]" * (containers - 1) + "}"


@pytest.mark.parametrize("path", ["f.yaml", "f.json"])
def test_depth_limit_boundary(path):
    limits = Limits(max_depth=10)
    assert load(path, nested_lists(10, "").encode(), limits).data is not None  # 10 levels: fine
    with pytest.raises(InputError, match="nesting deeper than 10 levels"):
        load(path, nested_lists(11, "").encode(), limits)


def test_depth_limit_means_the_same_in_yaml_and_json():
    """The limit counts containers in both (a scalar once counted as a level in YAML only)."""
    limits = Limits(max_depth=10)
    text = nested_lists(10, "1").encode()  # 10 containers, a number inside
    assert load("f.json", text, limits).data == load("f.yaml", text, limits).data
    for path in ("f.json", "f.yaml"):
        with pytest.raises(InputError, match="nesting deeper than 10 levels"):
            load(path, nested_lists(11, "1").encode(), limits)


def test_default_depth_limit_of_64():
    load("f.yaml", nested_lists(64, "").encode(), LIMITS)
    load("f.json", nested_lists(64, "").encode(), LIMITS)
    assert str(load_error("f.yaml", nested_lists(65, "").encode())) == "f.yaml:1:70: nesting deeper than 64 levels"
    assert str(load_error("f.json", nested_lists(65, "").encode())) == "f.json:1:70: nesting deeper than 64 levels"


def test_depth_through_an_anchor_is_counted_where_the_alias_is_used():
    limits = Limits(max_depth=6)
    inner = "a: &deep [[[1]]]\n"  # the root and 3 lists: 4 containers
    load("f.yaml", (inner + "b: [[*deep]]\n").encode(), limits)  # 6 containers
    with pytest.raises(InputError, match="nesting deeper than 6 levels"):
        load("f.yaml", (inner + "b: [[[*deep]]]\n").encode(), limits)  # 7 containers


def laughs(levels: int, width: int) -> str:
    lines = [f"l0: &l0 [{', '.join(['x'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def test_alias_budget_just_under_and_just_over():
    text = laughs(3, 4).encode()
    # written: the root, 3 keys, the l0 list and its 4 items, the l1 list, the l2 list
    unique = 1 + 3 + 5 + 1 + 1
    # expanded: l0 is 5 nodes, l1 is 1 + 4 x 5, l2 is 1 + 4 x 21
    expanded = 1 + 3 + 5 + 21 + 85
    budget = expanded - unique
    doc = load("f.yaml", text, Limits(max_alias_nodes=budget))
    assert len(doc.data["l2"]) == 4 and doc.data["l2"][3] == [["x"] * 4] * 4
    with pytest.raises(InputError, match=f"aliases expand to {expanded} nodes from {unique}; over the budget"):
        load("f.yaml", text, Limits(max_alias_nodes=budget - 1))


def test_billion_laughs_is_refused_before_building():
    error = load_error("f.yaml", laughs(9, 9).encode())
    assert "over the budget of 100000 (an alias bomb?)" in str(error)
    assert str(error).startswith("f.yaml:1:1: aliases expand to ")


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("a: &a [*a]\n", "1:4"),
        ("a: &a {b: *a}\n", "1:4"),
        ("a: &a {<<: *a}\n", "1:4"),
        ("a: &a [[[*a]]]\n", "1:4"),
    ],
)
def test_recursive_alias_is_refused(text, position):
    assert str(load_error("f.yaml", text.encode())) == f"f.yaml:{position}: recursive alias: a node contains itself"


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 5000 + "]" * 5000 + "\n",
        "- " * 5000 + "x\n",
        "a: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n",
    ],
)
def test_5000_deep_yaml_is_an_input_error_not_a_recursion_error(text):
    error = load_error("f.yaml", text.encode())
    assert "nest" in error.message


def test_5000_deep_json_is_an_input_error_not_a_recursion_error():
    assert str(load_error("f.json", ("[" * 5000 + "]" * 5000).encode())) == "f.json:1:1001: JSON nested too deeply"
    assert (
        str(load_error("f.json", ('{"a":' * 100_000 + "1" + "}" * 100_000).encode()))
        == "f.json:1:5001: JSON nested too deeply"
    )


def test_several_documents_are_refused():
    assert (
        str(load_error("f.yaml", b"a: 1\n---\nb: 2\n"))
        == "f.yaml:2:1: invalid YAML: several YAML documents in one file; put one document in each file"
    )


@pytest.mark.parametrize("raw", [b"", b"# only a comment\n", b"\n\n", b"\xef\xbb\xbf"])
def test_empty_yaml_is_an_input_error(raw):
    assert str(load_error("f.yaml", raw)) == "f.yaml:1:1: the file is empty; expected a mapping"


class _Reference(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """PyYAML's own resolution (less timestamps): what the loader's shortcut must agree with."""


_Reference.yaml_implicit_resolvers = {
    k: [(t, r) for t, r in v if t != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@pytest.mark.parametrize(
    "scalar",
    [
        "1",
        "-1",
        "+7",
        ".5",
        "1e3",
        "1.0e+3",
        "0x1F",
        "0o17",
        "017",
        "true",
        "True",
        "FALSE",
        "false",
        "null",
        "~",
        "Null",
        "",
        "abc",
        "y",
        "n",
        "2026-01-01",
        "_x",
        "'quoted 1'",
        '"2"',
        "a b",
        "1_000",
        "-.5",
        "0.",
        "NaN",
    ],
)
def test_the_resolver_shortcut_agrees_with_pyyaml(scalar):
    text = f"k: {scalar}\nl: [{scalar}]\n".encode()
    assert load("f.yaml", text, LIMITS).data == yaml.load(text, Loader=_Reference)


@given(st.text(alphabet="ab\n", max_size=80), st.sampled_from([1, 2, 3, 7, 1 << 16]))
def test_json_positions_count_lines_and_columns_exactly(text: str, block: int) -> None:
    """The block-wise newline index gives what counting from the start gives, at every offset."""
    from policycheck.loading import jsonpos

    saved, jsonpos._BLOCK = jsonpos._BLOCK, block
    try:
        index, of_bytes = jsonpos.JsonIndex(text), jsonpos.JsonIndex(text.encode())
        for offset in range(len(text) + 1):
            line = text.count("\n", 0, offset) + 1
            column = offset - (text.rfind("\n", 0, offset) + 1) + 1
            assert index.position(offset) == (line, column)
            assert of_bytes.position(offset) == (line, column)
    finally:
        jsonpos._BLOCK = saved


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab"\\\n{}[]: ,', max_size=6),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(alphabet='ab"\n{}: ', max_size=4), inner, max_size=4)
    ),
    max_leaves=25,
)


def _paths(data: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*prefix, i))
    return out


@given(_JSON_VALUES, st.sampled_from([None, 1, 2, 4, "\t"]), st.booleans())
def test_json_positions_by_indentation_equal_the_decoder_s(data: object, indent: int | str | None, drop: bool) -> None:
    """Pretty-printed containers are indexed by their lines' indentation: the same positions as stepping through
    with the decoder, whatever the strings hold; when the data no longer matches the text (a dropped key), too."""
    from policycheck.loading import jsonpos

    text = json.dumps(data, indent=indent)
    parsed = json.loads(text)
    paths = _paths(parsed) + [(*p, "missing") for p in _paths(parsed)]
    if drop and isinstance(parsed, dict) and parsed:
        parsed.pop(next(iter(parsed)))  # as a secret key is dropped after parsing
    plain, indexed = jsonpos.JsonIndex(text), jsonpos.JsonIndex(text, parsed)
    of_bytes = jsonpos.JsonIndex(text.encode(), parsed)  # an ASCII file mapped into memory
    for path in paths:
        assert indexed.locate(path) == plain.locate(path), path
        assert of_bytes.locate(path) == plain.locate(path), path


def test_a_mapped_text_decodes_only_the_container_whose_keys_differ_from_the_data() -> None:
    """A dropped secret key leaves an object's keys unlike the data's: that object alone is decoded to step
    through it, not the whole file (a 139 MB export at 100,000 applications)."""
    from policycheck.loading import jsonpos

    data = {"applications": [{"id": f"app-{i}", "client_secret": "x", "scopes": ["a", "b"]} for i in range(3)]}
    text = json.dumps(data, indent=2)
    parsed = json.loads(text)
    for app in parsed["applications"]:
        del app["client_secret"]  # as the loader drops it
    plain, mapped = jsonpos.JsonIndex(text), jsonpos.JsonIndex(text.encode(), parsed)
    for path in [("applications", 1, "scopes", 1), ("applications", 2, "id"), ("applications", 0, "client_secret")]:
        assert mapped.locate(path) == plain.locate(path), path
    assert isinstance(mapped.text, bytes)  # never decoded whole
    compact = jsonpos.JsonIndex(json.dumps(data).encode(), parsed)
    assert compact.locate(("applications", 2, "id")) == (
        1,
        json.dumps(data).index('"id": "app-2"') + 1,
    )
    assert isinstance(compact.text, str)  # one line: no container of its own lines, the text is decoded


_SECRETISH = st.sampled_from(["secret", "password", "credentials", "clients", "environments", "name", "key", "x"])
_SECRET_VALUES = st.recursive(
    st.none() | st.sampled_from(["", "**********", "s3cr3t", "${VAR}", 'a\\"b']) | st.integers(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_SECRETISH, inner, max_size=3),
    max_leaves=20,
)


@given(_SECRET_VALUES, st.sampled_from([None, 2]), st.booleans())
def test_json_fast_path_reads_as_the_careful_one(data: object, indent: int | None, duplicate: bool) -> None:
    """json.loads at C speed plus one walk gives what the hook on every object gives: the same data with the
    secret keys dropped (names kept as names), the same secrets reported where they stand, the same duplicates."""
    from policycheck.loading import source
    from policycheck.loading.export import SECRET_KEYS

    text = json.dumps({"a": data, "clients": {"secret": data}}, indent=indent)
    if duplicate:
        text = text.replace('"clients"', '"a"', 1)  # a key written twice: only the careful path sees it
    raw = text.encode()
    fast = source.load("f.json", raw, Limits(), SECRET_KEYS)
    saved = source._load_json_fast
    source._load_json_fast = lambda *args: None  # type: ignore[assignment]
    try:
        careful = source.load("f.json", raw, Limits(), SECRET_KEYS)
    finally:
        source._load_json_fast = saved
    assert fast.data == careful.data
    assert fast.secrets == careful.secrets
    assert fast.duplicates == careful.duplicates
