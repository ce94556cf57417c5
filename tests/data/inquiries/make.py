#!/usr/bin/env python3
"""Writes tune.json and report.json from cores.py: each matter in two letters.

The letters are how residents write to a city: a greeting, who they are, the
matter, sometimes impatience, a closing and a signature with contact data
(invented: 090-0000-xxxx numbers, example.jp addresses). Matters are split by
row, even rows tune and odd rows report, so no matter is in both halves.
Run: python3 tests/data/inquiries/make.py (deterministic)."""
import json, os, random, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cores import CORES

OPEN = ["西条市役所 ご担当者様\n\nいつもお世話になっております。", "お世話になります。", "突然のメール失礼いたします。",
        "市役所の皆様\nいつもありがとうございます。", "こんにちは。", "初めてご連絡いたします。", "", "ご担当者様\n\nお忙しいところ恐れ入りますが、お尋ねします。"]
WHO = ["市内の朔日市に住んでいる者です。", "丹原町に住む会社員です。", "小松町在住の主婦です。", "東予地区に住んでいます。",
       "昨年から西条市に住んでいます。", "70代の年金暮らしの者です。", "", "", "共働きで小さな子どもがいます。"]
ANGRY = ["先日電話で問い合わせましたが、たらい回しにされた上に結局わかりませんでした。", "何度電話してもつながらず、大変困っています。",
         "ホームページを見ましたが、どこに書いてあるのか全くわかりません。", "前にも窓口で聞いたのですが、説明が人によって違っていました。"]
CLOSE = ["よろしくお願いいたします。", "お忙しいところ恐れ入りますが、ご回答をお待ちしております。", "早めのご回答をお願いします。",
         "以上、よろしくお願いします。", "何卒よろしくお願い申し上げます。", "どうぞよろしくお願いいたします。"]
FAMILY = ["山本", "村上", "高橋", "越智", "伊藤", "渡部", "近藤", "真鍋", "曽我部", "石川", "藤田", "玉井"]
GIVEN = ["花子", "健一", "美香", "誠", "由美", "大輔", "和子", "翔太", "恵", "正夫"]

def signature(r, i):
    name = r.choice(FAMILY) + " " + r.choice(GIVEN)
    tel = "090-0000-%04d" % (1000 + i)
    mail = "resident%03d@example.jp" % i
    style = i % 4
    if style == 0:
        return "\n\n--\n%s\n電話：%s\nメール：%s" % (name, tel, mail)
    if style == 1:
        return "\n\n%s\n%s" % (name, tel)
    if style == 2:
        return "\n\n━━━━━━━━━━\n%s（西条市在住）\nTEL %s" % (name, tel)
    return "\n\n" + name

def letter(r, i, core, angry, with_subject):
    dept, useful, subject, matter = core
    parts = [r.choice(OPEN), r.choice(WHO)]
    if angry:
        parts.append(r.choice(ANGRY))
    parts.append(matter)
    parts.append(r.choice(CLOSE))
    body = "\n".join(p for p in parts if p) + signature(r, i)
    item = {"id": "inq-%03d" % i, "body": body, "department": dept, "useful": useful}
    if with_subject:
        item = {"id": item["id"], "subject": subject, **{k: v for k, v in item.items() if k != "id"}}
    return item

def main():
    r = random.Random(17)
    halves = {"tune": [], "report": []}
    n = 0
    for row, core in enumerate(CORES):
        half = "tune" if row % 2 == 0 else "report"
        for v in range(2):
            n += 1
            halves[half].append(letter(r, n, core, angry=(v == 1 and row % 3 == 0), with_subject=(v == 0 or row % 4 == 1)))
    here = os.path.dirname(os.path.abspath(__file__))
    for half, items in halves.items():
        with open(os.path.join(here, half + ".json"), "w", encoding="utf-8") as f:
            json.dump({"about": "Residents' inquiries written for the project (tests/data/inquiries/make.py), labelled with the "
                       "sample FAQ's department and the entries a useful reply starts from; %s half." % half,
                       "inquiries": items}, f, ensure_ascii=False, indent=1)
            f.write("\n")
    print("tune %d, report %d" % (len(halves["tune"]), len(halves["report"])))

main()
