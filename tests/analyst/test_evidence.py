"""Identity statements and hard-negative cues in text (``graphgen_neo4j.analyst.evidence``); no database.

Each cue has its own case, so removing a cue from the tables makes its case fail.
"""

from __future__ import annotations

import pytest

from graphgen_neo4j.analyst.evidence import (
    classify_pair,
    description_aliases,
    description_evidence,
    find_identity_statements,
    is_acronym,
    pair_evidence,
)
from graphgen_neo4j.analyst.evidence_text import looks_like_name, sentences
from graphgen_neo4j.analyst.negative_cues import negative_evidence


def found(text: str, **options) -> set[tuple[str, str, str]]:
    return {(s.name, s.alias, s.kind) for s in find_identity_statements(text, **options)}


ZH_CASES = [
    ("刘备，字玄德，涿郡涿县人。", ("刘备", "玄德", "courtesy_name")),
    ("刘备字玄德。", ("刘备", "玄德", "courtesy_name")),
    ("北宋文学家苏轼，字子瞻。", ("苏轼", "子瞻", "courtesy_name")),
    ("岳飞，表字鹏举。", ("岳飞", "鹏举", "courtesy_name")),
    ("苏轼，字子瞻，号东坡居士。", ("苏轼", "东坡居士", "art_name")),
    ("杜甫，自号少陵野老。", ("杜甫", "少陵野老", "art_name")),
    ("郑燮，别号板桥。", ("郑燮", "板桥", "art_name")),
    ("陶渊明，名潜，字元亮。", ("陶渊明", "潜", "given_name")),
    ("鲁迅本名周树人。", ("鲁迅", "周树人", "given_name")),
    ("曹操，小字阿瞒。", ("曹操", "阿瞒", "also_known_as")),
    ("恶性疟又称热带疟。", ("恶性疟", "热带疟", "also_known_as")),
    ("番茄，又名西红柿。", ("番茄", "西红柿", "also_known_as")),
    ("马铃薯，别名土豆。", ("马铃薯", "土豆", "also_known_as")),
    ("广州，别称羊城。", ("广州", "羊城", "also_known_as")),
    ("对乙酰氨基酚，俗称扑热息痛。", ("对乙酰氨基酚", "扑热息痛", "also_known_as")),
    ("月季亦称月月红。", ("月季", "月月红", "also_known_as")),
    ("翼德亦作益德。", ("翼德", "益德", "also_known_as")),
    ("阿司匹林，即乙酰水杨酸，是常用药。", ("阿司匹林", "乙酰水杨酸", "also_known_as")),
    ("李白被后人誉为“诗仙”。", ("李白", "诗仙", "also_known_as")),
    ("阿司匹林的化学名为乙酰水杨酸。", ("阿司匹林", "乙酰水杨酸", "also_known_as")),
    ("中国科学院，简称中科院。", ("中国科学院", "中科院", "abbreviation")),
    ("北大，全称北京大学。", ("北大", "北京大学", "full_name")),
    ("南京，古称金陵。", ("南京", "金陵", "formerly")),
    ("沈阳旧称奉天。", ("沈阳", "奉天", "formerly")),
    ("黄山市原名徽州。", ("黄山市", "徽州", "formerly")),
    ("北平于1949年更名为北京。", ("北平", "北京", "formerly")),
    ("盛京后来改称奉天。", ("盛京", "奉天", "formerly")),
    ("沈阳，清代称盛京。", ("沈阳", "盛京", "formerly")),
    ("北京大学的前身是1898年创办的京师大学堂。", ("北京大学", "京师大学堂", "formerly")),
    ("青蒿素，英文名artemisinin。", ("青蒿素", "artemisinin", "translation")),
    ("水稻，学名Oryza sativa。", ("水稻", "Oryza sativa", "translation")),
    ("布洛芬，商品名芬必得。", ("布洛芬", "芬必得", "brand_generic")),
    ("复方蒿甲醚由蒿甲醚与本芴醇组成，商品名为“科泰复”。", ("复方蒿甲醚", "科泰复", "brand_generic")),
    ("苏轼，晚号东坡。", ("苏轼", "东坡", "art_name")),
    ("张三丰，道号玄玄子。", ("张三丰", "玄玄子", "art_name")),
    ("刘禅，小名阿斗。", ("刘禅", "阿斗", "also_known_as")),
    ("曹操，乳名吉利。", ("曹操", "吉利", "also_known_as")),
    ("阿司匹林的化学名称为乙酰水杨酸。", ("阿司匹林", "乙酰水杨酸", "also_known_as")),
    ("马齿苋，俗名长寿菜。", ("马齿苋", "长寿菜", "also_known_as")),
    ("番茄也称西红柿。", ("番茄", "西红柿", "also_known_as")),
    ("西红柿亦名番茄。", ("西红柿", "番茄", "also_known_as")),
    ("疟疾或称打摆子。", ("疟疾", "打摆子", "also_known_as")),
    ("对乙酰氨基酚通称扑热息痛。", ("对乙酰氨基酚", "扑热息痛", "also_known_as")),
    ("王守仁世称阳明先生。", ("王守仁", "阳明先生", "also_known_as")),
    ("张飞人称张三爷。", ("张飞", "张三爷", "also_known_as")),
    ("孔丘，尊称孔子。", ("孔丘", "孔子", "also_known_as")),
    ("成都，美称锦官城。", ("成都", "锦官城", "also_known_as")),
    ("菊花，雅称黄花。", ("菊花", "黄花", "also_known_as")),
    ("大熊猫，爱称滚滚。", ("大熊猫", "滚滚", "also_known_as")),
    ("王小明，昵称明明。", ("王小明", "明明", "also_known_as")),
    ("张顺，绰号浪里白条。", ("张顺", "浪里白条", "also_known_as")),
    ("李逵，外号黑旋风。", ("李逵", "黑旋风", "also_known_as")),
    ("青蒿素被称为“东方神药”。", ("青蒿素", "东方神药", "also_known_as")),
    ("益德，一作翼德。", ("益德", "翼德", "also_known_as")),
    ("翼德又作益德。", ("翼德", "益德", "also_known_as")),
    ("张郃，字儁乂，或作俊乂。", ("张郃", "俊乂", "also_known_as")),
    ("脱氧核糖核酸，缩写DNA。", ("脱氧核糖核酸", "DNA", "abbreviation")),
    ("世界卫生组织，英文缩写WHO。", ("世界卫生组织", "WHO", "abbreviation")),
    ("联合国粮食及农业组织，英文简称FAO。", ("联合国粮食及农业组织", "FAO", "abbreviation")),
    ("北京，时称北平。", ("北京", "北平", "formerly")),
    ("北京在1928年至1949年间称北平。", ("北京", "北平", "formerly")),
    ("沈阳在清朝称盛京。", ("沈阳", "盛京", "formerly")),
    ("杭州，旧名钱塘。", ("杭州", "钱塘", "formerly")),
    ("北京曾名北平。", ("北京", "北平", "formerly")),
    ("黄山市原称徽州。", ("黄山市", "徽州", "formerly")),
    ("鲁迅曾用名周樟寿。", ("鲁迅", "周樟寿", "formerly")),
    ("杭州，曾称钱塘。", ("杭州", "钱塘", "formerly")),
    ("汉城于2005年改名为首尔。", ("汉城", "首尔", "formerly")),
    ("奉天后易名为沈阳。", ("奉天", "沈阳", "formerly")),
    ("金陵，即今南京。", ("金陵", "南京", "formerly")),
    ("燕京今称北京。", ("燕京", "北京", "formerly")),
    ("长安今名西安。", ("长安", "西安", "formerly")),
    ("首尔大学的前身为京城帝国大学。", ("首尔大学", "京城帝国大学", "formerly")),
    ("世界贸易组织，英文名称World Trade Organization。", ("世界贸易组织", "World Trade Organization", "translation")),
    ("长江，英语名Yangtze River。", ("长江", "Yangtze River", "translation")),
    ("青蒿素，外文名Artemisinin。", ("青蒿素", "Artemisinin", "translation")),
    ("黄花蒿，拉丁学名Artemisia annua。", ("黄花蒿", "Artemisia annua", "translation")),
    ("阳明心学，英译School of Mind。", ("阳明心学", "School of Mind", "translation")),
    ("阿托伐他汀，商品名称立普妥。", ("阿托伐他汀", "立普妥", "brand_generic")),
    ("复方蒿甲醚，英文商品名Coartem。", ("复方蒿甲醚", "Coartem", "brand_generic")),
    ("立普妥，通用名阿托伐他汀。", ("立普妥", "阿托伐他汀", "brand_generic")),
    ("布洛芬，品牌名芬必得。", ("布洛芬", "芬必得", "brand_generic")),
]

