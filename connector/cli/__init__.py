"""The ``partnerpulse`` command line (typer + rich): the composition root for one-off runs."""
