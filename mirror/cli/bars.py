"""The progress bar the commands show while frames are read: tqdm on stderr, opened when the total is known."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tqdm import tqdm


class ProgressBar:
    """A tqdm bar of frames on stderr, opened when the total is known (or at the first frame).

    Its :meth:`frames` and :meth:`total` are the ``progress`` and ``on_total`` callbacks the
    library's long stages take; :meth:`close` ends the bar (call it in ``finally``).
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: tqdm | None = None

    def total(self, done: int, total: int) -> None:
        from tqdm import tqdm

        self.bar = tqdm(
            total=total if total > 0 else None,
            initial=done,
            unit="frame",
            disable=not self.enabled,
            file=sys.stderr,
            dynamic_ncols=True,
        )

    def frames(self, n: int) -> None:
        if self.bar is None:
            self.total(0, -1)
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
