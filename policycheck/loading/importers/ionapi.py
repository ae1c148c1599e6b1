"""Infor `.ionapi` files -> an application and its environment, from non-secret metadata only.

An .ionapi file is a credential: `cs` (client secret), `saak` and `sask` (service
account keys) are dropped by the parser before anything else sees them and are
never printed. What remains names things: `ti` (tenant, e.g. ACME_PRD), `cn` (the
authorized app, e.g. GL-Integration_PRD), `ci` (client id), `pu`/`ot` (token URL),
`iu` (gateway URL). Infor documents no export of grants: describe them in a native
export (a "scope matrix") that uses the same application id.
"""

from __future__ import annotations

from ...model import Application, Environment, Origin
from ..export import ExportPart
from ..source import Document
from .identity import Identity


def read_ionapi(doc: Document, identity: Identity) -> ExportPart:
    data = doc.data
    tenant = str(data.get("ti") or "")
    name = str(data.get("cn") or data.get("ci") or doc.path)
    env = identity.environment(tenant, doc.path) if tenant else (identity.split(name)[1] or "default")
    part = ExportPart()
    part.environments.append(Environment(env, (), (), Origin(doc, ("ti",))))
    client = str(data.get("ci") or name)
    part.applications.append(Application(identity.application(name), name, {env: client}, {}, (), Origin(doc, ("cn",))))
    part.counts.append(("ionapi", doc.path, "files", 1))
    return part


def read_documents(docs: list[Document], identity: Identity) -> list[ExportPart]:
    """Every .ionapi file of `docs`, as export parts."""
    return [read_ionapi(doc, identity) for doc in docs]
