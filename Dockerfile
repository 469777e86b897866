# resnet-viz for a class: one container = one Streamlit server (see the README's
# "Deploying for a class"). Build: docker build -t resnet-viz .
# Run:   docker run -p 8501:8501 -e STREAMLIT_BROWSER_SERVER_ADDRESS=<public host> resnet-viz
# Everything is installed at build time; at run time the app needs no network.
FROM python:3.11-slim-bookworm

# dot (diagrams/exports), chromium (kaleido's static plot export), fonts for both.
RUN apt-get update \
 && apt-get install -y --no-install-recommends graphviz chromium fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# torch==2.13.0 is pinned in requirements.txt; which wheel arrives (CPU or CUDA) depends on
# the index the builder uses (add --index-url/--extra-index-url for PyTorch's CPU index to
# keep the image small). Dependencies first, so code changes reuse this layer.
COPY requirements.txt pyproject.toml ./
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
RUN pip install --no-cache-dir --no-deps -e . \
 && useradd --create-home --uid 10001 app
USER app

ENV BROWSER_PATH=/usr/bin/chromium \
    PYTHONUNBUFFERED=1 \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_SERVER_PORT=8501 \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false
EXPOSE 8501

# Streamlit's own health endpoint; python instead of curl (slim images have no curl).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status != 200)"

CMD ["python", "-m", "streamlit", "run", "app.py"]
