"""Held-out check of the cue rules: sentences written after the rules were frozen (not in the corpus).

Measured once when written (see README.md); do not tune the rules on these sentences, or they stop
being held out — write new ones instead. Run: ``python bench/resolve_data/heldout_check.py``.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from graphgen_neo4j.analyst.evidence import find_identity_statements  # noqa: E402
from graphgen_neo4j.analyst.negative_cues import negative_evidence  # noqa: E402

POS = [
    ("辛弃疾，字幼安，号稼轩，南宋词人。", "辛弃疾", "稼轩"),
    ("辛弃疾，字幼安，号稼轩，南宋词人。", "辛弃疾", "幼安"),
    ("欧阳修晚年自号六一居士。", "欧阳修", "六一居士"),
    ("诸葛亮，人称卧龙先生。", "诸葛亮", "卧龙先生"),
    ("国际水稻研究所（IRRI）位于菲律宾。", "国际水稻研究所", "IRRI"),
    ("联合国教育、科学及文化组织，简称联合国教科文组织。", "联合国教育、科学及文化组织", "联合国教科文组织"),
    ("杭州古称临安，南宋定都于此。", "杭州", "临安"),
    ("开封，旧称汴京。", "开封", "汴京"),
    ("The International Rice Research Institute (IRRI) is in the Philippines.", "International Rice Research Institute", "IRRI"),
    ("Fluoxetine, sold under the brand name Prozac, is an antidepressant.", "Fluoxetine", "Prozac"),
    ("Sri Lanka, formerly known as Ceylon, is an island nation.", "Sri Lanka", "Ceylon"),
    ("Istanbul was once called Constantinople.", "Istanbul", "Constantinople"),
    ("Kolkata (formerly Calcutta) lies on the Hooghly.", "Kolkata", "Calcutta"),
    ("Yue Fei, courtesy name Pengju, was a Song general.", "Yue Fei", "Pengju"),
    ("Trastuzumab (Herceptin) targets HER2.", "Trastuzumab", "Herceptin"),
    ("曲妥珠单抗（商品名赫赛汀）用于乳腺癌。", "曲妥珠单抗", "赫赛汀"),
    ("Severe acute respiratory syndrome, abbreviated SARS, appeared in 2002.", "Severe acute respiratory syndrome", "SARS"),
    ("氟西汀，商品名百忧解，是抗抑郁药。", "氟西汀", "百忧解"),
    ("厦门别称鹭岛。", "厦门", "鹭岛"),
    ("Myanmar's former capital Yangon was known as Rangoon.", "Yangon", "Rangoon"),
]
NEG = [
    ("Plasmodium malariae is a species of Plasmodium.", "Plasmodium malariae", "Plasmodium"),
    ("杭州是浙江省的省会。", "杭州", "浙江省"),
    ("苏辙是苏轼之弟。", "苏辙", "苏轼"),
    ("Artesunate is a derivative of artemisinin.", "Artesunate", "artemisinin"),
    ("Sun Shangxiang was the sister of Sun Quan.", "Sun Shangxiang", "Sun Quan"),
    ("间日疟原虫属于疟原虫属。", "间日疟原虫", "疟原虫"),
    ("Chengdu, the capital of Sichuan, is known for pandas.", "Chengdu", "Sichuan"),
    ("SARS-CoV-2 causes COVID-19.", "SARS-CoV-2", "COVID-19"),
    ("蒿乙醚是青蒿素的衍生物，又称青蒿乙醚。", "蒿乙醚", "青蒿素"),
    ("曹叡是曹丕之子，字元仲。", "曹叡", "曹丕"),
]
hit = 0
for text, a, b in POS:
    got = {(s.name, s.alias) for s in find_identity_statements(text)}
    ok = any({*map(str.casefold, p)} == {a.casefold(), b.casefold()} for p in got)
    hit += ok
    if not ok: print("MISS", text, got)
fp = 0; negcue = 0
for text, a, b in NEG:
    got = {(s.name, s.alias) for s in find_identity_statements(text)}
    wrong = any({*map(str.casefold, p)} == {a.casefold(), b.casefold()} for p in got)
    fp += wrong
    negcue += bool(negative_evidence(a, b, text))
    if wrong: print("FALSE POSITIVE", text, got)
    if not negative_evidence(a, b, text): print("NO NEG CUE", text)
print(f"held-out: identity {hit}/{len(POS)}; false identity on negatives {fp}/{len(NEG)}; negative cue found {negcue}/{len(NEG)}")
