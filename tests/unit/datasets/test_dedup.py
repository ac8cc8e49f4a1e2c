from workbench.datasets import jaccard, near_duplicates, shingles

Q = 'Fill in the numbered blanks in this sentence from the context: "The Senate of the United States shall be composed of ____ (1) Senators from each ____ (2)."'


def test_shingles_and_jaccard():
    assert shingles("a b c d", 3) == {"a b c", "b c d"}
    assert shingles("Two words", 3) == {"two words"}
    assert jaccard({"x"}, {"x"}) == 1.0 and jaccard({"x"}, {"y"}) == 0.0


def test_near_duplicates_are_found_and_distinct_questions_kept():
    texts = [
        Q,
        Q.replace("Senators", "Senators,"),  # punctuation only: same word 3-grams
        Q.replace("from each", "for each"),  # one word changed: Jaccard about 0.8
        "Which Article gives the judicial Power to one supreme Court, and how are its Judges paid?",
        Q,
    ]
    dropped = near_duplicates(texts, threshold=0.7)
    assert dropped == [1, 2, 4]
    assert near_duplicates(texts, threshold=0.99) == [1, 4]
    assert near_duplicates(texts, threshold=0.7) == dropped  # deterministic


def test_no_texts_no_drops():
    assert near_duplicates([]) == [] and near_duplicates(["only one"]) == []
