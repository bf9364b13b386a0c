"""docker-compose.yml, the Dockerfile and nginx/tessera.conf, checked without a Docker engine."""
