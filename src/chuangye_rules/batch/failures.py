"""How a run ends when it is stopped: Ctrl-C and SIGTERM noted even where polars swallows them (a disk that
fails is base/disks.py)."""

from __future__ import annotations

import functools
import sys
import threading


class SignalsNoted:
    """Remembers that Ctrl-C or SIGTERM came during the run (then acts as before: KeyboardInterrupt). polars
    may swallow the KeyboardInterrupt raised inside one of its calls and raise something else instead; the
    run is then still reported as interrupted, not as a bug."""

    SIGNALS = ("SIGINT", "SIGTERM")

    def __init__(self) -> None:
        self.received = False
        self.previous: dict = {}
        self.previous_hook = None

    def __enter__(self) -> "SignalsNoted":
        import signal

        if threading.current_thread() is not threading.main_thread():
            return self
        # an interrupt raised while polars calls back into Python (its data-type classes) may be one Python cannot
        # raise there: it would print "Exception ignored in … Traceback" to the user. It is noted (received) and
        # the run ends as interrupted at its next step, so that report is only noise.
        self.previous_hook = sys.unraisablehook
        sys.unraisablehook = self._unraisable
        for name in self.SIGNALS:
            number = getattr(signal, name)
            previous = signal.getsignal(number)
            self.previous[number] = previous
            signal.signal(number, functools.partial(self._note, previous))
        return self

    def _note(self, previous, number, frame) -> None:
        import signal

        self.received = True
        if callable(previous):
            previous(number, frame)
        elif previous != signal.SIG_IGN:  # ignored stays ignored; SIGTERM's default (ending at once) an interrupt
            raise KeyboardInterrupt

    def _unraisable(self, unraisable) -> None:
        if not (self.received and isinstance(unraisable.exc_value, KeyboardInterrupt)):
            (self.previous_hook or sys.__unraisablehook__)(unraisable)

    def __exit__(self, *exc) -> None:
        import signal

        for number, previous in self.previous.items():
            signal.signal(number, previous)
        self.previous = {}
        if self.previous_hook is not None:
            sys.unraisablehook, self.previous_hook = self.previous_hook, None


def interrupted(error: BaseException) -> bool:
    """Whether Ctrl-C or SIGTERM caused this error: one that lands while polars calls back into Python comes
    out of polars as another error (a TypeError "… is not a Polars data type") with the interrupt inside."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, KeyboardInterrupt):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False
