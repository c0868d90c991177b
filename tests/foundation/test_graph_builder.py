from graphgen_neo4j.ids import content_id, normalize_key


def test_normalize_key_folds_width_case_space_and_quotes() -> None:
    assert normalize_key(" “Ｒｉｃｅ   Blast” ") == "rice blast"
    assert normalize_key("《稻瘟病》") == "稻瘟病"
    assert normalize_key("'\"OsDT11\"'") == "osdt11"


def test_content_id_is_a_stable_hash() -> None:
    assert content_id("doc", "abc") == content_id("doc", "abc") != content_id("doc", "abd")
    assert content_id("chunk", "abc").startswith("chunk-")


def test_build_graph_follows_the_data_model(build_graph, graph) -> None:
    ids = build_graph(
        entities=[("刘备", "PERSON", "蜀汉皇帝。", {"aliases": ["刘玄德"]})],
        relations=[("刘备", "诸葛亮", "刘备三顾茅庐请诸葛亮出山。", {"loss": 1.5})],
    )
    rows = graph.query(
        "MATCH (:Alias {key: '刘玄德'})-[:ALIAS_OF]->(e:Entity)-[r:RELATED]->(t:Entity) "
        "RETURN e.id AS e, r.id AS r, r.loss AS loss, t.type AS t"
    )
    assert rows == [{"e": ids["刘备"], "r": ids["刘备->诸葛亮"], "loss": 1.5, "t": "UNKNOWN"}]
