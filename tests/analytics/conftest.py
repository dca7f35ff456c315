"""The storage tests' fixtures: ``store_url`` runs a test on SQLite and on a throwaway PostgreSQL server."""

from __future__ import annotations

from tests.storage.conftest import postgres, store_url

__all__ = ["postgres", "store_url"]
