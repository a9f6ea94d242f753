"""The baseline: a bare Flask endpoint returning a small `jsonify` dict, nothing else."""

from __future__ import annotations

from flask import Flask, Response, jsonify

app = Flask(__name__)


@app.get("/ping")
def ping() -> Response:
    return jsonify(status="ok", service="bare", version=1)
