"""``python -m sandbox serve ...``: the sandbox commands without the rest of the CLI."""

from sandbox.cli import app

if __name__ == "__main__":
    app(prog_name="python -m sandbox")
