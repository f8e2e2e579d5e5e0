from django.conf import settings
from django.db import models
from django.utils import timezone

# Chinese names of the actions written so far; an action missing here shows as its code.
ACTION_LABELS = {
    "login": "登录",
    "logout": "退出",
    "login_failed": "登录失败",
    "lockout": "账号锁定",
    "login_blocked": "锁定期间尝试登录",
    "unlock": "解除锁定",
    "password_change": "修改密码",
    "password_reset": "重置密码",
    "role_change": "角色变更",
    "otp_setup": "绑定动态口令",
    "otp_failed": "动态口令验证失败",
    "otp_reset": "重置动态口令",
    "create": "新建",
    "update": "修改",
    "delete": "删除",
    "activate": "启用",
    "deactivate": "停用",
    "move": "移动",
    "import": "导入",
    "export": "导出",
    "document": "生成文档",
    "settings_change": "修改设置",
    "audit_purge": "清理过期审计记录",
    "api_token": "获取API令牌",
    "api_token_revoke": "撤销API令牌",
    "rule_change": "修改规则",
    "end": "结束",
    "backup": "备份",
    "restore": "恢复",
    "gen_scale": "生成规模测试数据",
    "issue": "下发",
    "acknowledge": "签收",
    "submit": "提交",
    "approve": "审批通过",
    "refuse": "不予批准",
    "return": "退回",
    "file": "报备",
    "reopen": "重新打开",
    "confirm": "确认",
    "download": "下载",
    "sign_in": "扫码签到",
    "attendance": "考勤",
    "session_held": "标记已举行",
    "session_record": "完成记录",
    "send_reminders": "发送提醒",
}


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("审计日志不可修改")

    def delete(self):
        raise PermissionError("审计日志不可删除")


class AuditEntry(models.Model):
    """One append-only audit record. Database triggers (see migrations) refuse updates and
    refuse deletes younger than the retention period, whatever the caller."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "成功"
        FAILURE = "failure", "失败"
        DENIED = "denied", "拒绝"

    # Set before insert (not auto_now_add) so the chain hash covers the stored time.
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    roles = models.CharField("角色", max_length=200, blank=True)
    unit = models.CharField("单位", max_length=200, blank=True)
    client_ip = models.GenericIPAddressField("客户端IP", null=True, blank=True)
    action = models.CharField("操作", max_length=40, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices)
    request_id = models.CharField("请求ID", max_length=36, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    # Hash chain (see audit.chain): each entry's hash covers its fields and the previous hash.
    hash_alg = models.CharField("摘要算法", max_length=10, blank=True, db_default="")
    prev_hash = models.CharField("前一记录摘要", max_length=64, blank=True, db_default="")
    entry_hash = models.CharField("本记录摘要", max_length=64, blank=True, db_default="")

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "审计记录"
        indexes = [
            models.Index(fields=["user", "at"]),
            models.Index(fields=["username", "at"], name="audit_username_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"

    # The queryset refuses bulk update/delete; these refuse the per-object paths too. The
    # database triggers are the last line for anything that bypasses the ORM.
    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("审计日志不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志不可删除")

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def detail_text(self) -> str:
        return "；".join(f"{k}: {v}" for k, v in self.detail.items()) if self.detail else ""


class AuditChainHead(models.Model):
    """The single row (pk 1) that serializes appends to the audit hash chain: every
    audit_record locks it, links the new entry to `last_hash` and moves it on. The purge
    keeps `anchor_hash` (the hash of the last purged entry) so the rest still verifies."""

    last_hash = models.CharField(max_length=64, blank=True)
    anchor_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "审计哈希链头"

    def __str__(self):
        return self.last_hash


class AuditVerification(models.Model):
    """One run of `manage.py verify_audit`; the audit log page shows the latest."""

    at = models.DateTimeField("校验时间", auto_now_add=True)
    ok = models.BooleanField("完整")
    checked = models.PositiveIntegerField("已校验条数", default=0)
    broken_entry_id = models.BigIntegerField("首条异常记录", null=True, blank=True)
    message = models.CharField("结果", max_length=300)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "审计日志校验"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.message}"
