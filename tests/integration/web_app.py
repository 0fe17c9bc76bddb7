"""The application the page tests drive: the same factory `blangko serve` uses."""

from fastapi import FastAPI

import web


def make_app() -> FastAPI:
    app = FastAPI()
    web.install(app)
    return app
