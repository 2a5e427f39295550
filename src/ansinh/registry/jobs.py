"""Background jobs of the registry (discovered by core at start-up): file imports
(validate, commit) and the batch duplicate search."""

from . import dedupe_jobs  # noqa: F401
from .importing import jobs as importing_jobs  # noqa: F401
