"""The interview as a state machine, and what to practise next."""
