#!/usr/bin/env python3
"""Writes the AIM golden files from the field tables of the public Latitude AIM help
("Export File Layouts": CACT, CMIS, CPEN/CFIN, CPAY, CTRL; "Import File Layouts": AACK, APAY,
AOBJ, AREC, ATRL), independently of arlink's own writer: each record is listed here as
(start, width, text) by hand, and the delimited variant as its columns. ACLS and ANOT follow
the positions arlink's built-in layout chose (docs/layouts.md). Run it only to change the
fixtures; the tests read the files it wrote."""

def fixed(length, *fields):
    line = [" "] * length
    for start, width, text in fields:
        assert len(text) == width, (start, width, text)
        line[start - 1:start - 1 + width] = list(text)
    return "".join(line)

def money(text, width=12):  # explicit decimal point, zero padded on the left
    return text.rjust(width, "0")

def num(n, width):
    return str(n).rjust(width, "0")

def txt(text, width):
    return text.ljust(width)

Z = money("0.00")
portfolio_fixed = [
    fixed(3000, (1, 4, "CACT"), (5, 9, num(1, 9)), (14, 30, txt("A-1001", 30)), (44, 12, money("1250.50")),
          *[(56 + 12 * i, 12, Z) for i in range(8)],
          (152, 8, "19000101"), (160, 8, "20250915"), (168, 8, "20250301"), (176, 8, "20251201"), (184, 8, "19000101")),
    fixed(3000, (1, 4, "CMIS"), (5, 9, num(1, 9)), (14, 30, txt("A-1001", 30)), (44, 30, txt("name", 30)), (74, 100, txt("Müller Maschinenbau GmbH", 100))),
    fixed(3000, (1, 4, "CMIS"), (5, 9, num(1, 9)), (14, 30, txt("A-1001", 30)), (44, 30, txt("city", 30)), (74, 100, txt("Berlin", 100))),
    fixed(3000, (1, 4, "CACT"), (5, 9, num(2, 9)), (14, 30, txt("A-1002", 30)), (44, 12, money("99.99")),
          *[(56 + 12 * i, 12, Z) for i in range(8)],
          (152, 8, "19000101"), (160, 8, "19000101"), (168, 8, "20250610"), (176, 8, "20251201"), (184, 8, "19000101")),
    fixed(222, (1, 4, "CPAY"), (5, 9, num(7, 9)), (14, 30, txt("A-0900", 30)), (44, 12, money("150.00")),
          *[(56 + 12 * i, 12, Z) for i in range(8)],
          (152, 8, "20251201"), (160, 3, "DA "), (163, 30, txt("20251201-7", 30)), (193, 30, " " * 30)),
    fixed(102, (1, 4, "CFIN"), (5, 9, num(5, 9)), (14, 30, txt("A-0800", 30)), (44, 3, "PDC"), (47, 8, "19000101")),
    fixed(3000, (1, 4, "CTRL"), (5, 30, txt("ACME01", 30)), (35, 50, txt("Acme Manufacturing", 50)), (85, 10, num(6, 10)),
          (95, 12, money("1350.49")), (107, 8, "20251201")),
]

zeros8 = ["0.00"] * 8
portfolio_pipe = [
    ["CACT", num(1, 9), "A-1001", "1250.50", *zeros8, "19000101", "20250915", "20250301", "20251201", "19000101"],
    ["CMIS", num(1, 9), "A-1001", "name", "Müller Maschinenbau GmbH"],
    ["CMIS", num(1, 9), "A-1001", "city", "Berlin"],
    ["CACT", num(2, 9), "A-1002", "99.99", *zeros8, "19000101", "19000101", "20250610", "20251201", "19000101"],
    ["CPAY", num(7, 9), "A-0900", "150.00", *zeros8, "20251201", "DA", "20251201-7", ""],
    ["CFIN", num(5, 9), "A-0800", "PDC", "19000101"],
    ["CTRL", "ACME01", "Acme Manufacturing", num(6, 10), "1350.49", "20251201"],
]

