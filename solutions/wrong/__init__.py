"""Modeled student mistakes, one module per topic area (registry: :mod:`solutions.mistakes`)."""
