"""Course content: read and validate the files (loader), then load them into the database (sync)."""
