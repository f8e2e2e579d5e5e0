import string

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

CLASSES = [
    ("大写字母", set(string.ascii_uppercase)),
    ("小写字母", set(string.ascii_lowercase)),
    ("数字", set(string.digits)),
    ("符号", set(string.punctuation)),
]


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length check with a Chinese message (Django 5.2 changed the message text and
    its zh-hans catalogue has no translation for the new one)."""

    def get_error_message(self):
        return f"密码太短，至少需要{self.min_length}个字符"

    def get_help_text(self):
        return f"密码至少{self.min_length}个字符。"


class CharacterClassValidator:
    """At least three of: upper case, lower case, digits, symbols (等保 composition rule)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        found = sum(1 for _, chars in CLASSES if chars & set(password))
        if found < self.min_classes:
            raise ValidationError(
                "密码须至少包含大写字母、小写字母、数字、符号中的三类", code="password_classes"
            )

    def get_help_text(self):
        return "密码须至少包含大写字母、小写字母、数字、符号中的三类。"


class PasswordHistoryValidator:
    """The new password may not equal any of the user's last N passwords."""

    def validate(self, password, user=None):
        if user is None or not user.pk:
            return
        count = settings.PASSWORD_HISTORY_COUNT
        recent = list(user.password_history.values_list("password", flat=True)[:count])
        if user.password:
            recent.append(user.password)
        if any(check_password(password, old) for old in recent):
            raise ValidationError(
                f"新密码不能与最近{count}次使用过的密码相同", code="password_reused"
            )

    def get_help_text(self):
        return f"不能与最近{settings.PASSWORD_HISTORY_COUNT}次使用过的密码相同。"
