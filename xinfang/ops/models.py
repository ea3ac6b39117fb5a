"""Records of running the installation: periodic jobs, process heartbeats, measured figures."""

from __future__ import annotations

from django.db import models


class JobState(models.Model):
    """The last runs of one periodic job (``xinfang tick``): when it may run next, what it did."""

    name = models.CharField("任务", max_length=64, primary_key=True)
    last_started_at = models.DateTimeField("最近开始", null=True)
    last_finished_at = models.DateTimeField("最近结束", null=True)
    last_ok_at = models.DateTimeField("最近成功", null=True)
    last_ok = models.BooleanField("最近一次成功", default=False)
    last_result = models.JSONField("最近结果", default=dict)
    last_error = models.TextField("最近错误", blank=True)
    runs = models.PositiveIntegerField("运行次数", default=0)
    failures = models.PositiveIntegerField("失败次数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "定时任务"

    def __str__(self) -> str:
        return self.name


class Heartbeat(models.Model):
    """A long-running process (the worker) says it is alive, every few seconds."""

    name = models.CharField("进程", max_length=64, primary_key=True)
    seen_at = models.DateTimeField("最近心跳")
    started_at = models.DateTimeField("启动时间")
    host = models.CharField("主机", max_length=255)
    pid = models.PositiveIntegerField("进程号")

    class Meta:
        verbose_name = verbose_name_plural = "进程心跳"

    def __str__(self) -> str:
        return self.name


class Measurement(models.Model):
    """A figure too costly to compute on every metrics scrape (overdue deadlines by limit),
    measured by a periodic job and read by ``/-/metrics``."""

    name = models.CharField("指标", max_length=64)
    label = models.CharField("标签", max_length=64, blank=True)
    value = models.FloatField("数值")
    measured_at = models.DateTimeField("测量时间")

    class Meta:
        verbose_name = verbose_name_plural = "运行指标"
        constraints = [
            models.UniqueConstraint(fields=["name", "label"], name="ops_measurement_name_label")
        ]
