"""The rule for passwords set for someone else (an admin's form, the CSV import, `flask
create-admin`): at least 10 characters, and none of the passwords every guessing list
tries first. Kept small and here, not a library: the list matters less than the length,
and a phone keyboard in a rainstorm is the other side of the trade."""
from flask_babel import gettext as _

MIN_LENGTH = 10
MAX_LENGTH = 128

# What guessing lists try first (the common lists of Chinese and English leaks), lower-cased,
# 10 characters or more (anything shorter is refused by length already).
COMMON = frozenset("""
1234567890 0123456789 9876543210 1111111111 0000000000 1234554321 1122334455 1357924680
123456789a a123456789 123456789q q123456789 abc1234567 abcd123456 1234567890a qwertyuiop
qwerty1234 1qaz2wsx3edc 1q2w3e4r5t 1q2w3e4r5t6y asdfghjkl1 zxcvbnm123 password12 password123
password1234 passw0rd12 iloveyou12 woaini1314 woaini520a 5201314520 1314520520 aaaaaaaaaa
admin12345 admin123456 administrator root123456 fuxin12345 fuxin2024a fuxin20242024
""".split())


def password_problem(password: str) -> str | None:
    """Why this password may not be set, or None."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return _("密码至少%(n)s位", n=MIN_LENGTH)
    if password.lower() in COMMON or len(set(password)) <= 2:
        return _("这个密码太常见，容易被猜中，请换一个")
    return None
