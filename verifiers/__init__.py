"""Pure, deterministic scoring: each verifier returns a value, a pass flag and a reason.

The same functions filter datasets and serve as RL rewards at training time, so they call no
model and keep no state; only the code sandbox runs processes.
"""
