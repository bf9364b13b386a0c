"""The local stack: private MongoDB, Redis, RabbitMQ, etcd, SMTP sink, services and nginx under `.run/`."""
