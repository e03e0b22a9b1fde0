"""The reference evaluator: three-valued conditions, amounts, statuses, exclusions and totals. Imports rules and
base."""
