from django.conf import settings
from django.db import models

from zhongxinzu.lib.storage import random_upload_path


class ArchiveVolume(models.Model):
    """One build of a group's year archive volume (学习档案专卷): the .zip (catalogue first,
    then every document and original in order), the combined .docx for printing and the
    catalogue (卷内目录) as built. Rebuilding makes a new version; earlier ones are kept."""

    group = models.ForeignKey(
        "org.StudyGroup", on_delete=models.PROTECT, related_name="+", verbose_name="中心组"
    )
    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveSmallIntegerField("版本", default=1)
    built_at = models.DateTimeField("生成时间", auto_now_add=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="生成人",
    )
    job = models.ForeignKey(
        "jobs.Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="后台任务",
    )
    file = models.FileField("专卷（zip）", upload_to=random_upload_path)
    print_file = models.FileField("合订本（docx）", upload_to=random_upload_path)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    catalogue = models.JSONField("卷内目录", default=list)

    class Meta:
        verbose_name = "学习档案专卷"
        verbose_name_plural = "学习档案专卷"
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "year", "version"], name="archive_volume_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group_id} {self.year}年学习档案专卷 第{self.version}版"

    @property
    def documents(self) -> int:
        return len(self.catalogue)
