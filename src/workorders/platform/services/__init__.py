"""Use cases, one transaction each, shared by the API, the pages and the CLI."""
