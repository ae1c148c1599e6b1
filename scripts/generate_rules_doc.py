"""Regenerate docs/rules.md from the rule modules' docstrings (their user documentation).

python scripts/generate_rules_doc.py          # rewrite
python scripts/generate_rules_doc.py --check  # exit 1 when stale
"""

from __future__ import annotations

import sys
from pathlib import Path

from policycheck.rules import REGISTRY, summary

TARGET = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def generate() -> str:
    out = [
        "# Rules",
        "",
        "Generated from the rule modules by `scripts/generate_rules_doc.py`; "
        "`policycheck rules ID` prints the same text.",
        "Ids are stable and never reused: PC1xx access, PC9xx hygiene.",
        "",
        "| id | name | default severity | summary |",
        "| --- | --- | --- | --- |",
    ]
    for rule in REGISTRY.values():
        out.append(
            f"| [{rule.ID}](#{rule.ID.lower()}-{rule.NAME}) | {rule.NAME} | "
            f"{rule.DEFAULT_SEVERITY.label} | {summary(rule)} |"
        )
    for rule in REGISTRY.values():
        doc = (rule.__doc__ or "").strip()
        body = doc.split("\n", 1)[1].strip() if "\n" in doc else ""
        out += [
            "",
            f"## {rule.ID} {rule.NAME}",
            "",
            f"Default severity: {rule.DEFAULT_SEVERITY.label}. {summary(rule)[0].upper()}{summary(rule)[1:]}.",
            "",
            body,
        ]
    return "\n".join(out) + "\n"


def main() -> int:
    text = generate()
    if "--check" in sys.argv:
        if not TARGET.exists() or TARGET.read_text() != text:
            print(f"{TARGET} is stale: run python scripts/generate_rules_doc.py")
            return 1
        return 0
    TARGET.write_text(text)
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
