"""Below everything: located problems and their two-language messages, masking personal numbers, exact money,
calendar arithmetic and resource limits. Imports nothing else of the package."""
