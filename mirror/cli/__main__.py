"""``python -m mirror.cli``: the ``mirror`` command."""

from mirror.cli import app

app()
