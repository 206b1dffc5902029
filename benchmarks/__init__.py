"""Reproducible speed comparisons against peers run in the same process (`make bench`)."""
