"""The profile photo's upload: one file field; its bytes are judged by people/photos.py."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField


class PhotoForm(FlaskForm):
    photo = FileField(_l("照片（JPEG、PNG 或 WebP，不超过 10 MB）"))
