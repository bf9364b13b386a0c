"""Tessera services: one Flask blueprint (or AMQP worker) each."""
