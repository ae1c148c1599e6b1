"""policycheck rules and policycheck schema: what the tool knows, printed."""

from __future__ import annotations

from ..errors import UsageError


def rules_listing(fmt: str = "text") -> str:
    from ..rules import REGISTRY, summary

    rows = [(r.ID, r.NAME, r.DEFAULT_SEVERITY.label, summary(r)) for r in REGISTRY.values()]
    width = max(len(r[1]) for r in rows)
    return "".join(f"{rid}  {name:<{width}}  {sev:<7}  {text}\n" for rid, name, sev, text in rows)


def rule_doc(name: str) -> str:
    from ..engine import rule_ids
    from ..rules import REGISTRY

    rule = REGISTRY[rule_ids([name])[0]]
    return (rule.__doc__ or "").strip() + "\n"


def schema(name: str) -> str:
    from ..loading.schemas import NAMES, schema_text

    if name not in NAMES:
        raise UsageError(f"unknown schema {name!r} (expected one of {', '.join(NAMES)})")
    return schema_text(name)
