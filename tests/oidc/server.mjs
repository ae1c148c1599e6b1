// A real OpenID provider (oauth2-mock-server) on loopback, for policycheck's integration test.
// Prints the issuer URL on its first line, then serves until killed.
import { OAuth2Server } from "oauth2-mock-server";

const server = new OAuth2Server();
await server.issuer.keys.generate("RS256");
server.service.on("beforeTokenSigning", (token, req) => {
  const body = req.body || {};
  token.payload.client_id = body.client_id || "unknown";
  token.payload.scope = body.scope || "";
  token.payload.permissions = ["gl:journal:read"];
  token.payload.aud = "policycheck-integration";
});
await server.start(0, "127.0.0.1");
console.log(server.issuer.url);
