"""Gatehouse shared layer: one identity store served through five API surfaces."""
