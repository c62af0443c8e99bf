"""The `discovery` operations: the API catalog (RFC 9727)."""
