"""The demo district is built by the core; apps above it add their own demo records here."""

DEMO_EXTENSIONS = []


def register_demo(builder):
    """builder(today) -> number of records it created; it must be idempotent."""
    DEMO_EXTENSIONS.append(builder)
    return builder
