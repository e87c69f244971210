"""Domain logic. Services flush and never commit: the request (or CLI command) commits once."""
