"""Sessions: handlers -> service -> repository."""
