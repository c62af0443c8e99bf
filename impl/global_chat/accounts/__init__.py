"""Organizations, users, principals and their credentials (API keys, JWTs)."""
