"""Search: one box on every page, results by kind with filters, and colleagues to ask."""

from flask import Blueprint

bp = Blueprint("search", __name__)

from forum.search import views  # noqa: E402,F401