EN_CASES = [
    ("Acetaminophen, also known as paracetamol, is widely used.", ("Acetaminophen", "paracetamol", "also_known_as")),
    ("Li Bai, also called Li Po, was a poet.", ("Li Bai", "Li Po", "also_known_as")),
    ("Acquired immunodeficiency syndrome, a.k.a. AIDS, is caused by HIV.", ("Acquired immunodeficiency syndrome", "AIDS", "also_known_as")),
    ("Rice blast, aka Blast Disease, ruins harvests.", ("Rice blast", "Blast Disease", "also_known_as")),
    ("Acetylsalicylic acid is the compound commonly called aspirin.", ("Acetylsalicylic acid", "aspirin", "also_known_as")),
    ("Aspirin, the common name of acetylsalicylic acid, is cheap.", ("Aspirin", "acetylsalicylic acid", "also_known_as")),
    ("Xi'an, known in the Tang dynasty as Chang'an, is old.", ("Xi'an", "Chang'an", "also_known_as")),
    ("Sun Quan (182–252), courtesy name Zhongmou, ruled Wu.", ("Sun Quan", "Zhongmou", "courtesy_name")),
    ("Cao Cao, styled Mengde, unified the north.", ("Cao Cao", "Mengde", "courtesy_name")),
    ("Su Shi, also known by his art name Dongpo, wrote poems.", ("Su Shi", "Dongpo", "art_name")),
    ("Wang Yangming, born Wang Shouren, was a philosopher.", ("Wang Yangming", "Wang Shouren", "given_name")),
    ("Mumbai, formerly Bombay, is a port.", ("Mumbai", "Bombay", "formerly")),
    ("Chennai, formerly known as Madras, lies on the coast.", ("Chennai", "Madras", "formerly")),
    ("Magnaporthe oryzae, formerly classified as Pyricularia oryzae, infects rice.", ("Magnaporthe oryzae", "Pyricularia oryzae", "formerly")),
    ("Saigon was renamed Ho Chi Minh City in 1976.", ("Saigon", "Ho Chi Minh City", "formerly")),
    ("In 1995 the government renamed Bombay to Mumbai.", ("Bombay", "Mumbai", "formerly")),
    ("Mumbai was renamed from Bombay in 1995.", ("Bombay", "Mumbai", "formerly")),
    ("The city changed its name from Madras to Chennai in 1996.", ("Madras", "Chennai", "formerly")),
    ("The World Health Organization, abbreviated as WHO, is a UN agency.", ("World Health Organization", "WHO", "abbreviation")),
    ("Polymerase chain reaction (abbr. PCR) copies DNA.", ("Polymerase chain reaction", "PCR", "abbreviation")),
    ("WHO is short for World Health Organization.", ("WHO", "World Health Organization", "abbreviation")),
    ("FAO stands for Food and Agriculture Organization.", ("FAO", "Food and Agriculture Organization", "abbreviation")),
    ("Atorvastatin, sold under the brand name Lipitor, lowers cholesterol.", ("Atorvastatin", "Lipitor", "brand_generic")),
    ("Metformin, sold as Glucophage, treats diabetes.", ("Metformin", "Glucophage", "brand_generic")),
    ("Lipitor is a brand name for atorvastatin.", ("Lipitor", "atorvastatin", "brand_generic")),
    ("Nanjing, historically romanized as Nanking, lies on the Yangtze.", ("Nanjing", "Nanking", "translation")),
    ("Mao Dun, whose given name was Shen Dehong, wrote novels.", ("Mao Dun", "Shen Dehong", "given_name")),
    ("Polymerase chain reaction, abbr. PCR, copies DNA.", ("Polymerase chain reaction", "PCR", "abbreviation")),
    ("Imatinib, whose brand name is Gleevec, treats leukemia.", ("Imatinib", "Gleevec", "brand_generic")),
    ("Yangtze River is the English name for 长江.", ("Yangtze River", "长江", "translation")),
    ("Artemisinin, known in Chinese as qinghaosu, cures malaria.", ("Artemisinin", "qinghaosu", "translation")),
]

