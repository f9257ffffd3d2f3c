"""How a front end follows a run (its own module, so the command line starts without loading
the pipeline)."""

from __future__ import annotations


class Progress:
    """Callbacks a front end may pass to follow a run; the default does nothing."""

    def start(self, total: int) -> None:
        """The run has `total` steps."""

    def step(self, description: str) -> None:
        """One step is done; `description` says what comes next."""
