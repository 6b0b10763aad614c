"""One rule for every phone number typed into the app: a person's (admin forms and imports)
and a resident's (a request raised at the tablet or in the field).

A number is a mobile (11 digits, 13x to 19x) or a landline with its area code (0535-6681234
or 05356681234). A landline without its area code is refused: a request is often handed to
someone in another district, who could not call it. Spaces and a +86 prefix are how people
write numbers, not part of them, and are taken away before the check."""
import re

from flask_babel import gettext as _
from wtforms.validators import ValidationError

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def normalise_phone(value):
    """A WTForms filter: 138 1234 5678 and +8613812345678 are 13812345678."""
    if not isinstance(value, str):
        return value
    value = re.sub(r"\s+", "", value)
    return value[3:] if value.startswith("+86") else value


def is_phone(value: str) -> bool:
    return bool(MOBILE_RE.match(value) or LANDLINE_RE.match(value))


def check_phone(form, field):
    """A WTForms validator; an empty field is the Optional() validator's to allow."""
    if field.data and not is_phone(field.data):
        raise ValidationError(_("电话号码 %(phone)s 不正确：请填写11位手机号，或带区号的座机号（如 0535-6681234）",
                                phone=field.data))
