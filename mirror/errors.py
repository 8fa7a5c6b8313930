"""The one exception type users see: its message is a single, actionable line."""


class MirrorError(Exception):
    """Bad input or environment. ``str(err)`` is one line, fit to show a user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


class Interrupted(MirrorError):
    """The user stopped the run (Ctrl+C); what was finished is kept and a rerun resumes."""
