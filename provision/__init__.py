"""Provisioning: what a deployment sets up before the services start, for the local stack
and for containers alike.

* ``provision.mongo_users`` — each service's and worker's MongoDB user with the least roles;
* ``provision.rabbitmq_definitions`` — RabbitMQ's users, permissions and work queues, as a
  definitions document the broker imports at boot;
* ``provision.seed`` — ``etcd-seed/`` validated and written into etcd.

No service or worker imports this package, so the runtime image leaves it out: the
one-shot jobs of docker-compose.yml run it from the Dockerfile's ``provision`` target,
and the local stack (``devstack``) imports it with the run dir's passwords and ports.
It depends on the runtime library (``common``: the catalog, the queue specs, the config
schemas), never the other way round.
"""
