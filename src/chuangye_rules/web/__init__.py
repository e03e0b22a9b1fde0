"""The self-service web screener and the HTTP API (`chuangye serve`); needs the `web` extra."""

from .server import create_app

__all__ = ["create_app"]
