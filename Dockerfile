# syntax=docker/dockerfile:1
# Tessera in containers, for docker-compose.yml (`docker compose up --build`). One build,
# five targets:
#   app       — the services and workers: one Python image, the command picks which;
#               only what they run (common/, services/): no dev tooling (devstack/), no
#               provisioning (provision/), no tests
#   provision — the app image plus provision/ and etcd-seed/, for the one-shot jobs
#   web       — nginx with nginx/tessera.conf and the SPA built by the `frontend` stage
#   etcd      — etcd 3.4 with the v2 API that python-etcd needs
#   (frontend and build are only stages of the others)
# The local stack (`make up`) needs none of this. tests/docker checks this file: the
# `build` stage's instructions are run in a clean venv there, so keep them to
# ARG/ENV/WORKDIR/COPY/RUN with relative paths and "$VENV".

# The same Python in the stage that builds the venv and the one that runs it: the venv's
# scripts name the interpreter by its absolute path.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- the SPA ---------------------------------------------------------------------------
FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json frontend/.npmrc ./
# As devstack/install.py: npm ≥ 11.16 writes a package-lock.json that `npm ci` may
# then call out of sync (platform-specific optional packages, npm/cli#9846); only that
# failure falls back to `npm install --no-save`, which keeps the locked versions.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund > /tmp/npm-ci.log 2>&1 \
    || { cat /tmp/npm-ci.log; grep -q "are in sync" /tmp/npm-ci.log \
         && npm install --no-save --no-audit --no-fund; }
COPY frontend/ ./
RUN npm run build

# --- the Python venv: requirements.lock only, then Tessera itself --------------------------
FROM ${PYTHON_IMAGE} AS build
# Where the venv lives; the app stage copies it to the same path (see PYTHON_IMAGE).
ARG VENV=/opt/venv
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
COPY requirements.lock ./
# The runtime set only: requirements-dev.lock (mongod wheel, supervisor, pytest,
# playwright …) never enters the image.
RUN --mount=type=cache,target=/root/.cache/pip \
    python -m venv "$VENV" \
    && "$VENV/bin/pip" install -r requirements.lock
COPY pyproject.toml ./
COPY common/ common/
COPY services/ services/
# Not editable: the image needs the installed package (with its package data: the mail
# templates), not this source tree.
RUN --mount=type=cache,target=/root/.cache/pip \
    "$VENV/bin/pip" install --no-deps .

# --- the services and workers ------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS app
ARG VENV=/opt/venv
ENV PATH="${VENV}/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    GUNICORN_CMD_ARGS="--workers 1 --timeout 30 --no-control-socket --preload --worker-class common.gunicorn_worker.FsaSyncWorker --limit-request-fields 32768 --config python:common.gunicorn_conf"
# GUNICORN_CMD_ARGS: what the local stack gives every gunicorn, besides --bind; the
# control socket would otherwise go to $HOME, which this user does not have. The worker
# class answers gunicorn's own parse errors as FSAs; the field count is bounded by nginx's
# header buffers instead of gunicorn's 100 (common/gunicorn_worker.py). The config module
# holds only server hooks: the master serves the workers' summed metrics on
# TESSERA_METRICS_PORT (common/gunicorn_conf.py; docker-compose.yml sets the port).
# One worker process per container unless its command says more: docker-compose.yml gives
# authn and personal-data `--workers 2`, as devstack/topology.py's GUNICORN_WORKERS does
# (each sync worker holds 15-20 MiB of its own once it has served traffic; issue 15).
# A fixed uid, so volumes and a Kubernetes runAsUser can name it.
RUN groupadd --gid 10001 tessera \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin tessera \
    && mkdir /outbox && chown 10001:10001 /outbox
COPY --from=build ${VENV} ${VENV}
WORKDIR /srv/tessera
USER 10001:10001
EXPOSE 8101-8109
# docker-compose.yml gives each container its own command; by default, the first service.
CMD ["gunicorn", "--bind", "0.0.0.0:8101", "services.jsconfig.app:create_app()"]

# --- the one-shot provisioning jobs ---------------------------------------------------
# rabbitmq-users, mongo-users and seed (docker-compose.yml) run `python -m provision.…`.
# A target of their own, so that the runtime image above holds none of it; built on
# `app` because provisioning uses the runtime library with the same locked dependencies
# (the catalog of services, the queue specs, and each service's config schema, which
# validates the seed). The package and the seed are copied as source into the WORKDIR,
# which `python -m` puts on sys.path; they are not installed into the venv.
FROM app AS provision
USER root
# rabbitmq-users writes the broker's definitions into a volume mounted here: a new
# volume takes this directory's owner.
RUN mkdir /etc/tessera-rabbitmq && chown 10001:10001 /etc/tessera-rabbitmq
USER 10001:10001
COPY provision/ /srv/tessera/provision/
COPY etcd-seed/ /srv/tessera/etcd-seed/
CMD ["python", "-m", "provision.seed", "--dir", "/srv/tessera/etcd-seed"]

# --- nginx: the one way in -------------------------------------------------------------
# nginx 1.22: the version of Debian 12's nginx-light, which the local stack runs and
# tests/devstack and tests/docker check the configuration with.
FROM nginx:1.22 AS web
COPY nginx/tessera.conf /etc/nginx/nginx.conf
COPY --from=frontend /src/frontend/dist /usr/share/nginx/html
EXPOSE 8080
# tessera.conf says `daemon off;` itself; the image's default `-g "daemon off;"` would
# repeat the directive, which nginx refuses.
CMD ["nginx"]

# --- etcd --------------------------------------------------------------------------------
# Debian 12's etcd 3.4.23: the very binary the local stack runs and tests, with the v2
# API that python-etcd speaks (--enable-v2=true; deprecated in 3.5, gone in 3.6). Built
# from Debian's archive on Docker Hub's debian image, like the other images here.
FROM debian:bookworm-slim AS etcd
# policy-rc.d (exit 101), as devstack/install.py does: the package must not start
# its daemon inside the build.
RUN printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d \
    && apt-get update \
    && apt-get install -y --no-install-recommends etcd-server etcd-client \
    && rm -rf /var/lib/apt/lists/* /usr/sbin/policy-rc.d \
    && install -d -o etcd -g etcd -m 700 /var/lib/etcd/data
# etcd 3.4 starts on arm64 only when told so (amd64 ignores it).
ARG TARGETARCH
ENV ETCD_UNSUPPORTED_ARCH=${TARGETARCH}
USER etcd
EXPOSE 2379
CMD ["etcd", "--data-dir", "/var/lib/etcd/data", "--enable-v2=true"]
