"""Accounts: users, their passwords, and API tokens."""
