# Partial stub for Flask-WTF 1.x (see typings/README.md).
from wtforms.fields import FileField as _FileField

class FileField(_FileField):
    def process_formdata(self, valuelist: list[object]) -> None: ...
