"""Elasticsearch backend (elasticsearch.dsl, client 8.19).

Mappings (AgencyDocument / ProjectDocument):

* ``tokens_primary`` / ``tokens_body``: the same jieba-segmented text the embedded backend indexes
  (words, pinyin, initials, one-character masks; see analysis.py), analysed by a *whitespace +
  lowercase* analyser. This is what queries run against, so a stock Elasticsearch with no plugins
  behaves exactly like the embedded backend.
* ``name`` and ``text``: the raw Chinese text analysed by ``settings.SEARCH_ES_CHINESE_ANALYZER``:
  ``"standard"`` by default (stock; one token per CJK character), ``"smartcn"`` with the
  analysis-smartcn plugin (``bin/elasticsearch-plugin install analysis-smartcn``) or
  ``"ik_max_word"`` with the IK plugin (search analyser ``ik_smart``). They add a phrase-level
  signal (``match_phrase`` on the user's words) on top of the token match.
* ``pinyin``: pinyin of the key words (full syllables per word, whole-name full pinyin and initials)
  with an ``edge_ngram`` subfield ``pinyin.prefix`` so ``cehui`` / ``jxch`` match as prefixes. The analysis-pinyin
  plugin could compute it server-side; we precompute it with pypinyin so stock servers work.
* Facet fields are keywords: ``region_code``, ``region_path`` (own code + ancestors, for filtering),
  ``service_codes``, ``price_buckets``, ``grade``, ``method``, ``status``; ``recency`` is a date.

Indices are named ``<prefix>-<kind>-<timestamp>`` behind the alias ``<prefix>-<kind>``. ``rebuild``
bulk-loads a new index (``helpers.streaming_bulk``), refreshes it, then moves the alias in one
``update_aliases`` call (atomic: searches see the old or the new index, never none) and deletes the
old indices. Incremental updates write through the alias.

Ranking: ``function_score`` over the token query, ``boost_mode=multiply``, ``score_mode=sum`` of a
grade weight (A 1.3, B 1.15, C 1.0, D 0.9; 1.0 when ungraded) and an exponential recency decay
(weight 0.2, half-life 180 days): relevance × (grade factor + recency bonus). It is multiplicative
because Elasticsearch cannot normalise by the best score in the result as ranking.py does; the order
it gives is the same in the common cases (same relevance → grade, then recency, decides).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from elasticsearch.dsl import (
    Date,
    Document,
    Index,
    Keyword,
    Long,
    Q,
    ScaledFloat,
    Search,
    Text,
    analyzer,
    token_filter,
)

from marketplace.search import analysis, ranking, registry
from marketplace.search.analysis import Term
from marketplace.search.types import AGENCY, FACETS, PROJECT, Hit, RawResult

PRESEGMENTED = analyzer("zjcs_presegmented", tokenizer="whitespace", filter=["lowercase"])
PINYIN_PREFIX = analyzer("zjcs_pinyin_prefix", tokenizer="whitespace",
                         filter=["lowercase", token_filter("zjcs_edge", "edge_ngram", min_gram=1, max_gram=30)])
GRADE_WEIGHTS = {"A": 1 + ranking.GRADE_BONUS["A"], "B": 1 + ranking.GRADE_BONUS["B"],
                 "C": 1 + ranking.GRADE_BONUS["C"], "D": 1 + ranking.GRADE_BONUS["D"]}
FACET_FIELDS = {"region": "region_code", "service_type": "service_codes", "price": "price_buckets",
                "grade": "grade", "method": "method", "status": "status"}
FILTER_FIELDS = {"region": "region_path", "service_type": "service_codes", "price": "price_buckets",
                 "grade": "grade", "method": "method", "status": "status"}


def chinese_analyzer() -> str:
    return getattr(settings, "SEARCH_ES_CHINESE_ANALYZER", "standard")


class SearchDocumentBase(Document):
    kind = Keyword()
    object_id = Long()
    key = Keyword()
    title = Keyword(index=False)
    summary = Keyword(index=False)
    name = Text(analyzer=chinese_analyzer())
    text = Text(analyzer=chinese_analyzer())
    tokens_primary = Text(analyzer=PRESEGMENTED)
    tokens_body = Text(analyzer=PRESEGMENTED)
    pinyin = Text(analyzer=PRESEGMENTED, fields={"prefix": Text(analyzer=PINYIN_PREFIX, search_analyzer=PRESEGMENTED)})
    region_code = Keyword()
    region_name = Keyword(index=False)
    region_path = Keyword()
    grade = Keyword()
    status = Keyword()
    method = Keyword()
    service_codes = Keyword()
    price_buckets = Keyword()
    price_min = ScaledFloat(scaling_factor=100)
    price_max = ScaledFloat(scaling_factor=100)
    recency = Date()


class AgencyDocument(SearchDocumentBase):
    """An admitted agency (中介机构)."""


class ProjectDocument(SearchDocumentBase):
    """A published posting (采购项目)."""


DOCUMENT_CLASSES = {AGENCY: AgencyDocument, PROJECT: ProjectDocument}
INDEX_SETTINGS = {"number_of_shards": 1, "number_of_replicas": 0}


def alias_name(kind: str) -> str:
    return f"{getattr(settings, 'ELASTICSEARCH_INDEX_PREFIX', 'zjcs')}-{kind}"


def new_index_name(kind: str, now: dt.datetime) -> str:
    return f"{alias_name(kind)}-{now.strftime('%Y%m%d%H%M%S%f')}"


def build_index(name: str, kind: str) -> Index:
    index = Index(name)
    index.settings(**INDEX_SETTINGS)
    index.document(DOCUMENT_CLASSES[kind])
    return index


def pinyin_of(doc: dict) -> str:
    """The pinyin tokens already in tokens_primary (ASCII letters only) for the pinyin field."""
    return " ".join(t for t in doc["tokens_primary"].split() if t.isascii() and t.isalpha())


def to_source(doc: dict) -> dict:
    return {
        "kind": doc["kind"], "object_id": doc["object_id"], "key": doc["key"], "title": doc["title"],
        "summary": doc["summary"], "name": doc["name"], "text": doc["text"],
        "tokens_primary": doc["tokens_primary"], "tokens_body": doc["tokens_body"], "pinyin": pinyin_of(doc),
        "region_code": doc["region_code"], "region_name": doc["region_name"], "region_path": doc["region_path"],
        "grade": doc["grade"], "status": doc["status"], "method": doc["method"],
        "service_codes": doc["service_codes"], "price_buckets": doc["price_buckets"],
        "price_min": float(doc["price_min"]) if doc["price_min"] is not None else None,
        "price_max": float(doc["price_max"]) if doc["price_max"] is not None else None,
        "recency": doc["recency"].isoformat() if doc["recency"] else None,
    }


def bulk_actions(index: str, docs: Iterable[dict]):
    for doc in docs:
        yield {"_op_type": "index", "_index": index, "_id": str(doc["object_id"]), "_source": to_source(doc)}


# ---- queries (pure: tested through .to_dict() without a server) ----------------------------------

def term_query(term: Term, *, relaxed: bool = False) -> Q:
    alts = list(term.alternatives) + (list(term.relaxed) if relaxed else [])
    should = []
    for alt in alts:
        if term.prefix:
            should += [Q("prefix", tokens_primary={"value": alt, "boost": 4.0}),
                       Q("prefix", tokens_body={"value": alt}),
                       Q("term", **{"pinyin.prefix": {"value": alt, "boost": 2.0}})]
        else:
            should += [Q("term", tokens_primary={"value": alt, "boost": 4.0}), Q("term", tokens_body={"value": alt})]
    if not term.prefix and analysis.has_cjk(term.word):
        should.append(Q("match_phrase", name={"query": term.word, "boost": 2.0}))
        should.append(Q("match_phrase", text={"query": term.word}))
    return Q("bool", should=should, minimum_should_match=1)


def filter_clauses(kind: str, filters: dict[str, str]) -> list[Q]:
    clauses = [Q("term", kind=kind)]
    rule = registry.get(kind)
    if rule.shown is not None:
        shown = sorted(rule.shown)
        clauses.append(Q("term", status=shown[0]) if len(shown) == 1 else Q("terms", status=shown))
    if rule.hidden:
        clauses.append(~Q("terms", status=sorted(rule.hidden)))
    for name, value in sorted(filters.items()):
        clauses.append(Q("term", **{FILTER_FIELDS[name]: value}))
    return clauses


def ranked_query(kind: str, terms: tuple[Term, ...], filters: dict[str, str], *, now: dt.datetime,
                 relaxed: bool = False) -> Q:
    text = Q("bool", must=[term_query(t, relaxed=relaxed) for t in terms]) if terms else Q("match_all")
    functions = [{"filter": Q("term", grade=g), "weight": w} for g, w in GRADE_WEIGHTS.items()]
    functions.append({"filter": ~Q("exists", field="grade"), "weight": 1.0})
    functions.append({"filter": Q("term", grade=""), "weight": 1.0})
    functions.append({"exp": {"recency": {"origin": now.isoformat(), "scale": f"{ranking.RECENCY_HALF_LIFE_DAYS}d",
                                          "decay": 0.5}}, "weight": ranking.RECENCY_WEIGHT})
    scored = Q("function_score", query=text, functions=functions, score_mode="sum",
               boost_mode="multiply" if terms else "replace")
    return Q("bool", must=[scored], filter=filter_clauses(kind, filters))


def build_search(kind: str, terms, filters, *, page: int, page_size: int, now, relaxed: bool = False,
                 using=None) -> Search:
    s = Search(using=using, index=alias_name(kind)).query(ranked_query(kind, terms, filters, now=now, relaxed=relaxed))
    for facet in FACETS[kind]:
        s.aggs.bucket(facet, "terms", field=FACET_FIELDS[facet], size=200)
    s = s.extra(track_total_hits=True).sort("_score", {"object_id": "desc"})
    return s[(page - 1) * page_size: page * page_size]


class ElasticsearchBackend:
    name = "elasticsearch"

    def __init__(self, client=None):
        self._client = client

    @property
    def client(self):
        if self._client is None:
            from elasticsearch import Elasticsearch

            url = getattr(settings, "ELASTICSEARCH_URL", "")
            if not url:
                raise RuntimeError("ELASTICSEARCH_URL 未配置 / ELASTICSEARCH_URL is not set")
            self._client = Elasticsearch(url, request_timeout=30)
        return self._client

    # ---- searching ------------------------------------------------------------------------------
    def search(self, kind, terms, filters, *, page, page_size, now) -> RawResult:
        response = build_search(kind, terms, filters, page=page, page_size=page_size, now=now,
                                using=self.client).execute()
        relaxed = False
        if response.hits.total.value == 0 and any(t.relaxed for t in terms):
            response = build_search(kind, terms, filters, page=page, page_size=page_size, now=now, relaxed=True,
                                    using=self.client).execute()
            relaxed = True
        hits = [Hit(kind=kind, id=h.object_id, key=h.key, title=h.title, summary=h.summary or "",
                    region_code=h.region_code, region_name=h.region_name or "", grade=h.grade or "",
                    status=h.status or "", method=h.method or "", price_min=h.price_min, price_max=h.price_max,
                    score=round(h.meta.score or 0.0, 4)) for h in response.hits]
        facets = {name: {b.key: b.doc_count for b in getattr(response.aggregations, name).buckets}
                  for name in FACETS[kind]}
        return RawResult(hits=hits, total=response.hits.total.value, facets=facets, relaxed=relaxed)

    # ---- indexing -------------------------------------------------------------------------------
    def _ensure_alias(self, kind: str) -> None:
        alias = alias_name(kind)
        if not self.client.indices.exists_alias(name=alias):
            name = new_index_name(kind, dt.datetime.now(dt.UTC))
            build_index(name, kind).create(using=self.client)
            self.client.indices.update_aliases(actions=[{"add": {"index": name, "alias": alias}}])

    def index(self, docs: list[dict]) -> int:
        from elasticsearch import helpers

        by_kind: dict[str, list[dict]] = {}
        for d in docs:
            by_kind.setdefault(d["kind"], []).append(d)
        done = 0
        for kind, items in by_kind.items():
            self._ensure_alias(kind)
            ok, _errors = helpers.bulk(self.client, bulk_actions(alias_name(kind), items), refresh="wait_for")
            done += ok
        return done

    def delete(self, kind: str, ids: Iterable[int]) -> None:
        from elasticsearch import helpers

        self._ensure_alias(kind)
        actions = ({"_op_type": "delete", "_index": alias_name(kind), "_id": str(i)} for i in ids)
        helpers.bulk(self.client, actions, raise_on_error=False, refresh="wait_for")

    def indexed_ids(self, kind: str) -> set[int]:
        from elasticsearch import helpers

        self._ensure_alias(kind)
        return {int(h["_id"]) for h in helpers.scan(self.client, index=alias_name(kind), _source=False,
                                                    query={"query": {"match_all": {}}})}

    def rebuild(self, kind: str, chunks: Iterable[list[dict]], progress=None) -> int:
        """Build `<alias>-<timestamp>`, fill it, swap the alias atomically, drop the old indices."""
        from elasticsearch import helpers

        alias = alias_name(kind)
        name = new_index_name(kind, dt.datetime.now(dt.UTC))
        build_index(name, kind).create(using=self.client)
        total = 0
        for chunk in chunks:
            for ok, _item in helpers.streaming_bulk(self.client, bulk_actions(name, chunk), chunk_size=500):
                total += int(ok)
            if progress is not None:
                progress(len(chunk))
        self.client.indices.refresh(index=name)
        old = list(self.client.indices.get_alias(name=alias).keys()) if self.client.indices.exists_alias(name=alias) else []
        actions = [{"remove": {"index": o, "alias": alias}} for o in old] + [{"add": {"index": name, "alias": alias}}]
        self.client.indices.update_aliases(actions=actions)
        for o in old:
            self.client.indices.delete(index=o)
        return total
