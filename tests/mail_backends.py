"""E-mail backends for the tests that run a real Celery worker in another process: every message
becomes a file (so the test counts what was really sent), optionally slowly (to kill the worker
mid-batch) or failing a number of times first (an SMTP outage)."""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class RecordingBackend(FileBackend):
    """One file per message, named by its outbox key and a counter."""

    def send_messages(self, email_messages):
        folder = Path(self.file_path)
        delay = float(os.environ.get("TEST_MAIL_DELAY", "0"))
        failures = folder / "failures-left"
        sent = 0
        for message in email_messages:
            if failures.exists() and int(failures.read_text() or 0) > 0:
                failures.write_text(str(int(failures.read_text()) - 1))
                raise OSError("SMTP down (test)")
            if delay:
                time.sleep(delay)
            key = message.extra_headers.get("X-SchoolPlan-Key", "no-key").replace(":", "_")
            path = folder / f"{key}--{time.time_ns()}.eml"
            path.write_bytes(message.message().as_bytes())
            sent += 1
        return sent
