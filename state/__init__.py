"""Typed state, reducers, settings and the cost ledger."""
