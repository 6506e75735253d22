# Migrasi Aman for production: the web app (Telegram and WhatsApp webhooks) on PostgreSQL.
# Build: docker build -t migrasi-aman .   Run with docker-compose.yml beside this file.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# The package carries its content, catalogs and migrations: a plain (not editable) install.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY content ./content
RUN pip install . && useradd --system --uid 10001 --home /app migrasi
USER migrasi

EXPOSE 8000
# Workers share one PostgreSQL database; each migrates at start under an advisory lock.
ENV WORKERS=2
CMD ["sh", "-c", "exec migrasi-aman serve --host 0.0.0.0 --port 8000 --workers ${WORKERS}"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
