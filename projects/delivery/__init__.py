"""Service delivery: the service job and its clock, 补正 pauses, extensions, deliverables, owner-side deadlines."""
