"""Data access: the single-table model and the only code that talks to DynamoDB."""
