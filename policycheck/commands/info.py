"""policycheck rules and policycheck schema: what the tool knows, printed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import UsageError

if TYPE_CHECKING:
    from ..rules import Rule


def rules_listing(fmt: str = "text") -> str:
    from ..rules import REGISTRY, summary

    if fmt == "json":
        return _json([_rule(r) for r in REGISTRY.values()])
    rows = [(r.ID, r.NAME, r.DEFAULT_SEVERITY.label, summary(r)) for r in REGISTRY.values()]
    width = max(len(r[1]) for r in rows)
    return "".join(f"{rid}  {name:<{width}}  {sev:<7}  {text}\n" for rid, name, sev, text in rows)


def rule_doc(name: str, fmt: str = "text") -> str:
    from ..engine import rule_ids
    from ..rules import REGISTRY

    rule = REGISTRY[rule_ids([name])[0]]
    if fmt == "json":
        return _json(_rule(rule))
    return (rule.__doc__ or "").strip() + "\n"


def _rule(rule: Rule) -> dict[str, str]:
    from ..reporters.sarif import anchor
    from ..rules import summary

    return {
        "id": rule.ID,
        "name": rule.NAME,
        "severity": rule.DEFAULT_SEVERITY.label,
        "summary": summary(rule),
        "help_uri": anchor(rule),
        "documentation": (rule.__doc__ or "").strip(),
    }


def _json(value: object) -> str:
    import json

    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def schema(name: str) -> str:
    from ..loading.schemas import NAMES, schema_text

    if name not in NAMES:
        raise UsageError(f"unknown schema {name!r} (expected one of {', '.join(NAMES)})")
    return schema_text(name)
