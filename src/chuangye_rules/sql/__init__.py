"""Rulebooks as one SQL query (`chuangye sql`): see query.py."""

from .query import DIALECTS, SqlError, rulebooks_query, write_sql

__all__ = ["DIALECTS", "SqlError", "rulebooks_query", "write_sql"]
