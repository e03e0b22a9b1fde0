"""The rules' model and its loading: the field catalog, the rulebook schema, safe YAML with locations, the
applicant profile and history, and what facts a rule reads. Imports only base."""
