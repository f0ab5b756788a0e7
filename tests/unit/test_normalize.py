from content.normalize import Normalizer, fold, stem

SYNONYMS = {"drf": ("django rest framework",), "nplusone": ("n+1",), "kubernetes": ("k8s",)}


def test_synonyms_fold_to_one_token_whatever_the_separators() -> None:
    normalizer = Normalizer(SYNONYMS)
    for text in ["Django REST Framework", "django-rest-framework", "DRF", "django_rest_framework"]:
        assert normalizer.tokens(text) == ["drf"], text


def test_punctuated_synonym() -> None:
    assert "npluson" in Normalizer(SYNONYMS).tokens("the N+1 problem")


def test_synonym_needs_word_boundaries() -> None:
    assert Normalizer(SYNONYMS).tokens("k8ss") == ["k8ss"]


def test_accents_case_and_apostrophes() -> None:
    assert Normalizer().tokens("Café’s INDEXES") == ["cafe", "s", "index"]


def test_fold_strips_accents_only_where_there_are_any() -> None:
    assert fold("Café’s `DRF´ view") == "cafe's 'drf' view"
    assert fold("e\u0301tag → ﬁle Ａpi 😀") == "etag → file api 😀"  # composed or not
    assert fold("naïve—ÀÉÎÕÜ") == "naive—aeiou"
    assert fold("plain ascii") == "plain ascii"


def test_stemming_is_consistent_across_forms() -> None:
    assert len({stem(w) for w in ["cache", "caches", "caching", "cached"]}) == 1
    assert stem("index") == stem("indexes")
    assert stem("query") == stem("queries")


def test_content_tokens_drop_stop_words_and_repeats() -> None:
    assert Normalizer().content_tokens("How do I use the index, the index?") == ["index"]
