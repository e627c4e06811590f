"""The SQLite transcript store. `sqlite` composes it: a `database` runner (connection, transactions,
faults, fallback file) given to a `reads` part and a `writes` part, whose SQL is in `queries` and
`inserts`; `schema` holds the migrations, `errors` the user-facing faults and the fallback file."""
