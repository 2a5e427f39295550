"""Account lifecycle hooks (kept minimal: business logic lives in services)."""
