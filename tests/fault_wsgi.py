"""The WSGI application of tests/schoolplan/test_faults.py's server, with one test-only hook.

With FAULT_DIR set, a service function named in FAULT_PAUSE ("module:function", comma-separated)
may be stopped in the middle of a request: when the file FAULT_DIR/arm-<function> exists (its
text: which call to stop at, 1 by default), that call writes FAULT_DIR/paused-<function> (with
the rows the open transaction has written so far) and waits for FAULT_DIR/resume-<function>
before going on. The test restarts PostgreSQL in between. Nothing outside tests/ knows of it.
"""

import importlib
import json
import os
import time
from functools import wraps
from pathlib import Path

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

FOLDER = Path(os.environ["FAULT_DIR"]) if os.environ.get("FAULT_DIR") else None


def _written_so_far():
    """What this request's transaction has written (visible to it, not yet committed)."""
    from meetings.models import AgendaItem, Invitation, Meeting
    from schoolplan.models import OutboxEmail

    return {
        "meetings": Meeting.objects.count(),
        "agenda_items": AgendaItem.objects.count(),
        "invitations": Invitation.objects.count(),
        "outbox": OutboxEmail.objects.count(),
    }


def _pausing(name, function):
    calls = {"n": 0}

    @wraps(function)
    def wrapper(*args, **kwargs):
        arm = FOLDER / f"arm-{name}"
        if arm.exists():
            calls["n"] += 1
            stop_at = int(arm.read_text() or "1")
            if calls["n"] == stop_at:
                arm.unlink()
                calls["n"] = 0
                written = FOLDER / f"paused-{name}.tmp"
                written.write_text(json.dumps(_written_so_far()))
                written.replace(FOLDER / f"paused-{name}")  # whole, or not there
                resume = FOLDER / f"resume-{name}"
                deadline = time.monotonic() + 60
                while not resume.exists() and time.monotonic() < deadline:
                    time.sleep(0.05)
                resume.unlink(missing_ok=True)
        return function(*args, **kwargs)

    return wrapper


if FOLDER is not None:
    for target in filter(None, os.environ.get("FAULT_PAUSE", "").split(",")):
        module_name, name = target.split(":")
        module = importlib.import_module(module_name)
        setattr(module, name, _pausing(name, getattr(module, name)))
