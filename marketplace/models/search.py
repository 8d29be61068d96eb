"""The embedded search index: one row per searchable agency or posting (see marketplace.search).

Text columns hold pre-segmented tokens (marketplace.search.analysis); the full-text structures over
them are created by migration 0003 per database vendor: an FTS5 external-content table kept in step
by triggers on SQLite; on PostgreSQL stored generated tsvector columns (all text, and name-like text
alone) with GIN indexes, and a low toast_tuple_target so the long text lives in TOAST and the main
heap stays narrow (a bitmap scan over ten thousand matches then touches a few thousand small pages).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    class Kind(models.TextChoices):
        AGENCY = "agency", _("中介机构")
        PROJECT = "project", _("采购项目")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    object_id = models.BigIntegerField()
    key = models.CharField(_("标识"), max_length=30, help_text=_("USCC or project code"))
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    region_code = models.CharField(max_length=6)
    region_name = models.CharField(max_length=50, blank=True)
    grade = models.CharField(max_length=1, blank=True)
    status = models.CharField(max_length=12, blank=True)
    method = models.CharField(max_length=12, blank=True)
    # Space-delimited facet values for counting in one pass over the matches (" ZR01 JS05 ").
    service_codes = models.CharField(max_length=400, blank=True)
    price_buckets = models.CharField(max_length=40, blank=True)
    price_min = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    price_max = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    recency = models.DateTimeField(null=True, blank=True)
    tokens_primary = models.TextField(blank=True)
    tokens_body = models.TextField(blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="uniq_search_document")]
        indexes = [
            models.Index(fields=["kind", "grade", "recency"], name="search_doc_rank_idx"),
            models.Index(fields=["kind", "key"], name="search_doc_key_idx"),
            models.Index(fields=["indexed_at"], name="search_doc_indexed_idx"),
        ]
        verbose_name = _("搜索索引文档")
        verbose_name_plural = _("搜索索引文档")

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class SearchFacet(models.Model):
    """A filterable value of a document (region incl. ancestors, service type, price bucket)."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="facets")
    kind = models.CharField(max_length=8)
    facet = models.CharField(max_length=16)
    value = models.CharField(max_length=16)

    class Meta:
        indexes = [models.Index(fields=["kind", "facet", "value", "document"], name="search_facet_idx")]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}"
