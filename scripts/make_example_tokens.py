"""Write the story's two access tokens (test and prod), signed with the example key.

The key under policies/examples/cloudsuite/tokens/ is example data, generated
once for this repository and used for nothing else: it lets the README show
`policycheck token` verifying real signatures. RS256 signatures are deterministic,
so running this again rewrites the same tokens.

    python scripts/make_example_tokens.py
"""

from __future__ import annotations

import json
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

HERE = Path(__file__).resolve().parent.parent / "policies" / "examples" / "cloudsuite" / "tokens"
KID = "cloudsuite-example-2026"
SSO = "https://mingle-sso.inforcloudsuite.com:443/{tenant}/as/"
API = "https://mingle-ionapi.inforcloudsuite.com/{tenant}"

TOKENS = {
    "test": ("ACME_TST", ["gl:journal:read", "gl:journal:write", "gl:journal:post", "fm:transaction:write"]),
    "prod": ("ACME_PRD", ["gl:journal:read"]),
}


def main() -> None:
    key_path = HERE / "example-signing-key.pem"
    if not key_path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    public = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    public.update({"kid": KID, "use": "sig", "alg": "RS256"})
    (HERE / "jwks.json").write_text(json.dumps({"keys": [public]}, indent=2) + "\n")
    (HERE / "example-public-key.pem").write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    for env, (tenant, permissions) in TOKENS.items():
        claims = {
            "iss": SSO.format(tenant=tenant),
            "sub": f"{tenant}#compliance-sync",
            "aud": API.format(tenant=tenant),
            "client_id": f"{tenant}~compliance-sync",
            "scope": "CloudSuite.FinancialManagement",
            "permissions": permissions,
            "iat": 1764288000,  # 2025-11-28
            "exp": 4102444800,  # 2100-01-01: the example stays valid
            "jti": f"example-{env}",
        }
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID, "typ": "at+jwt"})
        (HERE / f"{env}.jwt").write_text(token + "\n")
    print(f"wrote {HERE}")


if __name__ == "__main__":
    main()
