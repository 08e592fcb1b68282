"""Helpers shared by test modules (media generation, embedded services)."""
