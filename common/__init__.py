"""Tessera's shared library: the app factory and everything every service binds to it."""