PAREN_CASES = [
    ("世界卫生组织（WHO）成立于1948年。", ("世界卫生组织", "WHO", "abbreviation")),
    ("WHO (World Health Organization) is based in Geneva.", ("WHO", "World Health Organization", "abbreviation")),
    ("The polymerase chain reaction (PCR) amplifies DNA.", ("polymerase chain reaction", "PCR", "abbreviation")),
    ("Zhao Yun (赵云) was a general.", ("Zhao Yun", "赵云", "translation")),
    ("赵云（Zhao Yun）是蜀汉名将。", ("赵云", "Zhao Yun", "translation")),
    ("Coartem (artemether-lumefantrine) is a combination.", ("Coartem", "artemether-lumefantrine", "brand_generic")),
    ("Take artemether-lumefantrine (Coartem) twice a day.", ("artemether-lumefantrine", "Coartem", "brand_generic")),
    ("稻瘟病（又称稻热病）危害水稻。", ("稻瘟病", "稻热病", "also_known_as")),
    ("Yangon (formerly Rangoon) is large.", ("Yangon", "Rangoon", "formerly")),
    ("He studied in Peking (now Beijing).", ("Peking", "Beijing", "formerly")),
    ("北平（今北京）是故都。", ("北平", "北京", "formerly")),
    ("Statins (also known as HMG-CoA reductase inhibitors) lower LDL.", ("Statins", "HMG-CoA reductase inhibitors", "also_known_as")),
    ("Zhao Yun (Chinese: 赵云) served Liu Bei.", ("Zhao Yun", "赵云", "translation")),
    ("Atorvastatin (brand name Lipitor) is a statin.", ("Atorvastatin", "Lipitor", "brand_generic")),
    ("Artemisia annua (sweet wormwood) is a plant.", ("Artemisia annua", "sweet wormwood", "also_known_as")),
]


