"""Business rules: the only place that queries, locks, commits and audits."""
