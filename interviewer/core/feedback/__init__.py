"""Optional LLM feedback: its settings, prompts and the checks on replies."""
