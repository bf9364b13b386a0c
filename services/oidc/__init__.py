"""Tessera as an OpenID Connect provider (authorization code flow only), on Authlib."""
