# Downhill as a container: any Docker host, or a Hugging Face Docker Space (app_port: 8501).
# Build: docker build -t downhill .    Run: docker run --rm -p 8501:8501 downhill
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# One BLAS thread per computation: the server already runs one script thread per visitor, and
# multi-threaded OpenBLAS on small stacked matrix products oversubscribes a small box (the network
# page's worst landscape took 2x longer with default threads on a busy 2-core machine).
ENV OPENBLAS_NUM_THREADS=1 \
    OMP_NUM_THREADS=1 \
    MKL_NUM_THREADS=1

# Hugging Face Spaces run the container as uid 1000; use the same unprivileged user everywhere.
RUN useradd --create-home --uid 1000 user
ENV HOME=/home/user \
    PATH=/home/user/.local/bin:$PATH
WORKDIR /home/user/app

# Runtime pins only (requirements-dev.txt is for tests, never shipped). Installed before the code
# is copied so a code change does not reinstall the dependencies.
COPY --chown=user requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY --chown=user . .
USER user

EXPOSE 8501

# Slim images have no curl: probe Streamlit's health endpoint with the standard library.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status == 200 else 1)"]

# .streamlit/config.toml (copied above) supplies the production settings: headless, no usage
# stats, no file watcher, no error details for visitors.
CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0"]
