"""Test helpers shared by several test modules (not tests themselves)."""
