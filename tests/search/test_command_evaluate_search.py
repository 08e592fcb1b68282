"""evaluate_search end to end on a small generated catalogue, with the real embedder, in its
own throwaway database; and the labelled set's promise that paraphrases share no word."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from django.core.management import call_command

from feed.evaluation.synthetic import generate_items
from search.evaluation.metrics import ndcg_at_k, recall_at_k
from search.evaluation.queries import PARAPHRASES, catalogue_words, labelled_queries
from search.evaluation.runner import METHODS

KINDS = ("exact", "misspelt", "paraphrase", "mixed")


def test_paraphrases_share_no_word_with_any_caption_tag_or_category():
    words = catalogue_words()
    for tag, paraphrase in PARAPHRASES.items():
        assert not set(re.findall(r"[a-z0-9]+", paraphrase)) & words, tag


def test_each_tag_gets_an_exact_a_misspelt_and_a_paraphrased_query():
    items = generate_items(400, np.random.default_rng(2))
    queries = labelled_queries(items, seed=2)
    by_tag: dict[str, list] = {}
    for query in queries:
        by_tag.setdefault(query.tag, []).append(query)
    for tag, three in by_tag.items():
        exact, misspelt, paraphrase = three
        assert (exact.kind, misspelt.kind, paraphrase.kind) == ("exact", "misspelt", "paraphrase")
        assert exact.text != misspelt.text, tag
        assert max(exact.relevance.values()) == 2 and set(paraphrase.relevance.values()) == {1}


def test_graded_metrics():
    relevance = {"a": 2, "b": 1, "c": 2}
    assert ndcg_at_k(["a", "c", "b"], relevance, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "y"], relevance, 10) == 0.0
    assert recall_at_k(["a", "x", "b"], relevance, 10) == 0.5  # one of the two best
    assert 0 < ndcg_at_k(["b", "a"], relevance, 10) < 1


def test_report_has_every_method_and_kind_and_fusion_beats_keywords_on_paraphrases(
    embedder, outside_transaction, tmp_path
):
    out = tmp_path / "search.json"
    call_command("evaluate_search", items=300, seed=1, out=str(out), no_progress=True)
    report = json.loads(out.read_text())
    assert set(report["methods"]) == set(METHODS)
    for metrics in report["methods"].values():
        for kind in KINDS:
            assert 0.0 <= metrics[f"ndcg@10_{kind}"] <= 1.0
            assert 0.0 <= metrics[f"recall@10_{kind}"] <= 1.0
    assert report["queries"]["paraphrase"] == report["queries"]["exact"] > 10
    methods = report["methods"]
    # Paraphrases share no word with the catalogue: full-text finds nothing, while the
    # semantic path (and so the fusion) does.
    assert methods["fulltext"]["ndcg@10_paraphrase"] == 0.0
    assert methods["fused"]["ndcg@10_paraphrase"] > 0.1
