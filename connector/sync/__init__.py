"""``run_sync``: the one flow — pull, link, score, plan, apply — that the CLI runs once and
the scheduler runs on a timer."""
