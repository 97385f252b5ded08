"""Business rules. No HTTP here: services take values and raise domain errors."""
