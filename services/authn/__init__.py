"""authn: login, logout, the session and re-authentication."""
