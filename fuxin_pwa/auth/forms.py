from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from .passwords import password_problem


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名")), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码")), Length(max=128)])
    remember = BooleanField(_l("记住我（30天）"), default=True)


class PasswordForm(FlaskForm):
    """A person choosing their own password: the one they have now, then the new one twice."""
    current = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码")), Length(max=128)])
    new = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码"))])
    confirm = PasswordField(_l("再输一次新密码"), validators=[
        DataRequired(_l("请再输一次新密码")), EqualTo("new", _l("两次输入的新密码不一致"))])

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_new(self, field):
        problem = password_problem(field.data)
        if problem:
            raise ValidationError(problem)
        if self.user.check_password(field.data):
            raise ValidationError(_l("新密码不能与当前密码相同"))
