# ALERT results records: the web application (gunicorn + whitenoise).
# Build:  docker build -t alert-results .
# Run:    see compose.yaml and docs/operations.md#containers
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=alert.settings \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DJANGO_MEDIA_ROOT=/data/media \
    GUNICORN_BIND=0.0.0.0:8000

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml ./
RUN mkdir -p alert units reporting \
    && touch alert/__init__.py units/__init__.py reporting/__init__.py \
    && pip install . \
    && pip uninstall -y alert-results

COPY . .
RUN pip install --no-deps . \
    && DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost \
       python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin alert \
    && mkdir -p /data/media \
    && chown -R alert /data

USER alert
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health/', timeout=4).status != 200)"
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
