"""Counting uses in a window of time, for the rate limits of pages anyone can reach (password
reset, families' replies to a meeting). The count lives in the cache (Redis in production), so
every web process shares it."""

from django.core.cache import cache


def spend(key, limit, window_seconds=3600):
    """Count one more use of key in this window; False once the limit is used up."""
    cache.add(key, 0, window_seconds)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window_seconds)
        used = 1
    return used <= limit
