"""A small OpenID Connect provider for the tests, served on 127.0.0.1 by a thread, so that the
portal's client (mozilla-django-oidc) runs its real code over HTTP: discovery, the authorise
redirect, the token endpoint (client secret, code, PKCE verifier, redirect URI checked) and an
RS256-signed ID token whose key is published at the JWKS endpoint.

``misbehave`` makes the next ID token wrong in one way ("signature": signed by another key,
"nonce", "issuer", "audience", "expired")."""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

KID = "portal-test-key"


class IdentityProvider:
    def __init__(self, *, client_id: str = "yuyao-portal"):
        self.client_id, self.client_secret = client_id, secrets.token_urlsafe(24)
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.subject = "gov-person-0001"
        self.misbehave = ""
        self.codes: dict[str, dict] = {}
        self.token_requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- What the provider publishes and signs ----------------------------------------------

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [jwk | {"kid": KID, "alg": "RS256", "use": "sig"}]}

    def id_token(self, grant: dict) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": grant["subject"],
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
        }
        key = self.key
        if self.misbehave == "signature":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif self.misbehave == "nonce":
            claims["nonce"] = "not-the-nonce-that-was-sent"
        elif self.misbehave == "issuer":
            claims["iss"] = "http://127.0.0.1:1/another-provider"
        elif self.misbehave == "audience":
            claims["aud"] = "another-portal"
        elif self.misbehave == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})

    # --- HTTP ---------------------------------------------------------------------------------

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlsplit(self.path)
                if url.path == "/.well-known/openid-configuration":
                    return self._json(200, provider.discovery())
                if url.path == "/jwks":
                    return self._json(200, provider.jwks())
                if url.path == "/authorize":
                    return self._authorize({k: v[0] for k, v in parse_qs(url.query).items()})
                return self._json(404, {"error": "not_found"})

            def _authorize(self, query: dict) -> None:
                # The person has signed in at the provider as ``provider.subject``.
                if query.get("client_id") != provider.client_id or query.get("response_type") != "code":
                    return self._json(400, {"error": "invalid_request"})
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {
                    "subject": provider.subject,
                    "nonce": query.get("nonce"),
                    "redirect_uri": query["redirect_uri"],
                    "challenge": query.get("code_challenge"),
                }
                target = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()

            def do_POST(self):
                if urlsplit(self.path).path != "/token":
                    return self._json(404, {"error": "not_found"})
                provider.token_requests += 1
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if (form.get("client_id"), form.get("client_secret")) != (provider.client_id, provider.client_secret):
                    return self._json(401, {"error": "invalid_client"})
                grant = provider.codes.pop(form.get("code", ""), None)  # a code works once
                if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
                    return self._json(400, {"error": "invalid_grant"})
                verifier = form.get("code_verifier", "")
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if challenge != grant["challenge"]:
                    return self._json(400, {"error": "invalid_grant"})
                return self._json(
                    200,
                    {
                        "access_token": secrets.token_urlsafe(16),
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": provider.id_token(grant),
                    },
                )

        return Handler
