"""Hashing, tokens and the signing key."""
