"""A real OpenID Connect provider for the sign-in tests (issue 21): django-oauth-toolkit in a
small Django project of its own, run on loopback in its own process by tests/sso_helpers.py.
Its users (users.json) may misbehave on purpose: a wrong audience, an expired token, a bad
signature, a wrong nonce."""
