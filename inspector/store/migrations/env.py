"""Alembic environment of the store.

Run by :mod:`inspector.store.migrate`, which passes an open connection (already inside the
transaction that holds the store's write lock) as ``config.attributes["connection"]``. Run by the
``alembic`` command line (developers: ``alembic -x url=sqlite:///x.sqlite3 upgrade head`` with a
config naming this folder), it opens its own engine with the store's SQLite settings.
"""

from __future__ import annotations

from alembic import context

from inspector.store.models import Base

config = context.config
target_metadata = Base.metadata


def _configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER constraints: batch operations copy the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    from inspector.store.database import create_store_engine, default_url

    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    engine = create_store_engine(url or default_url())
    try:
        with engine.begin() as connection:
            _configure_and_run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("the store's migrations run online only (inspector db upgrade)")
run_migrations_online()
