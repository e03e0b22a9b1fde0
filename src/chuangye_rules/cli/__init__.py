"""The `chuangye` command: a thin shell over the library API (chuangye_rules.api).

Exit codes: 0 done; 1 problems found (validate, test) ; 2 input could not be used (a broken profile,
rulebook or option). Bad input is printed as `file:line:column: message`, never as a traceback.

One module per command group; importing them registers the commands on `app` in the order `--help` lists them.
"""

from . import evaluate, rulebooks, serve, batch, sql, compare, new  # noqa: F401, I001  (the order of --help)
from .app import app
from .main import main, usage_message

__all__ = ["app", "main", "usage_message"]
