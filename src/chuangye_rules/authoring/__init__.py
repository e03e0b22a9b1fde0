"""The rulebook authors' tools: checks beyond the schema, case files, coverage, scaffolding, the JSON schema and
rulebook diffs. Imports engine, rules and base."""
