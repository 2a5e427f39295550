"""/api/v1/ endpoints of the outreach app."""

from __future__ import annotations


def register(router) -> None:
    """Register this app's viewsets on the one /api/v1/ router."""