@pytest.mark.parametrize(("text", "expected"), ZH_CASES + EN_CASES + PAREN_CASES)
def test_each_cue_finds_its_statement(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in found(text)


@pytest.mark.parametrize(("text", "aliases"), [
    ("疟疾，又称打摆子、冷热病。", {"打摆子", "冷热病"}),
    ("马铃薯，别名土豆、洋芋。", {"土豆", "洋芋"}),
    ("Ibuprofen is sold under the brand names Advil and Motrin.", {"Advil", "Motrin"}),
    ("沈阳，清代称盛京，后又称奉天。", {"盛京", "奉天"}),
    ("陶渊明，名潜，字元亮，号五柳先生。", {"潜", "元亮", "五柳先生"}),
])
def test_several_aliases_in_one_statement(text: str, aliases: set[str]) -> None:
    assert {alias for _, alias, _ in found(text)} == aliases


@pytest.mark.parametrize("text", [
    "Plasmodium falciparum is a species of the genus Plasmodium.",
    "恶性疟原虫是疟原虫属的一种。",
    "双氢青蒿素是青蒿素的衍生物。",
    "布洛芬属于非甾体抗炎药。",
    "苏轼是苏洵之子。",
    "曹操统一北方，其子曹丕称帝。",
    "Sun Ce was the eldest son of Sun Jian.",
    "广州位于广东省。",
    "Guangzhou is located in Guangdong.",
    "Su Shi (1037) was a poet.",
    "苏轼（1037年—1101年）是北宋文学家。",
    "Take aspirin (5 mg) daily.",
    "Yields rose (12%) after the change.",
    "The fort was built (c. 1200) on the hill.",
    "Plasmodium (a genus of parasitic protozoa) causes malaria.",
    "疟原虫（一种寄生虫）引起疟疾。",
    "See the results (see below) for details.",
    "这个字很难写。",
    "即使下雨，他也去了。",
    "著名诗人李白游历四方。",
    "信号很弱。",
    "今年水稻丰收。",
    "He is known as a careful scholar.",
    "This drug is sold in pharmacies.",
])
def test_no_identity_in_what_is_not_one(text: str) -> None:
    assert found(text) == set()


def test_appositive_does_not_take_the_name() -> None:
    assert found("Guangzhou, a city in Guangdong, also known as Canton, is big.") == {("Guangzhou", "Canton", "also_known_as")}


def test_known_names_snap_the_subject() -> None:
    assert ("蜀汉昭烈帝刘备", "玄德", "courtesy_name") not in found("蜀汉昭烈帝刘备，字玄德。", names=["刘备"])
    assert ("刘备", "玄德", "courtesy_name") in found("蜀汉昭烈帝刘备，字玄德。", names=["刘备"])


def test_a_sentence_without_a_name_refers_to_the_subject() -> None:
    assert found("字玄德，蜀汉开国皇帝。", subject="刘备") == {("刘备", "玄德", "courtesy_name")}
    assert ("Tylenol", "acetaminophen", "brand_generic") not in found("It is sold as Tylenol.", subject="acetaminophen")
    assert ("acetaminophen", "Tylenol", "brand_generic") in found("It is sold as Tylenol.", subject="acetaminophen")


def test_statements_keep_cue_and_sentence() -> None:
    text = "赵云是名将。赵云，字子龙，常山人。"
    [statement] = find_identity_statements(text)
    assert statement.cue == "字" and statement.sentence == "赵云，字子龙，常山人。"
    assert text[statement.start : statement.end] == statement.sentence


def test_description_aliases_are_oriented_to_the_entity() -> None:
    assert [(s.name, s.alias) for s in description_aliases("刘备", "字玄德，蜀汉开国皇帝。")] == [("刘备", "玄德")]
    assert [(s.name, s.alias) for s in description_aliases("Bombay", "Mumbai, formerly Bombay, is a port.")] == [("Bombay", "Mumbai")]
    assert description_aliases("刘禅", "刘备，字玄德，其子刘禅继位。") == []


NEGATIVE_CASES = [
    ("恶性疟原虫", "疟原虫", "恶性疟原虫是疟原虫属的一种。", "taxonomy"),
    ("Plasmodium falciparum", "Plasmodium", "Plasmodium falciparum is a species of the genus Plasmodium.", "taxonomy"),
    ("布洛芬", "非甾体抗炎药", "布洛芬属于非甾体抗炎药。", "taxonomy"),
    ("双氢青蒿素", "青蒿素", "双氢青蒿素是青蒿素的衍生物。", "derivative"),
    ("双氢青蒿素", "青蒿素", "双氢青蒿素由青蒿素还原而得。", "derivative"),
    ("dihydroartemisinin", "artemisinin", "Dihydroartemisinin is a derivative of artemisinin.", "derivative"),
    ("aspirin", "salicylic acid", "Aspirin is made from salicylic acid.", "derivative"),
    ("广州", "广东", "广州是广东省的省会。", "part_of"),
    ("黄山", "安徽省", "黄山位于安徽省南部。", "part_of"),
    ("Guangzhou", "Guangdong", "Guangzhou is the capital of Guangdong.", "part_of"),
    ("苏轼", "苏洵", "苏轼是苏洵之子。", "kinship"),
    ("刘备", "刘禅", "刘备，字玄德，其子刘禅继位。", "kinship"),
    ("Sun Ce", "Sun Jian", "Sun Ce was the eldest son of Sun Jian.", "kinship"),
    ("Su Xun", "Su Shi", "Su Xun's son Su Shi was a poet.", "kinship"),
    ("稻瘟病菌", "稻瘟病", "稻瘟病菌引起稻瘟病。", "causal"),
    ("稻瘟病", "稻瘟病菌", "稻瘟病的病原为稻瘟病菌。", "causal"),
    ("HIV", "AIDS", "HIV causes AIDS.", "causal"),
    ("Shaanxi", "Shanxi", "Shaanxi should not be confused with Shanxi.", "distinct"),
    ("陕西", "山西", "陕西与山西是两个不同的省份。", "distinct"),
    ("Russian Federation", "USSR", "The Russian Federation is the successor state of the USSR.", "distinct"),
    ("苏轼", "三苏", "苏洵与其子苏轼、苏辙合称“三苏”。", "collective"),
    ("Shaanxi", "Shanxi", "Shaanxi is distinct from Shanxi.", "distinct"),
    ("acetaminophen", "ibuprofen", "Acetaminophen, unlike ibuprofen, reduces no inflammation.", "distinct"),
    ("Shaanxi", "Shanxi", "Shaanxi borders Shanxi.", "distinct"),
    ("青蒿", "黄花蒿", "青蒿不同于黄花蒿。", "distinct"),
    ("青蒿", "黄花蒿", "青蒿与黄花蒿不同。", "distinct"),
    ("Artemisia annua", "Artemisia", "Artemisia annua belongs to the genus Artemisia.", "taxonomy"),
    ("Plasmodium", "Plasmodium vivax", "Plasmodium is a genus that includes Plasmodium vivax.", "taxonomy"),
    ("Plasmodium", "Plasmodium vivax", "Plasmodium has species such as Plasmodium vivax.", "taxonomy"),
    ("黄花蒿", "蒿属", "黄花蒿是一种蒿属植物。", "taxonomy"),
    ("蒿属", "黄花蒿", "蒿属包括黄花蒿。", "taxonomy"),
    ("双胍类", "二甲双胍", "双胍类包含二甲双胍。", "taxonomy"),
    ("蒿属", "黄花蒿", "蒿属下的黄花蒿。", "taxonomy"),
    ("青蒿素", "抗疟药", "青蒿素是抗疟药的一种。", "taxonomy"),
    ("恶性疟原虫", "疟原虫", "恶性疟原虫为疟原虫属。", "taxonomy"),
    ("artesunate", "artemisinin", "Artesunate is derived from artemisinin.", "derivative"),
    ("artemether", "dihydroartemisinin", "Artemether is synthesized from dihydroartemisinin.", "derivative"),
    ("artemether", "dihydroartemisinin", "Artemether is metabolized to dihydroartemisinin.", "derivative"),
    ("codeine", "morphine", "Codeine is converted into morphine.", "derivative"),
    ("Suzhou", "Jiangsu", "Suzhou is a city in Jiangsu.", "part_of"),
    ("Nanjing", "Jiangsu", "Nanjing, capital of Jiangsu, is old.", "part_of"),
    ("Guangzhou", "Guangdong", "Guangzhou is located in Guangdong.", "part_of"),
    ("Hong Kong Island", "Hong Kong", "Hong Kong Island is part of Hong Kong.", "part_of"),
    ("Xi'an", "Shaanxi", "Xi'an lies in the province of Shaanxi.", "part_of"),
    ("徐汇区", "上海市", "徐汇区隶属于上海市。", "part_of"),
    ("黄山", "安徽省", "黄山地处安徽省。", "part_of"),
    ("北京大学", "北京", "北京大学坐落于北京。", "part_of"),
    ("徽州", "黄山市", "徽州今属黄山市。", "part_of"),
    ("江苏省", "南京", "江苏省下辖南京。", "part_of"),
    ("江苏省", "苏州", "江苏省辖苏州。", "part_of"),
    ("关羽", "关平", "关羽之子关平随父镇守荆州。", "kinship"),
    ("曹操", "曹丕", "曹操与儿子曹丕。", "kinship"),
    ("苏轼", "苏辙", "苏轼和苏辙两兄弟。", "kinship"),
    ("Magnaporthe oryzae", "rice blast", "Magnaporthe oryzae is the pathogen of rice blast.", "causal"),
    ("HIV", "AIDS", "HIV infection leads to AIDS.", "causal"),
    ("稻瘟病菌", "稻瘟病", "稻瘟病菌是稻瘟病的病原体。", "causal"),
    ("Su Shi", "Three Su", "Su Shi, Su Xun and Su Zhe are collectively known as the Three Su.", "collective"),
    ("苏辙", "三苏", "三苏是苏洵、苏轼、苏辙的合称。", "collective"),
]


@pytest.mark.parametrize(("a", "b", "text", "kind"), NEGATIVE_CASES)
def test_each_negative_cue(a: str, b: str, text: str, kind: str) -> None:
    assert kind in {n.kind for n in negative_evidence(a, b, text)}
    assert kind in {n.kind for n in negative_evidence(b, a, text)}  # either order


@pytest.mark.parametrize(("a", "b", "text"), [
    ("刘备", "玄德", "刘备，字玄德，其子刘禅继位。"),
    ("Guangzhou", "Canton", "Guangzhou, a city in Guangdong, also known as Canton, is big."),
    ("青蒿素", "双氢青蒿素", "青蒿素是抗疟药。双氢青蒿素也是。"),  # no cue, and 青蒿素 inside 双氢青蒿素 is not a mention
    ("苏轼", "苏辙", "苏洵与其子苏轼、苏辙同为文学家。"),
    ("Chennai", "Madras", "Chennai is the city in which Madras University stands."),  # Madras University is another name
])
def test_no_negative_cue_where_there_is_none(a: str, b: str, text: str) -> None:
    assert negative_evidence(a, b, text) == []


def test_description_evidence_reads_the_unnamed_subject() -> None:
    evidence = description_evidence("Guangzhou", "A city in Guangdong province.", "Guangdong")
    assert evidence.same == () and [n.kind for n in evidence.against] == ["part_of"]
    evidence = description_evidence("苏轼", "苏洵之子，字子瞻。", "子瞻")
    assert [s.alias for s in evidence.same] == ["子瞻"] and evidence.against == ()
    evidence = description_evidence("苏轼", "苏洵之子，字子瞻。", "苏洵")
    assert evidence.same == () and [n.kind for n in evidence.against] == ["kinship"]


def test_pair_evidence_over_several_texts() -> None:
    evidence = pair_evidence("南京", "金陵", ["南京古称金陵。", "金陵是六朝古都。", "南京是江苏省会。"])
    assert [s.sentence for s in evidence.same] == ["南京古称金陵。"] and evidence.against == ()


@pytest.mark.parametrize(("x", "y", "kind"), [
    ("世界卫生组织", "WHO", "abbreviation"), ("赵云", "Zhao Yun", "translation"),
    ("Coartem", "artemether-lumefantrine", "brand_generic"), ("中国科学院", "中科院", "abbreviation"),
    ("Myanmar", "Burma", "also_known_as"),
])
def test_classify_pair(x: str, y: str, kind: str) -> None:
    assert classify_pair(x, y) == kind


def test_helpers() -> None:
    assert is_acronym("WHO") and is_acronym("SARS-CoV-2") and is_acronym("qPCR") and not is_acronym("Who")
    assert not looks_like_name("1927") and not looks_like_name("5 mg") and not looks_like_name("a genus of parasites")
    assert looks_like_name("Zhao Yun") and looks_like_name("WHO") and looks_like_name("东坡居士")
    text = "Acquired immunodeficiency syndrome, a.k.a. AIDS, spreads. It is treatable."
    assert [text[a:b] for a, b in sentences(text)] == [
        "Acquired immunodeficiency syndrome, a.k.a. AIDS, spreads.", "It is treatable."]
