# Partial stub for Flask-WTF 1.x (see typings/README.md).
from flask_wtf.csrf import CSRFProtect as CSRFProtect
from flask_wtf.form import FlaskForm as FlaskForm

__all__ = ["CSRFProtect", "FlaskForm"]
