"""The SQLite transcript store: schema and migrations, writes, reads, errors and the fallback file."""
