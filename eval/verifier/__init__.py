"""Training recipes for the verifier and the tuned layers; not shipped."""
