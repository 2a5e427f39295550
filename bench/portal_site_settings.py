"""Settings for the gunicorn server that `bench/bench_portal.py` starts (bench only).

The product's base settings with DEBUG off, persistent database connections, the bench
urlconf (the product's URLs plus one bare page) and the public rate limit raised: the load
generator is one client on 127.0.0.1 and would otherwise be answered 429 after a few dozen
requests. Nothing in the product imports this module.
"""

import os

from ansinh.settings.base import *  # noqa: F403
from ansinh.settings.base import DATABASES

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "portal_site_urls"
DATABASES["default"]["CONN_MAX_AGE"] = 600
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
# One client IP sends every request of the load test.
ANSINH_PORTAL_RATE_LIMIT = int(os.environ.get("ANSINH_PORTAL_RATE_LIMIT", "100000000"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
