# One image for the API and the worker (two commands). Debian 12 with Tesseract + vie, Ghostscript.
FROM python:3.11-slim-bookworm

ENV DEBIAN_FRONTEND=noninteractive PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd ghostscript qpdf poppler-utils \
      fonts-liberation2 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY intake ./intake
COPY models ./models
COPY worker ./worker
COPY documents ./documents
COPY infra ./infra
COPY migrations ./migrations
COPY synth ./synth
RUN pip install . && intake check

# The service runs as an unprivileged user that owns only the data folder (the code and the
# installed packages stay root's, read-only to it). A named volume mounted on /data starts with
# this ownership; a volume made by an older, root-run image needs one
# `docker compose run --rm --user root api chown -R intake: /data`.
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin intake \
 && mkdir -p /data && chown intake:intake /data
ENV INTAKE_DATA_DIR=/data HOME=/data
VOLUME /data
USER intake
EXPOSE 8000
# API:    docker run IMAGE
# Worker: docker run IMAGE python -m worker.daemons.supervisor   (docker-compose.yml runs both)
CMD ["python", "-m", "intake.cli.http_server", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
