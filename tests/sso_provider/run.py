"""Start the test provider: python tests/sso_provider/run.py --port N --db PATH --users JSON
--client-id ID --client-secret S --redirect-uri URI [--redirect-uri URI2 …]

Migrates its database, creates the confidential client (authorization code, RS256, no consent
screen) and the users (password "provider-pass"), then serves on 127.0.0.1:N until stopped."""

import argparse
import json
import os
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
PASSWORD = "provider-pass"


class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class LogHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # to the log file the test prints if it fails
        sys.stderr.write(f"{self.address_string()} - {format % args}\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--users", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--redirect-uri", action="append", required=True)
    args = parser.parse_args()

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    os.environ["SSO_PROVIDER_KEY"] = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    os.environ["SSO_PROVIDER_DB"] = args.db
    os.environ["SSO_PROVIDER_USERS"] = args.users
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.sso_provider.settings"

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    Application.objects.create(
        name="SchoolPlan",
        client_id=args.client_id,
        client_secret=args.client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(args.redirect_uri),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    with open(args.users) as users:
        for user in json.load(users):
            User.objects.create_user(user["username"], user["email"], PASSWORD)
    server = make_server(
        "127.0.0.1",
        args.port,
        get_wsgi_application(),
        server_class=Server,
        handler_class=LogHandler,
    )
    print(f"serving on http://127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
