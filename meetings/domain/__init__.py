"""Business rules and queries. Never imports the web framework."""
