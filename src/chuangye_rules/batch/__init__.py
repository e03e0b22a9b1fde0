"""Batch evaluation of applicant lists (政策找人): columnar, chunked, exact.

Layers: columns.py (reading CSV/XLSX and parsing text columns into typed ones, with row errors) →
compile.py (rulebooks → polars expressions) → engine.py (a typed chunk → results) → runner.py (files,
chunks, atomic outputs, progress) → budget.py (the report per benefit and department).
"""
