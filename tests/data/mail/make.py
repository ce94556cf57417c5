#!/usr/bin/env python3
"""Writes the mail fixtures of tests/t_mime.c and tests/inquiries_import.sh.

Each fixture is one way residents' mail programs write Japanese (the
commit keeps the .eml files; this script says how they were made):
  iso2022jp.eml    text/plain in ISO-2022-JP, 7bit, subject RFC 2047 (B) in ISO-2022-JP
  sjis_qp.eml      text/plain in Shift_JIS, quoted-printable, subject RFC 2047 (Q) in Shift_JIS
  utf8_base64.eml  text/plain in UTF-8, base64, sender name RFC 2047
  alternative.eml  multipart/alternative: text/plain (UTF-8, QP) and text/html
  html_only.eml    text/html only (base64), with a style, a script and <br>/<p>
  reply.eml        a reply: In-Reply-To and References name iso2022jp.eml
  attachment.eml   only a PDF attachment: no text to read
  autoreply.eml    a vacation autoresponder's answer to our acknowledgement (Auto-Submitted)
Run: python3 tests/data/mail/make.py"""
import base64, os, quopri
from email.header import Header

here = os.path.dirname(os.path.abspath(__file__))

def write(name, headers, body):
    with open(os.path.join(here, name), "wb") as f:
        for k, v in headers:
            f.write(("%s: %s\r\n" % (k, v)).encode("ascii"))
        f.write(b"\r\n")
        f.write(body)

def h(text, charset, enc="b"):
    raw = text.encode(charset)
    if enc == "b":
        return "=?%s?B?%s?=" % (charset, base64.b64encode(raw).decode())
    return "=?%s?Q?%s?=" % (charset, quopri.encodestring(raw, header=True).decode().replace(" ", "_"))

common = [("Date", "Mon, 07 Dec 2026 09:12:00 +0900"), ("To", "toiawase@city.saijo.example"), ("MIME-Version", "1.0")]

body1 = "西条市役所 ご担当者様\r\n\r\nお世話になっております。\r\n先月引っ越してきましたが、ごみの収集日がわかりません。\r\n私の地区の燃やすごみの日を教えてください。\r\n\r\n--\r\n山本 花子\r\n電話：090-0000-1234\r\n"
write("iso2022jp.eml", [("From", "%s <hanako@example.jp>" % h("山本 花子", "iso-2022-jp")), *common,
      ("Subject", h("ごみの収集日について", "iso-2022-jp")), ("Message-ID", "<first-0001@example.jp>"),
      ("Content-Type", "text/plain; charset=ISO-2022-JP"), ("Content-Transfer-Encoding", "7bit")],
      body1.encode("iso-2022-jp"))

body2 = "突然のメール失礼いたします。\r\n住民票の写しを会社に出すことになりました。土日に取れる方法はありますか。\r\nよろしくお願いいたします。\r\n"
write("sjis_qp.eml", [("From", "taro@example.jp"), *common, ("Subject", h("住民票について", "shift_jis", "q")),
      ("Message-ID", "<sjis-0002@example.jp>"), ("Content-Type", "text/plain; charset=Shift_JIS"),
      ("Content-Transfer-Encoding", "quoted-printable")], quopri.encodestring(body2.encode("shift_jis")))

body3 = "こんにちは。\r\n家の軒下にスズメバチの巣ができました。市で駆除してもらえますか。\r\n"
write("utf8_base64.eml", [("From", "%s <bee@example.jp>" % h("村上 誠", "utf-8")), *common,
      ("Subject", h("蜂の巣の駆除", "utf-8")), ("Message-ID", "<utf8-0003@example.jp>"),
      ("Content-Type", "text/plain; charset=UTF-8"), ("Content-Transfer-Encoding", "base64")],
      base64.encodebytes(body3.encode("utf-8")).replace(b"\n", b"\r\n"))

plain4 = "児童手当の振込日を教えてください。口座を変えたいです。\r\n"
html4 = "<html><body><p>児童手当の<b>振込日</b>を教えてください。</p><p>口座を変えたいです。</p></body></html>\r\n"
alt = ("--b1\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n".encode()
       + quopri.encodestring(plain4.encode("utf-8")) + b"\r\n--b1\r\nContent-Type: text/html; charset=UTF-8\r\n"
       b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(html4.encode("utf-8")).replace(b"\n", b"\r\n")
       + b"--b1--\r\n")
write("alternative.eml", [("From", "kosodate@example.jp"), *common, ("Subject", h("児童手当", "utf-8")),
      ("Message-ID", "<alt-0004@example.jp>"), ("Content-Type", 'multipart/alternative; boundary="b1"')], alt)

html5 = ("<!DOCTYPE html><html><head><title>無題</title><style>p{color:red}</style></head><body>"
         "<script>alert('x')</script><div>お世話になります。</div><p>水道料金が急に高くなりました。<br>漏水でしょうか。</p>"
         "<p>調べてもらえますか。</p></body></html>\r\n")
write("html_only.eml", [("From", "suido@example.jp"), *common, ("Subject", h("水道料金", "utf-8")),
      ("Message-ID", "<html-0005@example.jp>"), ("Content-Type", "text/html; charset=UTF-8"),
      ("Content-Transfer-Encoding", "base64")], base64.encodebytes(html5.encode("utf-8")).replace(b"\n", b"\r\n"))

body6 = "ご返信ありがとうございます。\r\n地区は朔日市です。よろしくお願いします。\r\n\r\n> 先月引っ越してきましたが\r\n"
write("reply.eml", [("From", "hanako@example.jp"), *common, ("Subject", h("Re: ごみの収集日について", "utf-8")),
      ("Message-ID", "<reply-0006@example.jp>"), ("In-Reply-To", "<first-0001@example.jp>"),
      ("References", "<first-0001@example.jp>"), ("Content-Type", "text/plain; charset=UTF-8"),
      ("Content-Transfer-Encoding", "8bit")], body6.encode("utf-8"))

att = (b"--b2\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\n"
       b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b2--\r\n")
write("attachment.eml", [("From", "pdf@example.jp"), *common, ("Subject", "PDF"), ("Message-ID", "<att-0007@example.jp>"),
      ("Content-Type", 'multipart/mixed; boundary="b2"')], att)

body8 = "ただいま休暇中のため、12月14日以降に確認します。\r\n"
write("autoreply.eml", [("From", "hanako@example.jp"), *common, ("Subject", h("自動応答: お問い合わせを受け付けました", "utf-8")),
      ("Message-ID", "<auto-0008@example.jp>"), ("In-Reply-To", "<first-0001@example.jp>"),
      ("Auto-Submitted", "auto-replied"), ("Content-Type", "text/plain; charset=UTF-8"),
      ("Content-Transfer-Encoding", "8bit")], body8.encode("utf-8"))
