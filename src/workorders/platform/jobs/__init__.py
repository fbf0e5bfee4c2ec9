"""Background jobs: the outbox table is the source of truth, rq the transport."""
