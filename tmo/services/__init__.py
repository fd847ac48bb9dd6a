"""Services: what views call. Each takes the database session (or the request) and plain values,
applies the rules, writes the records and the audit log, and raises on refusal."""
