"""Click, as the installed typer provides it: typer ≥ 0.2x carries its own copy (`typer._click`); older ones use the
`click` package (pyproject allows typer ≥ 0.12)."""

from __future__ import annotations

try:
    from typer._click import exceptions
    from typer._click.globals import get_current_context
except ImportError:  # an older typer, on click itself
    from click import exceptions  # type: ignore[no-redef]
    from click.globals import get_current_context  # type: ignore[no-redef]

__all__ = ["exceptions", "get_current_context"]
