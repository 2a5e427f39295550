import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Public pages and the rate limiter keep state in the cache: every test starts empty."""
    cache.clear()
    yield
    cache.clear()
