"""The five API surfaces' wire formats: views of the canonical records and error envelopes."""
