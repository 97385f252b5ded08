"""HTTP plumbing shared by every function: app factory, dependencies, error mapping."""
