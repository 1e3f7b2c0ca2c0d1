"""The store's Alembic migrations (docs/store.md). Run through :mod:`inspector.store.migrate`."""