buckets = [(127 + 12 * i, 12, Z) for i in range(9)]
feedback_fixed = [
    fixed(126, (1, 4, "AACK"), (5, 9, num(1, 9)), (14, 30, txt("A-1001", 30)), (44, 12, money("1250.50")), (56, 8, "20251203"),
          (64, 12, money("1250.50")), (76, 8, "19000101"), (84, 12, Z)),
    fixed(126, (1, 4, "AACK"), (5, 9, num(2, 9)), (14, 30, txt("A-1002", 30)), (44, 12, money("90.00")), (56, 8, "20251203"),
          (64, 12, money("90.00")), (76, 8, "19000101"), (84, 12, Z)),
    fixed(234, (1, 4, "APAY"), (5, 9, num(1, 9)), (14, 30, txt("A-1001", 30)), (44, 12, money("200.00")), (56, 8, "20251210"),
          (64, 3, "PA "), (67, 30, txt("PAY-0001", 30)), (97, 30, txt("card", 30)), *buckets),
    fixed(234, (1, 4, "APAY"), (5, 9, num(7, 9)), (14, 30, txt("A-0900", 30)), (44, 12, money("40.00")), (56, 8, "20251211"),
          (64, 3, "PAR"), (67, 30, txt("PAY-0000", 30)), (97, 30, txt("chargeback", 30)), *buckets),
    fixed(102, (1, 4, "AOBJ"), (5, 9, num(2, 9)), (14, 30, txt("A-1002", 30)), (44, 3, "ACT"), (47, 8, "20251211")),
    fixed(126, (1, 4, "AREC"), (5, 9, num(1, 9)), (14, 30, txt("A-1001", 30)), (44, 12, money("1250.50")), (56, 8, "20251203"),
          (64, 12, money("1050.50")), (76, 8, "20251210"), (84, 12, money("200.00"))),
    fixed(102, (1, 4, "ACLS"), (5, 9, num(2, 9)), (14, 30, txt("A-1002", 30)), (44, 8, "20251215"), (52, 3, "RCL"),
          (55, 12, money("99.99")), (67, 30, txt("no contact after 90 days", 30))),
    fixed(340, (1, 4, "ANOT"), (5, 9, num(1, 9)), (14, 14, "20251212000000"), (28, 6, txt("CALL", 6)), (34, 6, txt("PTP", 6)),
          (40, 300, txt("PTP 300.00 20260115", 300))),
    fixed(114, (1, 4, "ATRL"), (5, 30, txt("AGY42", 30)), (35, 50, txt("Collect Co", 50)), (85, 10, num(8, 10)),
          (95, 12, money("240.00")), (107, 8, "20251216")),
]

zeros9 = ["0.00"] * 9
feedback_pipe = [
    ["AACK", num(1, 9), "A-1001", "1250.50", "20251203", "1250.50", "19000101", "0.00"],
    ["AACK", num(2, 9), "A-1002", "90.00", "20251203", "90.00", "19000101", "0.00"],
    ["APAY", num(1, 9), "A-1001", "200.00", "20251210", "PA", "PAY-0001", "card", *zeros9],
    ["APAY", num(7, 9), "A-0900", "40.00", "20251211", "PAR", "PAY-0000", "chargeback", *zeros9],
    ["AOBJ", num(2, 9), "A-1002", "ACT", "20251211"],
    ["AREC", num(1, 9), "A-1001", "1250.50", "20251203", "1050.50", "20251210", "200.00"],
    ["ACLS", num(2, 9), "A-1002", "20251215", "RCL", "99.99", "no contact after 90 days"],
    ["ANOT", num(1, 9), "20251212000000", "CALL", "PTP", "PTP 300.00 20260115"],
    ["ATRL", "AGY42", "Collect Co", num(8, 10), "240.00", "20251216"],
]

def write(name, lines):
    with open(name, "wb") as f:
        f.write("".join(l + "\r\n" for l in lines).encode("latin-1"))

write("portfolio-fixed.txt", portfolio_fixed)
write("portfolio-pipe.txt", ["|".join(c) for c in portfolio_pipe])
write("feedback-fixed.txt", feedback_fixed)
write("feedback-pipe.txt", ["|".join(c) for c in feedback_pipe])
