"""Question banks: the schema, YAML loading and the seed's plain-text format."""
