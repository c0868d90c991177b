"""The resolve benchmark corpus, written by hand, and the script that writes its JSONL files.

Every document below is an original short paragraph; with it comes the extraction reply a
careful LLM would write for it (in the shape ``prompts/extract.*.md`` asks for) and the
labelled pairs it contributes: ``T`` a true alias pair, ``N`` a hard negative. A careful
model does not list every alias: many are only in a description, or appear as a separate
entity in another document — that is what resolution has to find.

    python bench/resolve_data/build_corpus.py      # rewrites documents/extractions/labels.jsonl

It checks that every labelled name occurs in the extractions (as a name, an alias or in a
description) and that no pair is labelled twice.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DOCS: list[dict[str, Any]] = []
LABELS: list[dict[str, Any]] = []


def D(doc_id: str, text: str, entities: list[tuple], relations: list[tuple]) -> None:
    """A document and its extraction: entities ``(name, type, description, aliases)``, relations ``(source, target, description, keywords, strength)``."""
    DOCS.append({
        "id": doc_id, "text": text,
        "reply": {
            "entities": [{"name": n, "type": t, "description": d, "aliases": list(a)} for n, t, d, a in entities],
            "relations": [{"source": s, "target": g, "description": d, "keywords": list(k), "strength": w} for s, g, d, k, w in relations],
        },
    })


def T(a: str, b: str, kind: str) -> None:
    """A true pair: ``a`` and ``b`` name one entity."""
    LABELS.append({"a": a, "b": b, "same": True, "kind": kind})


def N(a: str, b: str, kind: str) -> None:
    """A hard negative: ``a`` and ``b`` are different entities that look alike or are closely related."""
    LABELS.append({"a": a, "b": b, "same": False, "kind": kind})


# ---------------------------------------------------------------- Three Kingdoms (zh, en)

D("hist-zh-01", "刘备，字玄德，涿郡涿县人，东汉末年起兵，后建立蜀汉。其子刘禅，字公嗣，继位为蜀汉后主。", [
    ("刘备", "person", "刘备字玄德，涿郡涿县人，东汉末年起兵，后来建立了蜀汉。", ["玄德"]),
    ("刘禅", "person", "刘禅字公嗣，是刘备之子，继位为蜀汉后主。", ["公嗣"]),
    ("蜀汉", "location", "蜀汉是刘备建立的政权，刘禅为其后主。", []),
], [
    ("刘备", "蜀汉", "刘备建立了蜀汉。", ["建立"], 9),
    ("刘禅", "刘备", "刘禅是刘备之子。", ["父子"], 9),
    ("刘禅", "蜀汉", "刘禅继位为蜀汉后主。", ["继位"], 8),
])
T("刘备", "玄德", "courtesy_name"); T("刘禅", "公嗣", "courtesy_name")
N("刘备", "刘禅", "kinship"); N("玄德", "公嗣", "kinship")

D("hist-zh-02", "建安十二年，玄德三顾茅庐，请诸葛亮出山。诸葛亮字孔明，号卧龙，琅琊阳都人，其兄诸葛瑾仕于东吴。", [
    ("玄德", "person", "玄德三次到茅庐拜访，请诸葛亮出山。", []),
    ("诸葛亮", "person", "诸葛亮字孔明，号卧龙，琅琊阳都人，应玄德之请出山。", ["孔明"]),
    ("诸葛瑾", "person", "诸葛瑾是诸葛亮的兄长，在东吴做官。", []),
    ("东吴", "location", "东吴是诸葛瑾任职的政权。", []),
    ("三顾茅庐", "event", "建安十二年，玄德三次拜访诸葛亮，请他出山，史称三顾茅庐。", []),
], [
    ("玄德", "诸葛亮", "玄德三顾茅庐，请诸葛亮出山。", ["三顾茅庐", "请出山"], 9),
    ("诸葛瑾", "诸葛亮", "诸葛瑾是诸葛亮的兄长。", ["兄弟"], 8),
    ("诸葛瑾", "东吴", "诸葛瑾在东吴做官。", ["仕于"], 7),
])
T("诸葛亮", "孔明", "courtesy_name"); T("诸葛亮", "卧龙", "art_name")
N("诸葛亮", "诸葛瑾", "kinship")

D("hist-en-03", "Zhuge Liang, whose courtesy name was Kongming, served as chancellor of Shu Han under Liu Bei. His elder brother Zhuge Jin served the rival state of Eastern Wu.", [
    ("Zhuge Liang", "person", "Zhuge Liang, whose courtesy name was Kongming, served as chancellor of Shu Han under Liu Bei.", []),
    ("Liu Bei", "person", "Liu Bei was the ruler of Shu Han under whom Zhuge Liang served as chancellor.", []),
    ("Zhuge Jin", "person", "Zhuge Jin was the elder brother of Zhuge Liang and served the state of Eastern Wu.", []),
    ("Shu Han", "location", "Shu Han was the state in which Zhuge Liang served as chancellor under Liu Bei.", []),
    ("Eastern Wu", "location", "Eastern Wu was a state that rivalled Shu Han; Zhuge Jin served it.", []),
], [
    ("Zhuge Liang", "Liu Bei", "Zhuge Liang served as chancellor under Liu Bei.", ["served", "chancellor"], 9),
    ("Zhuge Jin", "Zhuge Liang", "Zhuge Jin was the elder brother of Zhuge Liang.", ["brother"], 8),
    ("Zhuge Jin", "Eastern Wu", "Zhuge Jin served Eastern Wu.", ["served"], 7),
])
T("Zhuge Liang", "诸葛亮", "translation"); T("Zhuge Liang", "Kongming", "courtesy_name"); T("Liu Bei", "刘备", "translation")
T("Shu Han", "蜀汉", "translation"); T("Eastern Wu", "东吴", "translation")
T("Zhuge Jin", "诸葛瑾", "translation")  # added when the translation signal proposed it (unlabelled before)
N("Zhuge Liang", "Zhuge Jin", "kinship")

D("hist-zh-04", "赵云，字子龙，常山真定人，先从公孙瓒，后归刘备。长坂坡之战中，子龙单骑救出幼主刘禅。", [
    ("赵云", "person", "赵云字子龙，常山真定人，先追随公孙瓒，后来归附刘备。", ["子龙"]),
    ("公孙瓒", "person", "公孙瓒是赵云最初追随的人。", []),
    ("长坂坡之战", "event", "长坂坡之战中，赵云单骑救出了幼主刘禅。", []),
    ("刘备", "person", "刘备是赵云后来归附的人。", []),
    ("刘禅", "person", "刘禅是幼主，长坂坡之战中被赵云单骑救出。", []),
], [
    ("赵云", "刘备", "赵云后来归附刘备。", ["归附"], 8),
    ("赵云", "刘禅", "长坂坡之战中赵云单骑救出幼主刘禅。", ["救出"], 8),
])
T("赵云", "子龙", "courtesy_name")

D("hist-en-05", "Zhao Yun (赵云) was a general of Shu Han. At the Battle of Changban he rescued Liu Shan, the infant son of Liu Bei.", [
    ("Zhao Yun", "person", "Zhao Yun was a general of Shu Han who rescued Liu Shan at the Battle of Changban.", ["赵云"]),
    ("Liu Shan", "person", "Liu Shan was the infant son of Liu Bei; Zhao Yun rescued him at the Battle of Changban.", []),
    ("Battle of Changban", "event", "At the Battle of Changban, Zhao Yun rescued the infant Liu Shan.", []),
    ("Liu Bei", "person", "Liu Bei was the father of the infant Liu Shan.", []),
], [
    ("Zhao Yun", "Liu Shan", "Zhao Yun rescued Liu Shan at the Battle of Changban.", ["rescued"], 9),
    ("Liu Shan", "Liu Bei", "Liu Shan was the infant son of Liu Bei.", ["son of"], 8),
])
T("Zhao Yun", "赵云", "translation"); T("Liu Shan", "刘禅", "translation"); T("Battle of Changban", "长坂坡之战", "translation")
N("Liu Shan", "Liu Bei", "kinship")

D("hist-zh-06", "曹操，字孟德，小字阿瞒，沛国谯县人。曹丕是曹操的次子，篡汉称帝，建立曹魏；曹丕之弟曹植，字子建，以诗文著称。", [
    ("曹操", "person", "曹操字孟德，小字阿瞒，沛国谯县人。", ["孟德"]),
    ("曹丕", "person", "曹丕是曹操的次子，篡汉称帝，建立了曹魏。", []),
    ("曹植", "person", "曹植字子建，是曹丕之弟，以诗文著称。", ["子建"]),
    ("曹魏", "location", "曹魏是曹丕称帝后建立的政权。", []),
], [
    ("曹丕", "曹操", "曹丕是曹操的次子。", ["父子"], 9),
    ("曹丕", "曹魏", "曹丕建立了曹魏。", ["建立"], 9),
    ("曹植", "曹丕", "曹植是曹丕之弟。", ["兄弟"], 8),
])
T("曹操", "孟德", "courtesy_name"); T("曹操", "阿瞒", "also_known_as"); T("曹植", "子建", "courtesy_name")
N("曹操", "曹丕", "kinship"); N("曹丕", "曹植", "kinship"); N("曹操", "曹植", "kinship")

D("hist-en-07", "Cao Cao, styled Mengde, unified northern China. His son Cao Pi founded the state of Cao Wei in 220, and Cao Pi's younger brother Cao Zhi was a celebrated poet.", [
    ("Cao Cao", "person", "Cao Cao, styled Mengde, unified northern China; his son was Cao Pi.", []),
    ("Cao Pi", "person", "Cao Pi was the son of Cao Cao and founded the state of Cao Wei in 220.", []),
    ("Cao Zhi", "person", "Cao Zhi was the younger brother of Cao Pi and a celebrated poet.", []),
    ("Cao Wei", "location", "Cao Wei was the state founded by Cao Pi in 220.", []),
], [
    ("Cao Pi", "Cao Cao", "Cao Pi was the son of Cao Cao.", ["son of"], 8),
    ("Cao Pi", "Cao Wei", "Cao Pi founded Cao Wei in 220.", ["founded"], 9),
    ("Cao Zhi", "Cao Pi", "Cao Zhi was Cao Pi's younger brother.", ["brother"], 8),
])
T("Cao Cao", "曹操", "translation"); T("Cao Pi", "曹丕", "translation"); T("Cao Zhi", "曹植", "translation")
T("Cao Wei", "曹魏", "translation"); T("Cao Cao", "Mengde", "courtesy_name")
N("Cao Cao", "Cao Pi", "kinship"); N("Cao Pi", "Cao Zhi", "kinship"); N("Cao Wei", "Cao Cao", "homonym")

D("hist-zh-08", "孙坚有二子：长子孙策，字伯符；次子孙权，字仲谋。孙策早逝后，仲谋继承江东基业，后称帝建立东吴。", [
    ("孙坚", "person", "孙坚有两个儿子：长子孙策和次子孙权。", []),
    ("孙策", "person", "孙策字伯符，是孙坚的长子，早逝。", ["伯符"]),
    ("孙权", "person", "孙权字仲谋，是孙坚的次子，孙策死后继承江东基业，后来称帝建立东吴。", ["仲谋"]),
    ("东吴", "location", "东吴是孙权称帝后建立的政权。", []),
], [
    ("孙策", "孙坚", "孙策是孙坚的长子。", ["父子"], 9),
    ("孙权", "孙坚", "孙权是孙坚的次子。", ["父子"], 9),
    ("孙权", "孙策", "孙策早逝后由其弟孙权继承基业。", ["兄弟", "继承"], 8),
    ("孙权", "东吴", "孙权称帝建立东吴。", ["建立"], 9),
])
T("孙策", "伯符", "courtesy_name"); T("孙权", "仲谋", "courtesy_name")
N("孙坚", "孙策", "kinship"); N("孙坚", "孙权", "kinship"); N("孙策", "孙权", "kinship"); N("伯符", "仲谋", "kinship")

D("hist-en-09", "Sun Quan (182–252), courtesy name Zhongmou, was the founding emperor of Eastern Wu. He succeeded his elder brother Sun Ce, the eldest son of Sun Jian.", [
    ("Sun Quan", "person", "Sun Quan (182–252), courtesy name Zhongmou, was the founding emperor of Eastern Wu and succeeded his elder brother Sun Ce.", []),
    ("Sun Ce", "person", "Sun Ce was the eldest son of Sun Jian and the elder brother of Sun Quan, who succeeded him.", []),
    ("Sun Jian", "person", "Sun Jian was the father of Sun Ce.", []),
    ("Eastern Wu", "location", "Eastern Wu was the state whose founding emperor was Sun Quan.", []),
], [
    ("Sun Quan", "Eastern Wu", "Sun Quan was the founding emperor of Eastern Wu.", ["founded", "emperor"], 9),
    ("Sun Quan", "Sun Ce", "Sun Quan succeeded his elder brother Sun Ce.", ["succeeded", "brother"], 8),
    ("Sun Ce", "Sun Jian", "Sun Ce was the eldest son of Sun Jian.", ["son of"], 8),
])
T("Sun Quan", "孙权", "translation"); T("Sun Ce", "孙策", "translation"); T("Sun Jian", "孙坚", "translation")
T("Sun Quan", "Zhongmou", "courtesy_name")
N("Sun Quan", "Sun Ce", "kinship"); N("Sun Ce", "Sun Jian", "kinship")

D("hist-zh-10", "司马懿，字仲达，河内温县人，曹魏权臣。其长子司马师、次子司马昭相继掌握魏国朝政，司马昭之子司马炎后来建立西晋。", [
    ("司马懿", "person", "司马懿字仲达，河内温县人，是曹魏的权臣。", ["仲达"]),
    ("司马师", "person", "司马师是司马懿的长子，曾掌握魏国朝政。", []),
    ("司马昭", "person", "司马昭是司马懿的次子，继司马师之后掌握魏国朝政。", []),
    ("司马炎", "person", "司马炎是司马昭之子，后来建立了西晋。", []),
    ("西晋", "location", "西晋是司马炎建立的王朝。", []),
], [
    ("司马师", "司马懿", "司马师是司马懿的长子。", ["父子"], 9),
    ("司马昭", "司马懿", "司马昭是司马懿的次子。", ["父子"], 9),
    ("司马炎", "司马昭", "司马炎是司马昭之子。", ["父子"], 9),
    ("司马炎", "西晋", "司马炎建立西晋。", ["建立"], 9),
])
T("司马懿", "仲达", "courtesy_name")
N("司马懿", "司马师", "kinship"); N("司马懿", "司马昭", "kinship"); N("司马师", "司马昭", "kinship"); N("司马昭", "司马炎", "kinship")

D("hist-en-11", "Sima Yi, courtesy name Zhongda, was a regent of Cao Wei. His grandson Sima Yan ended Wei in 266 and founded the Western Jin.", [
    ("Sima Yi", "person", "Sima Yi, courtesy name Zhongda, was a regent of Cao Wei.", ["Zhongda"]),
    ("Sima Yan", "person", "Sima Yan was the grandson of Sima Yi; he ended Wei in 266 and founded the Western Jin.", []),
    ("Western Jin", "location", "The Western Jin was the dynasty Sima Yan founded in 266.", []),
    ("Cao Wei", "location", "Cao Wei was the state of which Sima Yi was a regent and which Sima Yan ended in 266.", []),
], [
    ("Sima Yan", "Sima Yi", "Sima Yan was Sima Yi's grandson.", ["grandson"], 8),
    ("Sima Yan", "Western Jin", "Sima Yan founded the Western Jin.", ["founded"], 9),
    ("Sima Yi", "Cao Wei", "Sima Yi was a regent of Cao Wei.", ["regent"], 8),
])
T("Sima Yi", "司马懿", "translation"); T("Sima Yi", "Zhongda", "courtesy_name"); T("Sima Yan", "司马炎", "translation")
T("Western Jin", "西晋", "translation")
N("Sima Yi", "Sima Yan", "kinship")

D("hist-zh-12", "关羽，字云长，河东解良人，与刘备、张飞情同兄弟。关羽之子关平随父镇守荆州。张飞字益德，后世小说多写作翼德。", [
    ("关羽", "person", "关羽字云长，河东解良人，与刘备、张飞情同兄弟。", ["云长"]),
    ("关平", "person", "关平是关羽之子，随父亲镇守荆州。", []),
    ("张飞", "person", "张飞字益德，后世小说多写作翼德。", ["益德"]),
    ("荆州", "location", "荆州是关羽和关平镇守的地方。", []),
], [
    ("关平", "关羽", "关平是关羽之子。", ["父子"], 9),
    ("关羽", "荆州", "关羽镇守荆州。", ["镇守"], 8),
    ("关羽", "张飞", "关羽与张飞情同兄弟。", ["结义"], 6),
])
T("关羽", "云长", "courtesy_name"); T("张飞", "益德", "courtesy_name"); T("张飞", "翼德", "courtesy_name")
N("关羽", "关平", "kinship")

D("hist-en-13", "Guan Yu, styled Yunchang, fought alongside Liu Bei and Zhang Fei. His son Guan Ping died with him in 220.", [
    ("Guan Yu", "person", "Guan Yu, styled Yunchang, fought alongside Liu Bei and Zhang Fei and died in 220.", []),
    ("Guan Ping", "person", "Guan Ping was the son of Guan Yu and died with him in 220.", []),
    ("Zhang Fei", "person", "Zhang Fei fought alongside Guan Yu and Liu Bei.", []),
], [
    ("Guan Yu", "Zhang Fei", "Guan Yu fought alongside Zhang Fei.", ["fought alongside"], 7),
    ("Guan Ping", "Guan Yu", "Guan Ping was Guan Yu's son.", ["son of"], 9),
])
T("Guan Yu", "关羽", "translation"); T("Guan Ping", "关平", "translation"); T("Zhang Fei", "张飞", "translation")
T("Guan Yu", "Yunchang", "courtesy_name")
N("Guan Yu", "Guan Ping", "kinship")

# ---------------------------------------------------------------- poets and thinkers (zh, en)

D("poet-zh-01", "苏洵，字明允，号老泉，眉州眉山人。苏洵有二子：长子苏轼，字子瞻，号东坡居士；次子苏辙，字子由。父子三人合称“三苏”。", [
    ("苏洵", "person", "苏洵字明允，号老泉，眉州眉山人，有苏轼、苏辙两个儿子。", ["明允"]),
    ("苏轼", "person", "苏轼字子瞻，号东坡居士，是苏洵的长子。", ["子瞻", "东坡居士"]),
    ("苏辙", "person", "苏辙字子由，是苏洵的次子。", []),
    ("三苏", "concept", "“三苏”是苏洵与其子苏轼、苏辙父子三人的合称。", []),
], [
    ("苏轼", "苏洵", "苏轼是苏洵的长子。", ["父子"], 9),
    ("苏辙", "苏洵", "苏辙是苏洵的次子。", ["父子"], 9),
    ("苏辙", "苏轼", "苏辙与苏轼是兄弟。", ["兄弟"], 7),
    ("苏轼", "三苏", "苏轼是“三苏”之一。", ["合称"], 7),
])
T("苏洵", "明允", "courtesy_name"); T("苏洵", "老泉", "art_name"); T("苏轼", "子瞻", "courtesy_name")
T("苏轼", "东坡居士", "art_name"); T("苏辙", "子由", "courtesy_name")
N("苏洵", "苏轼", "kinship"); N("苏洵", "苏辙", "kinship"); N("苏轼", "苏辙", "kinship"); N("子瞻", "子由", "kinship")
N("三苏", "苏轼", "collective")

D("poet-zh-02", "东坡居士被贬黄州期间写下《赤壁赋》。苏子由多次上书，为兄长东坡居士求情。", [
    ("东坡居士", "person", "东坡居士被贬黄州期间写下了《赤壁赋》。", []),
    ("赤壁赋", "work", "《赤壁赋》是东坡居士被贬黄州期间写下的作品。", []),
    ("黄州", "location", "黄州是东坡居士被贬之地。", []),
    ("苏子由", "person", "苏子由多次上书，为兄长东坡居士求情。", []),
], [
    ("东坡居士", "赤壁赋", "东坡居士写下《赤壁赋》。", ["创作"], 9),
    ("东坡居士", "黄州", "东坡居士被贬黄州。", ["被贬"], 8),
    ("苏子由", "东坡居士", "苏子由为兄长东坡居士上书求情。", ["兄弟", "求情"], 8),
])
T("苏辙", "苏子由", "courtesy_name")
N("东坡居士", "苏子由", "kinship")

D("poet-en-03", "Su Shi (1037–1101), also known by his art name Dongpo, was a Song dynasty poet. His father Su Xun and his younger brother Su Zhe were also writers; the three are remembered together as the Three Su.", [
    ("Su Shi", "person", "Su Shi (1037–1101), also known by his art name Dongpo, was a Song dynasty poet.", ["Dongpo"]),
    ("Su Xun", "person", "Su Xun was the father of Su Shi and a writer.", []),
    ("Su Zhe", "person", "Su Zhe was the younger brother of Su Shi and a writer.", []),
    ("Three Su", "concept", "The Three Su are Su Shi, his father Su Xun and his brother Su Zhe, remembered together as writers.", []),
    ("Song dynasty", "event", "The Song dynasty was the period in which Su Shi wrote.", []),
], [
    ("Su Xun", "Su Shi", "Su Xun was the father of Su Shi.", ["father of"], 9),
    ("Su Zhe", "Su Shi", "Su Zhe was the younger brother of Su Shi.", ["brother"], 9),
    ("Su Shi", "Three Su", "Su Shi is one of the Three Su.", ["member of"], 7),
])
T("Su Shi", "苏轼", "translation"); T("Su Xun", "苏洵", "translation"); T("Su Zhe", "苏辙", "translation")
T("Three Su", "三苏", "translation"); T("Su Shi", "Dongpo", "art_name"); T("Dongpo", "东坡居士", "translation")
N("Su Shi", "Su Xun", "kinship"); N("Su Shi", "Su Zhe", "kinship"); N("Su Xun", "Su Zhe", "kinship"); N("Three Su", "Su Shi", "collective")

D("poet-zh-04", "李白，字太白，号青莲居士，唐代诗人，被后人誉为“诗仙”。杜甫，字子美，自号少陵野老，与李白并称“李杜”。", [
    ("李白", "person", "李白字太白，号青莲居士，唐代诗人，被后人誉为“诗仙”。", ["太白"]),
    ("杜甫", "person", "杜甫字子美，自号少陵野老，唐代诗人，与李白并称“李杜”。", ["子美", "少陵野老"]),
    ("李杜", "concept", "“李杜”是李白与杜甫的并称。", []),
], [
    ("杜甫", "李白", "杜甫与李白并称“李杜”。", ["并称"], 7),
    ("李白", "李杜", "李白是“李杜”之一。", ["并称"], 6),
])
T("李白", "太白", "courtesy_name"); T("李白", "青莲居士", "art_name"); T("李白", "诗仙", "also_known_as")
T("杜甫", "子美", "courtesy_name"); T("杜甫", "少陵野老", "art_name")
N("李白", "杜甫", "distinct"); N("李杜", "李白", "collective")

D("poet-en-05", "Li Bai, also called Li Po in older English books, was a Tang dynasty poet. Du Fu admired him deeply.", [
    ("Li Bai", "person", "Li Bai, also called Li Po in older English books, was a Tang dynasty poet whom Du Fu admired.", ["Li Po"]),
    ("Du Fu", "person", "Du Fu was a poet who deeply admired Li Bai.", []),
], [
    ("Du Fu", "Li Bai", "Du Fu deeply admired Li Bai.", ["admired"], 7),
])
T("Li Bai", "李白", "translation"); T("Li Bai", "Li Po", "also_known_as"); T("Du Fu", "杜甫", "translation")
N("Li Bai", "Du Fu", "distinct")

D("poet-zh-06", "王守仁，字伯安，号阳明，世称阳明先生，明代思想家。其学说被后人称为阳明心学。", [
    ("王守仁", "person", "王守仁字伯安，号阳明，世称阳明先生，是明代思想家。", ["阳明先生"]),
    ("阳明心学", "concept", "阳明心学是王守仁的学说。", []),
], [
    ("王守仁", "阳明心学", "阳明心学是王守仁的学说。", ["创立", "学说"], 9),
])
T("王守仁", "阳明先生", "also_known_as"); T("王守仁", "伯安", "courtesy_name"); T("王守仁", "阳明", "art_name")
N("阳明先生", "阳明心学", "homonym"); N("王守仁", "阳明心学", "homonym")

D("poet-en-07", "Wang Yangming (1472–1529), born Wang Shouren, was a Ming dynasty philosopher. His school of mind later influenced Japanese thought.", [
    ("Wang Yangming", "person", "Wang Yangming (1472–1529), born Wang Shouren, was a Ming dynasty philosopher.", []),
    ("school of mind", "concept", "The school of mind of Wang Yangming later influenced Japanese thought.", []),
], [
    ("Wang Yangming", "school of mind", "Wang Yangming founded the school of mind.", ["founded"], 8),
])
T("Wang Yangming", "王守仁", "translation"); T("Wang Yangming", "Wang Shouren", "given_name")
T("school of mind", "阳明心学", "translation")

D("poet-zh-08", "陶渊明，名潜，字元亮，自号五柳先生，东晋诗人。", [
    ("陶渊明", "person", "陶渊明名潜，字元亮，自号五柳先生，是东晋诗人。", ["五柳先生"]),
], [])
T("陶渊明", "五柳先生", "art_name"); T("陶渊明", "元亮", "courtesy_name"); T("陶渊明", "潜", "given_name")

D("poet-zh-09", "陶潜辞去彭泽县令，归隐田园，作《归去来兮辞》。", [
    ("陶潜", "person", "陶潜辞去彭泽县令之职，归隐田园，写下《归去来兮辞》。", []),
    ("彭泽县", "location", "陶潜曾任彭泽县令。", []),
    ("归去来兮辞", "work", "《归去来兮辞》是陶潜归隐时所作。", []),
], [
    ("陶潜", "归去来兮辞", "陶潜作《归去来兮辞》。", ["创作"], 9),
    ("陶潜", "彭泽县", "陶潜辞去彭泽县令。", ["辞官"], 7),
])
T("陶渊明", "陶潜", "given_name")

D("geo-zh-16", "太白山是秦岭的主峰，位于陕西省境内。", [
    ("太白山", "location", "太白山是秦岭的主峰，位于陕西省境内。", []),
    ("秦岭", "location", "秦岭的主峰是太白山。", []),
], [
    ("太白山", "秦岭", "太白山是秦岭的主峰。", ["主峰"], 9),
])
N("太白", "太白山", "homonym"); N("太白山", "秦岭", "part_of")

# ---------------------------------------------------------------- abbreviations, modern and historical (zh, en)

D("abbr-zh-01", "世界卫生组织（WHO）成立于1948年，总部设在日内瓦。世卫组织于2015年将青蒿素类复方疗法列为治疗恶性疟的首选。", [
    ("世界卫生组织", "organization", "世界卫生组织（WHO）成立于1948年，总部设在日内瓦。", ["WHO"]),
    ("日内瓦", "location", "日内瓦是世界卫生组织总部所在地。", []),
    ("世卫组织", "organization", "世卫组织于2015年将青蒿素类复方疗法列为治疗恶性疟的首选。", []),
    ("青蒿素类复方疗法", "therapy", "青蒿素类复方疗法于2015年被列为治疗恶性疟的首选。", []),
    ("恶性疟", "disease", "恶性疟的首选疗法是青蒿素类复方疗法。", []),
], [
    ("世界卫生组织", "日内瓦", "世界卫生组织总部设在日内瓦。", ["总部"], 8),
    ("世卫组织", "青蒿素类复方疗法", "世卫组织将青蒿素类复方疗法列为首选。", ["推荐"], 8),
    ("青蒿素类复方疗法", "恶性疟", "青蒿素类复方疗法是治疗恶性疟的首选。", ["治疗"], 9),
])
T("世界卫生组织", "WHO", "abbreviation"); T("世界卫生组织", "世卫组织", "abbreviation")

D("abbr-en-02", "The World Health Organization, abbreviated as WHO, is a specialized agency of the United Nations. It should not be confused with the World Trade Organization (WTO).", [
    ("World Health Organization", "organization", "The World Health Organization, abbreviated as WHO, is a specialized agency of the United Nations.", ["WHO"]),
    ("United Nations", "organization", "The United Nations has the World Health Organization as a specialized agency.", []),
    ("World Trade Organization", "organization", "The World Trade Organization (WTO) is a different organization from the World Health Organization.", ["WTO"]),
], [
    ("World Health Organization", "United Nations", "The WHO is a specialized agency of the United Nations.", ["agency of"], 8),
])
T("World Health Organization", "WHO", "abbreviation"); T("World Health Organization", "世界卫生组织", "translation")
T("World Trade Organization", "WTO", "abbreviation")
N("WHO", "WTO", "distinct"); N("World Health Organization", "World Trade Organization", "distinct")

D("abbr-zh-03", "中国科学院，简称中科院，成立于1949年。中国工程院成立于1994年，与中科院同为国家最高学术机构，二者是两个不同的机构。", [
    ("中国科学院", "organization", "中国科学院简称中科院，成立于1949年。", ["中科院"]),
    ("中国工程院", "organization", "中国工程院成立于1994年，与中科院同为国家最高学术机构，但二者是两个不同的机构。", []),
    ("中科院", "organization", "中科院与中国工程院同为国家最高学术机构。", []),
], [
    ("中国工程院", "中科院", "中国工程院与中科院同为国家最高学术机构。", ["并列"], 6),
])
T("中国科学院", "中科院", "abbreviation")
N("中国科学院", "中国工程院", "distinct"); N("中科院", "中国工程院", "distinct")

D("abbr-en-04", "The Chinese Academy of Sciences (CAS) runs more than a hundred institutes. One of them, the Shanghai Institute of Materia Medica, synthesized artemether in the 1970s.", [
    ("Chinese Academy of Sciences", "organization", "The Chinese Academy of Sciences (CAS) runs more than a hundred institutes, among them the Shanghai Institute of Materia Medica.", ["CAS"]),
    ("Shanghai Institute of Materia Medica", "organization", "The Shanghai Institute of Materia Medica is one of the institutes of the Chinese Academy of Sciences; it synthesized artemether in the 1970s.", []),
    ("artemether", "drug", "Artemether was synthesized by the Shanghai Institute of Materia Medica in the 1970s.", []),
], [
    ("Chinese Academy of Sciences", "Shanghai Institute of Materia Medica", "The Shanghai Institute of Materia Medica is an institute of the CAS.", ["institute of"], 8),
    ("Shanghai Institute of Materia Medica", "artemether", "The institute synthesized artemether in the 1970s.", ["synthesized"], 9),
])
T("Chinese Academy of Sciences", "CAS", "abbreviation"); T("Chinese Academy of Sciences", "中国科学院", "translation")
N("Shanghai Institute of Materia Medica", "Chinese Academy of Sciences", "part_of")

D("abbr-zh-05", "聚合酶链式反应（PCR）可在体外扩增脱氧核糖核酸片段。实时荧光定量PCR（qPCR）是PCR的一种衍生技术，可对扩增产物实时定量。", [
    ("聚合酶链式反应", "method", "聚合酶链式反应（PCR）可以在体外扩增脱氧核糖核酸片段。", ["PCR"]),
    ("脱氧核糖核酸", "compound", "脱氧核糖核酸片段可以通过聚合酶链式反应在体外扩增。", []),
    ("实时荧光定量PCR", "method", "实时荧光定量PCR（qPCR）是PCR的一种衍生技术，可以对扩增产物进行实时定量。", ["qPCR"]),
], [
    ("聚合酶链式反应", "脱氧核糖核酸", "聚合酶链式反应在体外扩增脱氧核糖核酸片段。", ["扩增"], 9),
    ("实时荧光定量PCR", "聚合酶链式反应", "实时荧光定量PCR是PCR的衍生技术。", ["衍生"], 8),
])
T("聚合酶链式反应", "PCR", "abbreviation"); T("实时荧光定量PCR", "qPCR", "abbreviation")
N("PCR", "qPCR", "derivative"); N("聚合酶链式反应", "实时荧光定量PCR", "derivative")

D("abbr-en-06", "Deoxyribonucleic acid (DNA) carries genetic information, while ribonucleic acid (RNA) carries copies of it to the ribosome. The polymerase chain reaction copies DNA, not RNA.", [
    ("deoxyribonucleic acid", "compound", "Deoxyribonucleic acid (DNA) carries genetic information; the polymerase chain reaction copies it.", ["DNA"]),
    ("ribonucleic acid", "compound", "Ribonucleic acid (RNA) carries copies of genetic information to the ribosome.", ["RNA"]),
    ("ribosome", "concept", "The ribosome receives copies of genetic information carried by RNA.", []),
    ("polymerase chain reaction", "method", "The polymerase chain reaction copies DNA but not RNA.", []),
], [
    ("ribonucleic acid", "ribosome", "RNA carries copies of genetic information to the ribosome.", ["carries to"], 7),
    ("polymerase chain reaction", "deoxyribonucleic acid", "The polymerase chain reaction copies DNA.", ["copies"], 8),
])
T("deoxyribonucleic acid", "DNA", "abbreviation"); T("ribonucleic acid", "RNA", "abbreviation")
T("deoxyribonucleic acid", "脱氧核糖核酸", "translation"); T("polymerase chain reaction", "聚合酶链式反应", "translation")
N("DNA", "RNA", "distinct"); N("deoxyribonucleic acid", "ribonucleic acid", "distinct")

D("abbr-zh-07", "获得性免疫缺陷综合征，简称艾滋病，由人类免疫缺陷病毒（HIV）感染引起。", [
    ("获得性免疫缺陷综合征", "disease", "获得性免疫缺陷综合征简称艾滋病，由人类免疫缺陷病毒感染引起。", ["艾滋病"]),
    ("人类免疫缺陷病毒", "pathogen", "人类免疫缺陷病毒（HIV）感染会引起获得性免疫缺陷综合征。", ["HIV"]),
], [
    ("人类免疫缺陷病毒", "获得性免疫缺陷综合征", "人类免疫缺陷病毒感染引起获得性免疫缺陷综合征。", ["引起", "病原"], 10),
])
T("获得性免疫缺陷综合征", "艾滋病", "abbreviation"); T("人类免疫缺陷病毒", "HIV", "abbreviation")
N("艾滋病", "人类免疫缺陷病毒", "causal"); N("获得性免疫缺陷综合征", "人类免疫缺陷病毒", "causal")

D("abbr-en-08", "Acquired immunodeficiency syndrome, a.k.a. AIDS, is caused by the human immunodeficiency virus. Untreated HIV infection progresses to AIDS over several years.", [
    ("acquired immunodeficiency syndrome", "disease", "Acquired immunodeficiency syndrome (AIDS) is caused by the human immunodeficiency virus.", ["AIDS"]),
    ("human immunodeficiency virus", "pathogen", "The human immunodeficiency virus causes acquired immunodeficiency syndrome.", []),
    ("HIV", "pathogen", "Untreated HIV infection progresses to AIDS over several years.", []),
], [
    ("human immunodeficiency virus", "acquired immunodeficiency syndrome", "The virus causes AIDS.", ["causes"], 10),
    ("HIV", "acquired immunodeficiency syndrome", "Untreated HIV infection progresses to AIDS over several years.", ["progresses to"], 8),
])
T("acquired immunodeficiency syndrome", "AIDS", "abbreviation"); T("human immunodeficiency virus", "HIV", "abbreviation")
T("acquired immunodeficiency syndrome", "获得性免疫缺陷综合征", "translation"); T("human immunodeficiency virus", "人类免疫缺陷病毒", "translation")
N("HIV", "AIDS", "causal"); N("human immunodeficiency virus", "acquired immunodeficiency syndrome", "causal")

D("abbr-zh-09", "苏维埃社会主义共和国联盟，简称苏联，成立于1922年，1991年解体。", [
    ("苏维埃社会主义共和国联盟", "location", "苏维埃社会主义共和国联盟简称苏联，成立于1922年，1991年解体。", ["苏联"]),
], [])
T("苏维埃社会主义共和国联盟", "苏联", "abbreviation")

D("abbr-en-10", "The Union of Soviet Socialist Republics (USSR) was dissolved in 1991. The Russian Federation is its successor state, not the same country.", [
    ("Union of Soviet Socialist Republics", "location", "The Union of Soviet Socialist Republics (USSR) was dissolved in 1991.", ["USSR"]),
    ("Russian Federation", "location", "The Russian Federation is the successor state of the Union of Soviet Socialist Republics, not the same country.", []),
], [
    ("Russian Federation", "Union of Soviet Socialist Republics", "The Russian Federation is the successor state of the USSR.", ["successor"], 8),
])
T("Union of Soviet Socialist Republics", "USSR", "abbreviation"); T("Union of Soviet Socialist Republics", "苏维埃社会主义共和国联盟", "translation")
N("Russian Federation", "Union of Soviet Socialist Republics", "distinct")

D("abbr-zh-11", "北京大学简称北大，前身是1898年创办的京师大学堂。北京师范大学简称北师大，与北大是两所不同的大学。", [
    ("北京大学", "organization", "北京大学简称北大，前身是1898年创办的京师大学堂。", ["北大"]),
    ("京师大学堂", "organization", "京师大学堂创办于1898年，是北京大学的前身。", []),
    ("北京师范大学", "organization", "北京师范大学简称北师大，与北京大学是两所不同的大学。", ["北师大"]),
], [
    ("京师大学堂", "北京大学", "京师大学堂是北京大学的前身。", ["前身"], 9),
])
T("北京大学", "北大", "abbreviation"); T("北京师范大学", "北师大", "abbreviation"); T("北京大学", "京师大学堂", "formerly")
N("北京大学", "北京师范大学", "distinct"); N("北大", "北师大", "distinct")

# ---------------------------------------------------------------- drugs: brand and generic names, derivatives (zh, en)

D("drug-zh-01", "青蒿素是从植物黄花蒿中提取的抗疟药。双氢青蒿素是青蒿素的衍生物，由青蒿素还原而得，抗疟活性更强。", [
    ("青蒿素", "drug", "青蒿素是从植物黄花蒿中提取的抗疟药。", []),
    ("黄花蒿", "plant", "黄花蒿是提取青蒿素的植物。", []),
    ("双氢青蒿素", "drug", "双氢青蒿素是青蒿素的衍生物，由青蒿素还原而得，抗疟活性更强。", []),
], [
    ("青蒿素", "黄花蒿", "青蒿素从黄花蒿中提取。", ["提取"], 9),
    ("双氢青蒿素", "青蒿素", "双氢青蒿素由青蒿素还原而得。", ["衍生物", "还原"], 9),
])
N("青蒿素", "双氢青蒿素", "derivative")

D("drug-en-02", "Artemisinin (青蒿素) was isolated from sweet wormwood, Artemisia annua. Dihydroartemisinin, a derivative of artemisinin, is the active metabolite of both artemether and artesunate.", [
    ("artemisinin", "drug", "Artemisinin was isolated from sweet wormwood, Artemisia annua.", ["青蒿素"]),
    ("Artemisia annua", "plant", "Artemisia annua, sweet wormwood, is the plant from which artemisinin was isolated.", ["sweet wormwood"]),
    ("dihydroartemisinin", "drug", "Dihydroartemisinin is a derivative of artemisinin and the active metabolite of both artemether and artesunate.", []),
    ("artemether", "drug", "Artemether is converted in the body to its active metabolite dihydroartemisinin.", []),
    ("artesunate", "drug", "Artesunate is converted in the body to its active metabolite dihydroartemisinin.", []),
], [
    ("artemisinin", "Artemisia annua", "Artemisinin was isolated from Artemisia annua.", ["isolated from"], 9),
    ("dihydroartemisinin", "artemisinin", "Dihydroartemisinin is a derivative of artemisinin.", ["derivative"], 9),
    ("artemether", "dihydroartemisinin", "Dihydroartemisinin is the active metabolite of artemether.", ["metabolite"], 8),
    ("artesunate", "dihydroartemisinin", "Dihydroartemisinin is the active metabolite of artesunate.", ["metabolite"], 8),
])
T("artemisinin", "青蒿素", "translation"); T("Artemisia annua", "sweet wormwood", "also_known_as")
T("Artemisia annua", "黄花蒿", "translation"); T("dihydroartemisinin", "双氢青蒿素", "translation")
N("artemisinin", "dihydroartemisinin", "derivative"); N("dihydroartemisinin", "artemether", "derivative")
N("dihydroartemisinin", "artesunate", "derivative"); N("artemether", "artesunate", "distinct")

D("drug-zh-03", "蒿甲醚和青蒿琥酯都是青蒿素的半合成衍生物。复方蒿甲醚由蒿甲醚与本芴醇组成，商品名为“科泰复”，英文商品名Coartem。", [
    ("蒿甲醚", "drug", "蒿甲醚是青蒿素的半合成衍生物，也是复方蒿甲醚的成分之一。", []),
    ("青蒿琥酯", "drug", "青蒿琥酯是青蒿素的半合成衍生物。", []),
    ("青蒿素", "drug", "青蒿素的半合成衍生物有蒿甲醚和青蒿琥酯。", []),
    ("复方蒿甲醚", "drug", "复方蒿甲醚由蒿甲醚与本芴醇组成，商品名为“科泰复”，英文商品名Coartem。", ["科泰复"]),
    ("本芴醇", "drug", "本芴醇是复方蒿甲醚的成分之一。", []),
], [
    ("蒿甲醚", "青蒿素", "蒿甲醚是青蒿素的半合成衍生物。", ["衍生物"], 9),
    ("青蒿琥酯", "青蒿素", "青蒿琥酯是青蒿素的半合成衍生物。", ["衍生物"], 9),
    ("复方蒿甲醚", "蒿甲醚", "复方蒿甲醚含有蒿甲醚。", ["组成"], 8),
    ("复方蒿甲醚", "本芴醇", "复方蒿甲醚含有本芴醇。", ["组成"], 8),
])
T("复方蒿甲醚", "科泰复", "brand_generic"); T("复方蒿甲醚", "Coartem", "brand_generic"); T("蒿甲醚", "artemether", "translation")
T("青蒿琥酯", "artesunate", "translation"); T("本芴醇", "lumefantrine", "translation")
N("蒿甲醚", "青蒿素", "derivative"); N("青蒿琥酯", "青蒿素", "derivative"); N("蒿甲醚", "复方蒿甲醚", "component")
N("蒿甲醚", "青蒿琥酯", "distinct")

D("drug-en-04", "Coartem (artemether-lumefantrine) is a fixed-dose combination of artemether and lumefantrine. Lumefantrine has a much longer half-life than artemether.", [
    ("Coartem", "drug", "Coartem is a fixed-dose combination of artemether and lumefantrine.", ["artemether-lumefantrine"]),
    ("artemether", "drug", "Artemether is one component of Coartem and has a shorter half-life than lumefantrine.", []),
    ("lumefantrine", "drug", "Lumefantrine is one component of Coartem and has a much longer half-life than artemether.", []),
], [
    ("Coartem", "artemether", "Coartem contains artemether.", ["combination", "component"], 9),
    ("Coartem", "lumefantrine", "Coartem contains lumefantrine.", ["combination", "component"], 9),
])
T("Coartem", "artemether-lumefantrine", "brand_generic"); T("artemether-lumefantrine", "复方蒿甲醚", "translation")
N("Coartem", "artemether", "component"); N("artemether-lumefantrine", "artemether", "component")
N("artemether-lumefantrine", "lumefantrine", "component")

D("drug-en-05", "Acetaminophen, also known as paracetamol, is sold under the brand name Tylenol in the United States. Unlike ibuprofen, it has little anti-inflammatory effect.", [
    ("acetaminophen", "drug", "Acetaminophen, also known as paracetamol, is sold under the brand name Tylenol in the United States and has little anti-inflammatory effect.", ["paracetamol"]),
    ("Tylenol", "drug", "Tylenol is the brand name under which acetaminophen is sold in the United States.", []),
    ("ibuprofen", "drug", "Ibuprofen has a stronger anti-inflammatory effect than acetaminophen.", []),
], [
    ("Tylenol", "acetaminophen", "Tylenol is a brand name of acetaminophen.", ["brand name"], 9),
])
T("acetaminophen", "paracetamol", "also_known_as"); T("acetaminophen", "Tylenol", "brand_generic")
N("acetaminophen", "ibuprofen", "distinct")

D("drug-zh-06", "对乙酰氨基酚，俗称扑热息痛，是常用的解热镇痛药。布洛芬的商品名有芬必得等，属于非甾体抗炎药。", [
    ("对乙酰氨基酚", "drug", "对乙酰氨基酚俗称扑热息痛，是常用的解热镇痛药。", ["扑热息痛"]),
    ("布洛芬", "drug", "布洛芬的商品名有芬必得等，属于非甾体抗炎药。", ["芬必得"]),
    ("非甾体抗炎药", "concept", "非甾体抗炎药是一类药物，布洛芬属于其中。", []),
], [
    ("布洛芬", "非甾体抗炎药", "布洛芬属于非甾体抗炎药。", ["属于"], 8),
])
T("对乙酰氨基酚", "扑热息痛", "also_known_as"); T("对乙酰氨基酚", "acetaminophen", "translation")
T("布洛芬", "芬必得", "brand_generic"); T("布洛芬", "ibuprofen", "translation")
N("布洛芬", "非甾体抗炎药", "taxonomy"); N("对乙酰氨基酚", "布洛芬", "distinct")

D("drug-en-07", "Ibuprofen is sold under the brand names Advil and Motrin. Dexibuprofen, the active enantiomer of ibuprofen, is marketed separately.", [
    ("ibuprofen", "drug", "Ibuprofen is sold under the brand names Advil and Motrin.", ["Advil", "Motrin"]),
    ("dexibuprofen", "drug", "Dexibuprofen is the active enantiomer of ibuprofen and is marketed separately.", []),
], [
    ("dexibuprofen", "ibuprofen", "Dexibuprofen is the active enantiomer of ibuprofen.", ["enantiomer"], 8),
])
T("ibuprofen", "Advil", "brand_generic"); T("ibuprofen", "Motrin", "brand_generic")
N("ibuprofen", "dexibuprofen", "derivative")

D("drug-en-08", "Aspirin, the common name of acetylsalicylic acid, is made from salicylic acid. Salicylic acid itself is too irritating to take by mouth.", [
    ("aspirin", "drug", "Aspirin, the common name of acetylsalicylic acid, is made from salicylic acid.", []),
    ("acetylsalicylic acid", "compound", "Acetylsalicylic acid is the compound commonly called aspirin.", []),
    ("salicylic acid", "compound", "Salicylic acid is the compound from which aspirin is made; it is too irritating to take by mouth.", []),
], [
    ("aspirin", "salicylic acid", "Aspirin is made from salicylic acid.", ["made from"], 8),
])
T("aspirin", "acetylsalicylic acid", "also_known_as")
N("acetylsalicylic acid", "salicylic acid", "derivative"); N("aspirin", "salicylic acid", "derivative")

D("drug-zh-09", "阿司匹林的化学名为乙酰水杨酸，由水杨酸经乙酰化制得。", [
    ("阿司匹林", "drug", "阿司匹林的化学名为乙酰水杨酸，由水杨酸经乙酰化制得。", ["乙酰水杨酸"]),
    ("水杨酸", "compound", "水杨酸经乙酰化可以制得阿司匹林。", []),
], [
    ("阿司匹林", "水杨酸", "阿司匹林由水杨酸经乙酰化制得。", ["制得", "乙酰化"], 9),
])
T("阿司匹林", "乙酰水杨酸", "also_known_as"); T("阿司匹林", "aspirin", "translation"); T("水杨酸", "salicylic acid", "translation")
N("乙酰水杨酸", "水杨酸", "derivative"); N("阿司匹林", "水杨酸", "derivative")

D("drug-en-10", "Metformin, sold as Glucophage, is a first-line drug for type 2 diabetes. Phenformin, an older biguanide, was withdrawn because it caused lactic acidosis.", [
    ("metformin", "drug", "Metformin, sold as Glucophage, is a first-line drug for type 2 diabetes.", []),
    ("Glucophage", "drug", "Glucophage is the brand under which metformin is sold.", []),
    ("type 2 diabetes", "disease", "Type 2 diabetes is treated first-line with metformin.", []),
    ("phenformin", "drug", "Phenformin is an older biguanide that was withdrawn because it caused lactic acidosis.", []),
    ("lactic acidosis", "disease", "Lactic acidosis was caused by phenformin, which led to its withdrawal.", []),
], [
    ("metformin", "type 2 diabetes", "Metformin is a first-line drug for type 2 diabetes.", ["treats", "first-line"], 9),
    ("phenformin", "lactic acidosis", "Phenformin caused lactic acidosis.", ["causes"], 8),
])
T("metformin", "Glucophage", "brand_generic")
N("metformin", "phenformin", "distinct")

D("drug-zh-11", "二甲双胍是治疗2型糖尿病的一线药物，商品名格华止。苯乙双胍与二甲双胍同属双胍类，但因易致乳酸酸中毒已少用。", [
    ("二甲双胍", "drug", "二甲双胍是治疗2型糖尿病的一线药物，商品名格华止。", []),
    ("2型糖尿病", "disease", "2型糖尿病的一线治疗药物是二甲双胍。", []),
    ("苯乙双胍", "drug", "苯乙双胍与二甲双胍同属双胍类药物，但因容易导致乳酸酸中毒已很少使用。", []),
    ("双胍类", "concept", "双胍类是一类降糖药，包括二甲双胍和苯乙双胍。", []),
], [
    ("二甲双胍", "2型糖尿病", "二甲双胍是治疗2型糖尿病的一线药物。", ["治疗"], 9),
    ("苯乙双胍", "双胍类", "苯乙双胍属于双胍类。", ["属于"], 7),
    ("二甲双胍", "双胍类", "二甲双胍属于双胍类。", ["属于"], 7),
])
T("二甲双胍", "格华止", "brand_generic"); T("二甲双胍", "metformin", "translation"); T("格华止", "Glucophage", "translation")
T("苯乙双胍", "phenformin", "translation")
T("2型糖尿病", "type 2 diabetes", "translation")  # added when the translation signal proposed it (unlabelled before)
N("二甲双胍", "苯乙双胍", "distinct"); N("二甲双胍", "双胍类", "taxonomy")

D("drug-en-12", "Atorvastatin, sold under the brand name Lipitor, lowers LDL cholesterol. Rosuvastatin (Crestor) belongs to the same statin class but is a different molecule.", [
    ("atorvastatin", "drug", "Atorvastatin, sold under the brand name Lipitor, lowers LDL cholesterol.", ["Lipitor"]),
    ("LDL cholesterol", "compound", "LDL cholesterol is lowered by atorvastatin.", []),
    ("rosuvastatin", "drug", "Rosuvastatin (Crestor) belongs to the statin class but is a different molecule from atorvastatin.", ["Crestor"]),
    ("statin", "concept", "Statins are a class of drugs that includes atorvastatin and rosuvastatin.", []),
], [
    ("atorvastatin", "LDL cholesterol", "Atorvastatin lowers LDL cholesterol.", ["lowers"], 9),
    ("rosuvastatin", "statin", "Rosuvastatin belongs to the statin class.", ["class"], 7),
])
T("atorvastatin", "Lipitor", "brand_generic"); T("rosuvastatin", "Crestor", "brand_generic")
N("atorvastatin", "rosuvastatin", "distinct"); N("rosuvastatin", "statin", "taxonomy"); N("atorvastatin", "statin", "taxonomy")

D("drug-zh-13", "阿托伐他汀（商品名立普妥）可降低低密度脂蛋白胆固醇。瑞舒伐他汀与阿托伐他汀同属他汀类，但二者不是同一种药物。", [
    ("阿托伐他汀", "drug", "阿托伐他汀（商品名立普妥）可以降低低密度脂蛋白胆固醇。", ["立普妥"]),
    ("低密度脂蛋白胆固醇", "compound", "阿托伐他汀可以降低低密度脂蛋白胆固醇。", []),
    ("瑞舒伐他汀", "drug", "瑞舒伐他汀与阿托伐他汀同属他汀类药物，但二者不是同一种药物。", []),
    ("他汀类", "concept", "他汀类是一类药物，包括阿托伐他汀和瑞舒伐他汀。", []),
], [
    ("阿托伐他汀", "低密度脂蛋白胆固醇", "阿托伐他汀降低低密度脂蛋白胆固醇。", ["降低"], 9),
    ("瑞舒伐他汀", "他汀类", "瑞舒伐他汀属于他汀类。", ["属于"], 7),
])
T("阿托伐他汀", "立普妥", "brand_generic"); T("阿托伐他汀", "atorvastatin", "translation"); T("瑞舒伐他汀", "rosuvastatin", "translation")
T("立普妥", "Lipitor", "translation"); T("低密度脂蛋白胆固醇", "LDL cholesterol", "translation")
N("阿托伐他汀", "瑞舒伐他汀", "distinct"); N("阿托伐他汀", "他汀类", "taxonomy"); N("瑞舒伐他汀", "他汀类", "taxonomy")

D("drug-en-14", "Imatinib, marketed as Gleevec, targets the BCR-ABL kinase. Nilotinib is a second-generation inhibitor of the same kinase.", [
    ("imatinib", "drug", "Imatinib, marketed as Gleevec, targets the BCR-ABL kinase.", ["Gleevec"]),
    ("BCR-ABL kinase", "protein", "The BCR-ABL kinase is targeted by imatinib and by nilotinib.", []),
    ("nilotinib", "drug", "Nilotinib is a second-generation inhibitor of the BCR-ABL kinase.", []),
], [
    ("imatinib", "BCR-ABL kinase", "Imatinib targets the BCR-ABL kinase.", ["targets"], 9),
    ("nilotinib", "BCR-ABL kinase", "Nilotinib inhibits the BCR-ABL kinase.", ["inhibits"], 8),
])
T("imatinib", "Gleevec", "brand_generic")
N("imatinib", "nilotinib", "distinct")

D("drug-zh-15", "伊马替尼（商品名格列卫）用于治疗慢性髓性白血病。尼洛替尼是第二代BCR-ABL抑制剂。", [
    ("伊马替尼", "drug", "伊马替尼（商品名格列卫）用于治疗慢性髓性白血病。", ["格列卫"]),
    ("慢性髓性白血病", "disease", "慢性髓性白血病可用伊马替尼治疗。", []),
    ("尼洛替尼", "drug", "尼洛替尼是第二代BCR-ABL抑制剂。", []),
], [
    ("伊马替尼", "慢性髓性白血病", "伊马替尼用于治疗慢性髓性白血病。", ["治疗"], 9),
])
T("伊马替尼", "格列卫", "brand_generic"); T("伊马替尼", "imatinib", "translation"); T("尼洛替尼", "nilotinib", "translation")
N("伊马替尼", "尼洛替尼", "distinct")

# ---------------------------------------------------------------- places: old and new names, cities and provinces (zh, en)

D("geo-zh-01", "南京，古称金陵，又称建康，是江苏省的省会。六朝时期，建康是南方政权的都城。", [
    ("南京", "location", "南京古称金陵，又称建康，是江苏省的省会。", ["金陵"]),
    ("江苏省", "location", "江苏省的省会是南京。", []),
    ("建康", "location", "六朝时期，建康是南方政权的都城。", []),
], [
    ("南京", "江苏省", "南京是江苏省的省会。", ["省会"], 9),
])
T("南京", "金陵", "formerly"); T("南京", "建康", "formerly")
N("南京", "江苏省", "part_of")

D("geo-en-02", "Nanjing, historically romanized as Nanking, lies on the lower Yangtze River. It is the capital of Jiangsu province.", [
    ("Nanjing", "location", "Nanjing, historically romanized as Nanking, lies on the lower Yangtze River and is the capital of Jiangsu province.", ["Nanking"]),
    ("Yangtze River", "location", "The Yangtze River flows past Nanjing on its lower course.", []),
    ("Jiangsu", "location", "Jiangsu is the province whose capital is Nanjing.", []),
], [
    ("Nanjing", "Yangtze River", "Nanjing lies on the lower Yangtze River.", ["lies on"], 7),
    ("Nanjing", "Jiangsu", "Nanjing is the capital of Jiangsu province.", ["capital of"], 9),
])
T("Nanjing", "Nanking", "translation"); T("Nanjing", "南京", "translation"); T("Jiangsu", "江苏省", "translation")
T("Yangtze River", "长江", "translation")
N("Nanjing", "Jiangsu", "part_of")

D("geo-zh-03", "长江，古称江，下游一段旧称扬子江，全长约6300公里。长江三角洲是长江入海口附近的冲积平原，不同于长江本身。", [
    ("长江", "location", "长江古称江，全长约6300公里，其下游一段旧称扬子江。", []),
    ("长江三角洲", "location", "长江三角洲是长江入海口附近的冲积平原，不同于长江本身。", []),
], [
    ("长江三角洲", "长江", "长江三角洲位于长江入海口附近。", ["入海口", "冲积"], 8),
])
T("长江", "扬子江", "formerly"); T("长江", "江", "formerly")
N("长江", "长江三角洲", "part_of")

D("geo-zh-04", "西安，古称长安，是陕西省的省会。陕西与山西是两个不同的省份，以黄河为界。", [
    ("西安", "location", "西安古称长安，是陕西省的省会。", ["长安"]),
    ("陕西省", "location", "陕西省的省会是西安；陕西与山西是两个不同的省份，以黄河为界。", ["陕西"]),
    ("山西", "location", "山西与陕西是两个不同的省份，以黄河为界。", []),
    ("黄河", "location", "黄河是陕西与山西的分界。", []),
], [
    ("西安", "陕西省", "西安是陕西省的省会。", ["省会"], 9),
    ("陕西省", "山西", "陕西与山西以黄河为界。", ["相邻", "为界"], 7),
])
T("西安", "长安", "formerly"); T("陕西省", "陕西", "abbreviation")
N("西安", "陕西省", "part_of"); N("陕西", "山西", "distinct"); N("陕西省", "山西", "distinct")

D("geo-en-05", "Xi'an, known in the Tang dynasty as Chang'an, is the capital of Shaanxi province. Shaanxi should not be confused with neighbouring Shanxi.", [
    ("Xi'an", "location", "Xi'an, known in the Tang dynasty as Chang'an, is the capital of Shaanxi province.", []),
    ("Shaanxi", "location", "Shaanxi is a province whose capital is Xi'an; it should not be confused with neighbouring Shanxi.", []),
    ("Shanxi", "location", "Shanxi is a province neighbouring Shaanxi, not to be confused with it.", []),
], [
    ("Xi'an", "Shaanxi", "Xi'an is the capital of Shaanxi province.", ["capital of"], 9),
    ("Shaanxi", "Shanxi", "Shaanxi neighbours Shanxi.", ["neighbouring"], 6),
])
T("Xi'an", "Chang'an", "formerly"); T("Xi'an", "西安", "translation"); T("Shaanxi", "陕西省", "translation"); T("Shanxi", "山西", "translation")
N("Xi'an", "Shaanxi", "part_of"); N("Shaanxi", "Shanxi", "distinct"); N("Shaanxi", "山西", "distinct"); N("Shanxi", "陕西省", "distinct")

D("geo-zh-06", "北京在1928年至1949年间称北平。1949年，北平重新更名为北京。", [
    ("北京", "location", "北京在1928年至1949年间称北平，1949年恢复北京之名。", []),
    ("北平", "location", "北平是北京在1928年至1949年间的名称，1949年重新更名为北京。", []),
], [])
T("北京", "北平", "formerly")

D("geo-en-07", "Peking (now Beijing) was the capital of the Ming and Qing dynasties. Beijing is a different city from Nanjing, the first Ming capital.", [
    ("Beijing", "location", "Beijing, formerly romanized as Peking, was the capital of the Ming and Qing dynasties.", ["Peking"]),
    ("Nanjing", "location", "Nanjing was the first capital of the Ming dynasty and is a different city from Beijing.", []),
], [])
T("Beijing", "Peking", "translation"); T("Beijing", "北京", "translation")
N("Beijing", "Nanjing", "distinct"); N("北京", "南京", "distinct")

D("geo-en-08", "Mumbai, formerly Bombay, is the capital of the Indian state of Maharashtra. Chennai, formerly known as Madras, was renamed in 1996.", [
    ("Mumbai", "location", "Mumbai, formerly Bombay, is the capital of the Indian state of Maharashtra.", ["Bombay"]),
    ("Maharashtra", "location", "Maharashtra is an Indian state whose capital is Mumbai.", []),
    ("Chennai", "location", "Chennai, formerly known as Madras, was renamed in 1996.", ["Madras"]),
], [
    ("Mumbai", "Maharashtra", "Mumbai is the capital of Maharashtra.", ["capital of"], 9),
])
T("Mumbai", "Bombay", "formerly"); T("Chennai", "Madras", "formerly")
N("Mumbai", "Maharashtra", "part_of")

D("geo-en-09", "Bombay was renamed Mumbai in 1995, but the Bombay High Court kept its old name. Madras University, in Chennai, also kept the old name of its city.", [
    ("Bombay", "location", "Bombay is the old name of the city renamed Mumbai in 1995.", []),
    ("Bombay High Court", "organization", "The Bombay High Court kept its old name after Bombay was renamed Mumbai in 1995.", []),
    ("Madras University", "organization", "Madras University is a university in Chennai that kept the old name of its city.", []),
    ("Chennai", "location", "Chennai is the city in which Madras University stands.", []),
], [
    ("Madras University", "Chennai", "Madras University is in Chennai.", ["located in"], 7),
])
N("Bombay", "Bombay High Court", "homonym"); N("Madras", "Madras University", "homonym"); N("Chennai", "Madras University", "part_of")

D("geo-en-10", "Ho Chi Minh City, formerly Saigon, is the largest city of Vietnam. Yangon (formerly Rangoon) was the capital of Myanmar, also known as Burma, until 2006.", [
    ("Ho Chi Minh City", "location", "Ho Chi Minh City, formerly Saigon, is the largest city of Vietnam.", ["Saigon"]),
    ("Vietnam", "location", "Vietnam's largest city is Ho Chi Minh City.", []),
    ("Yangon", "location", "Yangon (formerly Rangoon) was the capital of Myanmar until 2006.", ["Rangoon"]),
    ("Myanmar", "location", "Myanmar, also known as Burma, had Yangon as its capital until 2006.", ["Burma"]),
], [
    ("Ho Chi Minh City", "Vietnam", "Ho Chi Minh City is the largest city of Vietnam.", ["largest city"], 8),
    ("Yangon", "Myanmar", "Yangon was the capital of Myanmar until 2006.", ["capital"], 8),
])
T("Ho Chi Minh City", "Saigon", "formerly"); T("Yangon", "Rangoon", "formerly"); T("Myanmar", "Burma", "formerly")
N("Yangon", "Myanmar", "part_of"); N("Ho Chi Minh City", "Vietnam", "part_of")

D("geo-zh-11", "广州，别称羊城，是广东省的省会。", [
    ("广州", "location", "广州别称羊城，是广东省的省会。", ["羊城"]),
    ("广东省", "location", "广东省的省会是广州。", []),
], [
    ("广州", "广东省", "广州是广东省的省会。", ["省会"], 9),
])
T("广州", "羊城", "also_known_as")
N("广州", "广东省", "part_of")

D("geo-en-12", "Guangzhou, historically called Canton in English, is the capital of Guangdong. Cantonese is the main language of the region, not a name of the city.", [
    ("Guangzhou", "location", "Guangzhou, historically called Canton in English, is the capital of Guangdong.", ["Canton"]),
    ("Guangdong", "location", "Guangdong is the province whose capital is Guangzhou.", []),
    ("Cantonese", "concept", "Cantonese is the main language of the Guangdong region, not a name of the city of Guangzhou.", []),
], [
    ("Guangzhou", "Guangdong", "Guangzhou is the capital of Guangdong.", ["capital of"], 9),
    ("Cantonese", "Guangdong", "Cantonese is the main language of the region.", ["language of"], 7),
])
T("Guangzhou", "Canton", "formerly"); T("Guangzhou", "广州", "translation"); T("Guangdong", "广东省", "translation")
N("Guangzhou", "Guangdong", "part_of"); N("Canton", "Cantonese", "homonym"); N("Guangzhou", "广东省", "part_of")

D("geo-zh-13", "沈阳，清代称盛京，后又称奉天，是辽宁省的省会。", [
    ("沈阳", "location", "沈阳在清代称盛京，后来又称奉天，是辽宁省的省会。", ["盛京", "奉天"]),
    ("辽宁省", "location", "辽宁省的省会是沈阳。", []),
], [
    ("沈阳", "辽宁省", "沈阳是辽宁省的省会。", ["省会"], 9),
])
T("沈阳", "盛京", "formerly"); T("沈阳", "奉天", "formerly")
N("沈阳", "辽宁省", "part_of")

D("geo-zh-14", "黄山位于安徽省南部，是著名的山岳风景区。黄山市原名徽州，1987年改为现名，因境内的黄山而得名。", [
    ("黄山", "location", "黄山位于安徽省南部，是著名的山岳风景区。", []),
    ("安徽省", "location", "安徽省南部有黄山。", []),
    ("黄山市", "location", "黄山市原名徽州，1987年改为现名，因境内的黄山而得名。", []),
], [
    ("黄山", "安徽省", "黄山位于安徽省南部。", ["位于"], 8),
    ("黄山市", "黄山", "黄山市因境内的黄山而得名。", ["得名"], 8),
])
T("黄山市", "徽州", "formerly")
N("黄山", "黄山市", "homonym"); N("黄山", "安徽省", "part_of")


# ---------------------------------------------------------------- species and genus, pathogen and disease (zh, en)

D("bio-zh-01", "疟原虫是一类寄生性原虫，恶性疟原虫和间日疟原虫都是疟原虫属的物种。恶性疟原虫引起恶性疟，恶性疟又称热带疟；间日疟原虫引起间日疟。", [
    ("疟原虫", "pathogen", "疟原虫是一类寄生性原虫，恶性疟原虫和间日疟原虫都是疟原虫属的物种。", []),
    ("恶性疟原虫", "pathogen", "恶性疟原虫是疟原虫属的物种，引起恶性疟。", []),
    ("间日疟原虫", "pathogen", "间日疟原虫是疟原虫属的物种，引起间日疟。", []),
    ("恶性疟", "disease", "恶性疟由恶性疟原虫引起，又称热带疟。", ["热带疟"]),
    ("间日疟", "disease", "间日疟由间日疟原虫引起。", []),
], [
    ("恶性疟原虫", "疟原虫", "恶性疟原虫是疟原虫属的物种。", ["属于"], 8),
    ("间日疟原虫", "疟原虫", "间日疟原虫是疟原虫属的物种。", ["属于"], 8),
    ("恶性疟原虫", "恶性疟", "恶性疟原虫引起恶性疟。", ["引起"], 9),
    ("间日疟原虫", "间日疟", "间日疟原虫引起间日疟。", ["引起"], 9),
])
T("恶性疟", "热带疟", "also_known_as")
N("恶性疟原虫", "疟原虫", "taxonomy"); N("间日疟原虫", "疟原虫", "taxonomy"); N("恶性疟原虫", "间日疟原虫", "distinct")
N("恶性疟原虫", "恶性疟", "causal"); N("间日疟", "间日疟原虫", "causal"); N("恶性疟", "间日疟", "distinct")

D("bio-en-02", "Plasmodium falciparum, a species of the genus Plasmodium, causes falciparum malaria, also called malignant tertian malaria. Plasmodium vivax, another species of the genus, causes vivax malaria.", [
    ("Plasmodium falciparum", "pathogen", "Plasmodium falciparum is a species of the genus Plasmodium and causes falciparum malaria.", []),
    ("Plasmodium", "pathogen", "Plasmodium is a genus that includes Plasmodium falciparum and Plasmodium vivax.", []),
    ("falciparum malaria", "disease", "Falciparum malaria, also called malignant tertian malaria, is caused by Plasmodium falciparum.", []),
    ("Plasmodium vivax", "pathogen", "Plasmodium vivax is another species of the genus Plasmodium and causes vivax malaria.", []),
    ("vivax malaria", "disease", "Vivax malaria is caused by Plasmodium vivax.", []),
], [
    ("Plasmodium falciparum", "Plasmodium", "Plasmodium falciparum is a species of the genus Plasmodium.", ["species of"], 8),
    ("Plasmodium falciparum", "falciparum malaria", "Plasmodium falciparum causes falciparum malaria.", ["causes"], 9),
    ("Plasmodium vivax", "Plasmodium", "Plasmodium vivax is a species of the genus Plasmodium.", ["species of"], 8),
    ("Plasmodium vivax", "vivax malaria", "Plasmodium vivax causes vivax malaria.", ["causes"], 9),
])
T("Plasmodium falciparum", "恶性疟原虫", "translation"); T("Plasmodium vivax", "间日疟原虫", "translation"); T("Plasmodium", "疟原虫", "translation")
T("falciparum malaria", "恶性疟", "translation"); T("falciparum malaria", "malignant tertian malaria", "also_known_as")
T("vivax malaria", "间日疟", "translation")
N("Plasmodium falciparum", "Plasmodium", "taxonomy"); N("Plasmodium vivax", "Plasmodium", "taxonomy")
N("Plasmodium falciparum", "Plasmodium vivax", "distinct"); N("falciparum malaria", "Plasmodium falciparum", "causal")
N("falciparum malaria", "vivax malaria", "distinct")

D("bio-zh-03", "黄花蒿是菊科蒿属的一年生草本植物，与同属的青蒿是两个不同的物种。青蒿素虽以青蒿命名，实际提取自黄花蒿。", [
    ("黄花蒿", "plant", "黄花蒿是菊科蒿属的一年生草本植物，与同属的青蒿是两个不同的物种；青蒿素实际提取自黄花蒿。", []),
    ("蒿属", "concept", "蒿属是菊科的一个属，黄花蒿和青蒿都属于蒿属。", []),
    ("青蒿", "plant", "青蒿是蒿属植物，与黄花蒿是两个不同的物种。", []),
    ("青蒿素", "drug", "青蒿素以青蒿命名，实际提取自黄花蒿。", []),
], [
    ("黄花蒿", "蒿属", "黄花蒿属于蒿属。", ["属于"], 8),
    ("青蒿", "蒿属", "青蒿属于蒿属。", ["属于"], 7),
    ("青蒿素", "黄花蒿", "青蒿素提取自黄花蒿。", ["提取"], 9),
])
N("黄花蒿", "蒿属", "taxonomy"); N("青蒿", "蒿属", "taxonomy"); N("黄花蒿", "青蒿", "distinct"); N("青蒿", "青蒿素", "homonym")

D("bio-en-04", "Artemisia annua belongs to the genus Artemisia, which also includes wormwood, Artemisia absinthium.", [
    ("Artemisia annua", "plant", "Artemisia annua belongs to the genus Artemisia.", []),
    ("Artemisia", "concept", "Artemisia is a genus that includes Artemisia annua and wormwood, Artemisia absinthium.", []),
    ("Artemisia absinthium", "plant", "Artemisia absinthium, wormwood, is a species of the genus Artemisia.", ["wormwood"]),
], [
    ("Artemisia annua", "Artemisia", "Artemisia annua belongs to the genus Artemisia.", ["genus"], 8),
    ("Artemisia absinthium", "Artemisia", "Artemisia absinthium belongs to the genus Artemisia.", ["genus"], 8),
])
T("Artemisia absinthium", "wormwood", "also_known_as"); T("Artemisia", "蒿属", "translation")
N("Artemisia annua", "Artemisia", "taxonomy"); N("Artemisia absinthium", "Artemisia", "taxonomy")
N("Artemisia annua", "Artemisia absinthium", "distinct"); N("sweet wormwood", "wormwood", "distinct")

D("bio-zh-05", "稻瘟病是水稻最重要的病害之一，病原为稻瘟病菌（Magnaporthe oryzae）。", [
    ("稻瘟病", "disease", "稻瘟病是水稻最重要的病害之一，病原为稻瘟病菌。", []),
    ("水稻", "crop", "水稻最重要的病害之一是稻瘟病。", []),
    ("稻瘟病菌", "pathogen", "稻瘟病菌（Magnaporthe oryzae）是稻瘟病的病原。", ["Magnaporthe oryzae"]),
], [
    ("稻瘟病", "水稻", "稻瘟病是水稻的病害。", ["病害"], 8),
    ("稻瘟病菌", "稻瘟病", "稻瘟病菌是稻瘟病的病原。", ["病原"], 9),
])
T("稻瘟病菌", "Magnaporthe oryzae", "translation")
N("稻瘟病", "稻瘟病菌", "causal")

D("bio-en-06", "Rice blast is caused by the fungus Magnaporthe oryzae, formerly classified as Pyricularia oryzae.", [
    ("rice blast", "disease", "Rice blast is a disease caused by the fungus Magnaporthe oryzae.", []),
    ("Magnaporthe oryzae", "pathogen", "Magnaporthe oryzae, formerly classified as Pyricularia oryzae, is the fungus that causes rice blast.", []),
], [
    ("Magnaporthe oryzae", "rice blast", "Magnaporthe oryzae causes rice blast.", ["causes"], 10),
])
T("rice blast", "稻瘟病", "translation"); T("Magnaporthe oryzae", "Pyricularia oryzae", "formerly")
N("rice blast", "Magnaporthe oryzae", "causal")


def check() -> list[str]:
    """Problems with the corpus: labelled names that occur nowhere in the extractions, pairs labelled twice."""
    problems = []
    names, texts = set(), []
    for doc in DOCS:
        for entity in doc["reply"]["entities"]:
            names.add(entity["name"])
            names.update(entity["aliases"])
            texts.append(entity["description"])
    seen: set[frozenset[str]] = set()
    for label in LABELS:
        pair = frozenset((label["a"], label["b"]))
        if pair in seen or len(pair) < 2:
            problems.append(f"labelled twice or with itself: {label}")
        seen.add(pair)
        for name in (label["a"], label["b"]):
            if name not in names and not any(name in text for text in texts):
                problems.append(f"{name!r} occurs in no extraction")
    ids = [doc["id"] for doc in DOCS]
    if len(ids) != len(set(ids)):
        problems.append("duplicate document ids")
    return problems


def main() -> int:
    problems = check()
    for problem in problems:
        print("corpus problem:", problem, file=sys.stderr)
    if problems:
        return 1
    with open(HERE / "documents.jsonl", "w", encoding="utf-8") as out:
        out.writelines(json.dumps({"id": doc["id"], "text": doc["text"]}, ensure_ascii=False) + "\n" for doc in DOCS)
    with open(HERE / "extractions.jsonl", "w", encoding="utf-8") as out:
        out.writelines(json.dumps({"id": doc["id"], "reply": doc["reply"]}, ensure_ascii=False) + "\n" for doc in DOCS)
    with open(HERE / "labels.jsonl", "w", encoding="utf-8") as out:
        out.writelines(json.dumps(label, ensure_ascii=False) + "\n" for label in LABELS)
    true = sum(1 for label in LABELS if label["same"])
    print(f"{len(DOCS)} documents, {true} true pairs, {len(LABELS) - true} hard negatives")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
