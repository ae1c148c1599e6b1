"""A small policy and export that the rule tests vary: line numbers are part of the tests."""

POLICY = """\
permissions:
  - name: Read
    claims: [x:read]
  - name: Write
    claims: [x:write]
operations:
  - id: items.list
    request: GET /items
    requires:
      permissions: Read
  - id: items.create
    request: POST /items
    requires:
      permissions: [Read, Write]
environments:
  - name: base
  - name: test
    inherits: [base]
    parity: [prod]
  - name: prod
    inherits: [base]
bindings:
  - application: app
    environments: [test, prod]
    operations: [items.list, items.create]
"""
# policy.yaml lines: the header adds 2, so 'permissions:' is line 3, the binding is line 25.

EXPORT = """\
permission_sets:
  - name: Readers
    permissions: [Read]
  - name: Writers
    permissions: [Write]
    includes: [Readers]
environments:
  - name: base
    permission_sets: [Readers, Writers]
  - name: test
    inherits: [base]
  - name: prod
    inherits: [base]
applications:
  - id: app
    clients: {test: app-tst, prod: app-prd}
    grants:
      - permission_set: Writers
        status: approved
"""
# export.yaml lines: 'applications:' is line 16, '- id: app' line 17, the grant line 20.

NO_INCLUDE = EXPORT.replace("    includes: [Readers]\n", "")
"""Writers no longer includes Readers: app has Write only."""

APP2 = "  - id: app2\n    clients: {test: app2-tst, prod: app2-prd}\n    grants:\n      - permission_set: Writers\n        status: approved\n"
"""A second application, granted as app is."""
BIND2 = "  - application: app2\n    environments: [test, prod]\n    operations: [items.list, items.create]\n"
"""Its binding, as app's."""

PENDING_WRITE = EXPORT.replace("permission_set: Writers", "permission_set: Readers") + (
    """\
      - permission: Write
        status: pending
        environments: [prod]
"""
)
"""A pending grant of Write in prod: one PC102 finding (app, prod, items.create), for a waiver to cover."""

WAIVERS_HEAD = """\
apiVersion: policycheck/v1
kind: Waivers
waivers:
"""
# waivers.yaml lines: the first waiver's '- rule:' is line 4.
