"""Large JSON texts are set aside after loading and read again to locate the findings."""

from __future__ import annotations

import json
import mmap
from pathlib import Path

import pytest
import yaml

from policycheck.cli import main
from policycheck.loading import source
from policycheck.loading.inputs import load_inputs
from policycheck.loading.limits import Limits

EXAMPLE = Path(__file__).resolve().parent.parent / "policies" / "examples" / "cloudsuite"


def _as_json(tmp_path: Path, ascii: bool = True, bom: str = "") -> Path:
    """The story example with its policy and export written as pretty-printed JSON."""
    for name in ("policy", "export"):
        data = yaml.safe_load((EXAMPLE / f"{name}.yaml").read_text(encoding="utf-8"))
        if not ascii:
            data["metadata"] = {"description": "Écritures de journal, ünïcode before the findings"}
        text = bom + json.dumps(data, indent=2, ensure_ascii=ascii) + "\n"
        (tmp_path / f"{name}.json").write_text(text, encoding="utf-8")
    return tmp_path


def _report(path: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["check", str(path), "--format", "json", "--no-progress"]) == 1
    return json.loads(capsys.readouterr().out)


def _locations(report: dict) -> list[tuple[str, int, int]]:
    found = [(f["location"]["path"], f["location"]["line"], f["location"]["column"]) for f in report["findings"]]
    assert found
    return found


def test_findings_are_located_the_same_when_the_texts_are_set_aside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    here = _as_json(tmp_path)
    kept = _report(here, capsys)
    monkeypatch.setattr(source, "SET_ASIDE_BYTES", 0)
    aside = _report(here, capsys)
    assert _locations(aside) == _locations(kept)
    assert any(line > 1 for _, line, _ in _locations(aside))  # real positions, not the 1:1 of an unknown one
    assert aside["findings"] == kept["findings"]


def test_a_set_aside_text_is_let_go_and_read_again_only_to_locate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source, "SET_ASIDE_BYTES", 0)
    loaded = load_inputs([str(_as_json(tmp_path))], Limits())
    export = next(d for d in loaded.documents if d.path.endswith("export.json"))
    assert export._text is None
    app = next(iter(loaded.model.applications.values()))
    where = app.source.location()
    text = (tmp_path / "export.json").read_text(encoding="utf-8")
    assert text.splitlines()[where.line - 1][where.column - 1 :].startswith("{")
    export.set_aside()
    assert export._text is None and export._index is None
    assert app.source.location() == where


@pytest.mark.parametrize(
    ("ascii", "bom", "mapped"),
    [(True, "", True), (False, "", False), (True, "\ufeff", False)],
    ids=["ascii", "utf8", "bom"],
)
def test_an_ascii_text_is_read_again_as_a_mapping_of_its_file_any_other_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ascii: bool, bom: str, mapped: bool
) -> None:
    """Mapped bytes are characters only in an ASCII file without a byte order mark: others are decoded again."""
    kept = load_inputs([str(_as_json(tmp_path, ascii, bom))], Limits())
    expected = [app.source.location() for app in kept.model.applications.values()]
    monkeypatch.setattr(source, "SET_ASIDE_BYTES", 0)
    loaded = load_inputs([str(tmp_path)], Limits())
    export = next(d for d in loaded.documents if d.path.endswith("export.json"))
    assert [app.source.location() for app in loaded.model.applications.values()] == expected
    assert export._index is not None
    assert isinstance(export._index.text, mmap.mmap) == mapped
    assert any(where.line > 1 for where in expected)


def test_a_file_changed_after_loading_is_not_located_from_its_new_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source, "SET_ASIDE_BYTES", 0)
    loaded = load_inputs([str(_as_json(tmp_path))], Limits())
    app = next(iter(loaded.model.applications.values()))
    path = tmp_path / "export.json"
    path.write_text("\n" * 50 + path.read_text(encoding="utf-8"), encoding="utf-8")
    where = app.source.location()
    assert (where.line, where.column) == (1, 1)  # unknown, rather than a line of the changed file


def test_small_files_and_yaml_keep_their_text(tmp_path: Path) -> None:
    loaded = load_inputs([str(_as_json(tmp_path)), str(EXAMPLE / "token-profile.yaml")], Limits())
    for doc in loaded.documents:
        doc.set_aside()
        assert doc._file is None
        assert doc.format == "yaml" or doc._text is not None
