# One image for every Seams process: the role is the first argument (web, worker,
# beat, relay, migrate, gateway, manage …; see deploy/entrypoint.sh), the apps it
# runs and the services it calls come from the environment (SEAMS_SERVICES,
# SEAMS_SERVICE_URLS, DATABASE_URL, CELERY_BROKER_URL …; see README.md).

# --- build: the project and its dependencies in a virtualenv ------------------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# Only the dependencies go into the virtualenv (the code runs from /srv/seams):
# this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
RUN mkdir -p project apps contracts extraction apikit \
    && pip install --no-cache-dir . \
    && pip uninstall --yes seams

# --- runtime: the virtualenv, the code, static files; no compiler, no root ----------
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/srv/seams \
    PORT=8000 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/seams-metrics

RUN groupadd --system --gid 10001 seams \
    && useradd --system --uid 10001 --gid seams --home-dir /srv/seams --shell /usr/sbin/nologin seams

WORKDIR /srv/seams
COPY --from=build /opt/venv /opt/venv
COPY --chown=root:root manage.py importlinter.ini ./
COPY --chown=root:root project ./project
COPY --chown=root:root apps ./apps
COPY --chown=root:root contracts ./contracts
COPY --chown=root:root extraction ./extraction
COPY --chown=root:root apikit ./apikit
COPY --chown=root:root deploy/entrypoint.sh deploy/gunicorn.conf.py deploy/healthcheck.py ./deploy/

# Static files are collected at build time and served by whitenoise.
RUN SECRET_KEY=collectstatic-only PROMETHEUS_MULTIPROC_DIR='' python manage.py collectstatic --noinput \
    && chmod 0755 deploy/entrypoint.sh

USER 10001:10001
EXPOSE 8000

# Liveness of the web roles; worker, beat and relay containers switch it off
# (deploy/compose) or are probed by Kubernetes instead.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "deploy/healthcheck.py"]

ENTRYPOINT ["/srv/seams/deploy/entrypoint.sh"]
CMD ["web"]
