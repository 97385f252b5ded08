"""Benchmarks: per-request latency, DynamoDB calls per request, and cold-start import time."""
