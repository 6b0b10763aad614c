"""An entry of one of the admin's coded lists: task kinds (工作类型), request categories (诉求
类别), the services of service days (便民服务项目). Devices and old records name an entry by
its code, which never changes; its Chinese and English names, its place in the list and
whether it is still offered may."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .i18n import is_english


class CodedEntryMixin:
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    label: Mapped[str] = mapped_column(sa.String(32))
    label_en: Mapped[str | None] = mapped_column(sa.String(64))
    sort: Mapped[int] = mapped_column(default=100)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def display_label(self) -> str:
        """The English name where the page is in English and the admin gave one."""
        return self.label_en if self.label_en and is_english() else self.label
