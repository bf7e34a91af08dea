# One image for every Seams process; the role is chosen by the start command.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/seams

RUN groupadd --system seams && useradd --system --gid seams --home-dir /srv/seams seams

COPY pyproject.toml README.md ./
COPY project ./project
COPY apps ./apps
COPY contracts ./contracts
COPY extraction ./extraction
COPY apikit ./apikit
COPY manage.py importlinter.ini ./

RUN pip install --no-cache-dir . \
    && SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

USER seams
EXPOSE 8000

# Web role by default; workers run `celery -A project worker`, the relay
# `python manage.py outbox relay`.
CMD ["gunicorn", "project.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--worker-class", "gthread", "--workers", "2", "--threads", "8", \
     "--access-logfile", "-"]
