"""Writes of the built-in simulated marketplace: the bulk load, its people and demo logins, and the ticks after."""
