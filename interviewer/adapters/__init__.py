"""Adapters around the core: the embedding model, the LLM client, the transcript store."""
