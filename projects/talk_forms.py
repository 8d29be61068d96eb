"""Forms of the clarification, attachment and job-message screens (parsing only; the rules are in services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

REVISABLE = ("scope", "ceiling", "floor", "requested_limit_wd")


class QuestionForm(forms.Form):
    question = forms.CharField(label=_("问题"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                               error_messages={"required": _("请填写问题 / the question is required")})


class AnswerForm(forms.Form):
    """The answer, and optionally the posting changes published with it as a revision."""

    answer = forms.CharField(label=_("答复（公开）"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
                             error_messages={"required": _("请填写答复 / the answer is required")})
    revise = forms.BooleanField(label=_("本答复变更了服务范围、限价或服务时限（同时发布变更公告）"), required=False)
    scope = forms.CharField(label=_("服务范围"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    ceiling = forms.DecimalField(label=_("最高限价（元）"), max_digits=14, decimal_places=2, required=False)
    floor = forms.DecimalField(label=_("最低限价（元）"), max_digits=14, decimal_places=2, required=False)
    requested_limit_wd = forms.IntegerField(label=_("服务时限（工作日）"), min_value=1, required=False)
    reason = forms.CharField(label=_("变更原因（留空则引用本答复）"), required=False, max_length=500)

    def changes(self, project) -> dict | None:
        """The revisable fields whose submitted value differs from the posting; None unless `revise` is ticked."""
        d = self.cleaned_data
        if not d.get("revise"):
            return None
        out = {}
        for key in REVISABLE:
            value = d.get(key)
            if value in (None, ""):
                continue
            if value != getattr(project, key):
                out[key] = value
        return out


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("文件（PDF、DOCX、XLSX、JPEG 或 PNG）"),
                           error_messages={"required": _("请选择文件 / choose a file")})
    title = forms.CharField(label=_("说明"), max_length=200, required=False)
    reason = forms.CharField(label=_("变更原因（已发布的项目添加附件时必填）"), max_length=500, required=False)


class MessageForm(forms.Form):
    body = forms.CharField(label=_("消息"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                           error_messages={"required": _("请填写消息内容 / the message is empty")})
