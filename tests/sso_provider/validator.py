"""The provider's claims come from users.json; a user's "misbehave" bends their ID token."""

import json
import os
import time

from jwcrypto import jwk, jwt
from oauth2_provider.models import AbstractApplication
from oauth2_provider.oauth2_validators import OAuth2Validator

# Signs the "bad-signature" tokens: never published, given the real key's kid.
STRANGER_KEY = jwk.JWK.generate(kty="RSA", size=2048)


def profile(username):
    with open(os.environ["SSO_PROVIDER_USERS"]) as users:
        return next(u for u in json.load(users) if u["username"] == username)


class MisbehavingValidator(OAuth2Validator):
    oidc_claim_scope = None  # every claim to every client: amr and acr too

    def get_additional_claims(self, request):
        found = profile(request.user.username)
        claims = {
            "email": found["email"],
            "email_verified": found.get("email_verified", True),
            "given_name": found.get("given_name", ""),
            "family_name": found.get("family_name", ""),
        }
        for optional in ("amr", "acr"):
            if optional in found:
                claims[optional] = found[optional]
        return claims

    def finalize_id_token(self, id_token, token, token_handler, request):
        claims, expiration_time = self.get_id_token_dictionary(token, token_handler, request)
        id_token.update(**claims)
        if "nonce" not in id_token and request.nonce:
            id_token["nonce"] = request.nonce
        misbehave = profile(request.user.username).get("misbehave", "")
        key = request.client.jwk_key
        if misbehave == "wrong-audience":
            id_token["aud"] = "someone-else"
        elif misbehave == "expired":
            id_token["iat"] = int(time.time()) - 7200
            id_token["exp"] = int(time.time()) - 3600
        elif misbehave == "wrong-nonce":
            id_token["nonce"] = "not-the-nonce"
        header = {"typ": "JWT", "alg": request.client.algorithm}
        if request.client.algorithm == AbstractApplication.RS256_ALGORITHM:
            header["kid"] = key.thumbprint()
        if misbehave == "bad-signature":
            key = STRANGER_KEY
        signed = jwt.JWT(header=json.dumps(header), claims=json.dumps(id_token, default=str))
        signed.make_signed_token(key)
        saved = self._save_id_token(id_token["jti"], request, expiration_time)
        request.access_token = saved
        request.id_token = saved
        return signed.serialize()
