"""UCINET DL files (``.dl``): the formats fullmatrix, edgelist1 and nodelist1, one relation
or several (``nm=``, read as edge layers).

Syntax as specified by the UCINET documentation: the DL language reference of the UCINET
help (Analytic Technologies, "DL LANGUAGE", http://www.analytictech.com/ucinet/help/hs5000.htm)
and the UCINET 6 User's Guide (Borgatti, Everett & Freeman 2002, chapter 3, "Importing
data": full matrix, labels, multiple matrices, diagonal absent, nodelists and edgelists);
examples also in Gephi's "UCINET DL format" page. In short::

    DL N=4 NM=2
    FORMAT = FULLMATRIX          (or EDGELIST1, NODELIST1; default fullmatrix)
    DIAGONAL = PRESENT           (or ABSENT: a full matrix's rows leave out their diagonal cell)
    MATRIX LABELS:
    advice, friendship
    LABELS:                      (or ROW LABELS: / COLUMN LABELS:, or LABELS EMBEDDED)
    "Alpha Ltd", Beta, Gamma, Delta
    DATA:
    0 1 0 0 ...                  (matrices one after another; `!` may end each, and must
                                  end each relation of an edge or node list)

- ``DL`` is the first word; keywords are case-insensitive and statements may share a line.
  ``N=`` gives the actors; ``NR=``/``NC=`` are accepted only when equal (a square, one-mode
  network); a rectangular (two-mode) matrix is an error.
- Labels are separated by spaces, commas or line breaks; a label with spaces is quoted
  (``"Humpty Dumpty"``). A label section with one unquoted label with spaces per line (as
  spreadsheets write it) is read one label per line when that gives the declared count.
  Labels keep their case (UCINET upper-cases them).
- fullmatrix: ``N`` x ``N`` numbers (``N - 1`` per row with ``DIAGONAL = ABSENT``), separated
  by spaces or commas, in any line layout. With labels embedded the first data row holds
  the column labels and every row starts with its label (rows may come in any order).
- edgelist1: one tie a line, ``i j [weight]``; nodelist1: ``i j k ...`` (ties i -> j, i -> k).
  Actors are numbers 1..N, or labels when embedded. Every actor of ``N`` must be named when
  labels are embedded (else the count is wrong: an error).
- Rows ask columns (``i j``: i asks j), as in the other readers. Weights are numbers from 0
  to 1e12; 0 is no tie.

Not read (an error naming the format): lowerhalf, upperhalf, edgelist2, nodelist2,
blockmatrix, edgearray, external data files.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from .network import MAX_MATRIX, WEIGHT_RULE, ClusterNetwork, DataError, build_network, weight_ok
from .text import read_text

FORMATS_READ = {"fullmatrix": "fullmatrix", "fm": "fullmatrix", "full": "fullmatrix",
                "edgelist1": "edgelist1", "el1": "edgelist1", "edgelist": "edgelist1",
                "nodelist1": "nodelist1", "nl1": "nodelist1", "nodelist": "nodelist1"}
_NOT_READ = ("lowerhalf", "upperhalf", "lh", "uh", "edgelist2", "el2", "nodelist2", "nl2", "blockmatrix",
             "edgearray", "nodelist1b", "linkedlist")
_TOKEN = re.compile(r'"([^"]*)"|([^\s,"=:]+)|(=)|(:)|(")')
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class _Tok:
    __slots__ = ("text", "line", "quoted")

    def __init__(self, text: str, line: int, quoted: bool = False):
        self.text, self.line, self.quoted = text, line, quoted

    def key(self) -> str:
        return "" if self.quoted else self.text.lower()


def _tokens(path, text: str) -> list[_Tok]:
    out = []
    for ln, line in enumerate(text.splitlines(), 1):
        for m in _TOKEN.finditer(line):
            if m.group(5):
                raise DataError(f"{path}: line {ln}: a quoted label is never closed")
            if m.group(1) is not None:
                out.append(_Tok(m.group(1).strip(), ln, True))
            else:
                out.append(_Tok(m.group(0), ln))
    return out


class _Reader:
    """The tokens of a file, read front to back."""

    def __init__(self, path, toks: list[_Tok]):
        self.path, self.toks, self.i = path, toks, 0

    def peek(self, k: int = 0) -> _Tok | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def take(self) -> _Tok:
        t = self.peek()
        self.i += 1
        return t

    def last_line(self) -> int:
        return self.toks[-1].line if self.toks else 1

    def expect(self, text: str, after: str) -> _Tok:
        t = self.peek()
        if t is None or t.key() != text:
            where = f"line {t.line}" if t is not None else f"line {self.last_line()}"
            got = repr(t.text) if t is not None else "the end of the file"
            raise DataError(f"{self.path}: {where}: expected '{text}' after {after}, got {got}")
        return self.take()


_LABEL_KINDS = {"labels": "labels", "row": "row", "column": "column", "col": "column", "matrix": "matrix"}


def _statement_starts(r: _Reader) -> bool:
    """Whether the next tokens begin a header statement (so a label list ends here)."""
    t, u = r.peek(), r.peek(1)
    if t is None:
        return True
    k = t.key()
    nxt = u.key() if u is not None else ""
    if k in ("n", "nr", "nc", "nm", "format", "diagonal") and nxt == "=":
        return True
    if k == "data" and nxt == ":":
        return True
    if k == "labels" and nxt in (":", "embedded"):
        return True
    if k in ("row", "column", "col", "matrix") and nxt == "labels":
        return True
    return False


def read_dl(path, directed: bool | None) -> ClusterNetwork:
    """A UCINET DL file as a network (module docstring). ``directed`` None means directed
    (DL has no direction of its own); read undirected, a symmetric relation counts each
    pair once, otherwise both directions are summed, as for a matrix file."""
    text, enc = read_text(path)
    r = _Reader(path, _tokens(path, text))
    first = r.peek()
    if first.key() != "dl":  # read_text refused an empty file
        raise DataError(f"{path}: line {first.line}: expected the file to start with 'DL' (a UCINET DL file), "
                        f"got {first.text[:30]!r}")
    r.take()
    head: dict = {}
    labels: dict[str, tuple[list[_Tok], int]] = {}
    embedded: set[str] = set()
    while True:
        t = r.peek()
        if t is None:
            raise DataError(f"{path}: line {r.last_line()}: no 'DATA:' line; expected the data after the header")
        k = t.key()
        if k in ("n", "nr", "nc", "nm"):
            r.take()
            r.expect("=", k.upper())
            v = r.take()
            if v is None or not v.text.isdigit():
                raise DataError(f"{path}: line {t.line}: {k.upper()}= needs a whole number, got "
                                f"{v.text if v else 'nothing'!r}")
            if k in head:
                raise DataError(f"{path}: line {t.line}: {k.upper()}= is given twice")
            head[k] = (int(v.text), t.line)
        elif k == "format":
            r.take()
            r.expect("=", "FORMAT")
            v = r.take()
            name = (v.text if v else "").lower().replace(" ", "")
            if name in _NOT_READ:
                raise DataError(f"{path}: line {t.line}: FORMAT = {v.text} is not read; expected fullmatrix, "
                                "edgelist1 or nodelist1 (export the network from UCINET in one of these)")
            if name not in FORMATS_READ:
                raise DataError(f"{path}: line {t.line}: unknown FORMAT {v.text if v else ''!r}; expected "
                                "fullmatrix, edgelist1 or nodelist1")
            head["format"] = (FORMATS_READ[name], t.line)
        elif k == "diagonal":
            r.take()
            if r.peek() is not None and r.peek().key() == "=":
                r.take()
            v = r.take()
            if v is None or v.key() not in ("present", "absent"):
                raise DataError(f"{path}: line {t.line}: DIAGONAL needs PRESENT or ABSENT, got "
                                f"{v.text if v else 'nothing'!r}")
            head["diagonal"] = (v.key(), t.line)
        elif k in _LABEL_KINDS and (k == "labels" or (r.peek(1) and r.peek(1).key() == "labels")):
            kind = _LABEL_KINDS[k]
            r.take()
            if kind != "labels":
                r.take()  # the word LABELS
            if r.peek() is not None and r.peek().key() == "embedded":
                r.take()
                if r.peek() is not None and r.peek().key() == ":":
                    r.take()
                if kind == "matrix":
                    raise DataError(f"{path}: line {t.line}: MATRIX LABELS EMBEDDED is not read; list the "
                                    "relations' names after MATRIX LABELS:")
                embedded.update(("row", "column") if kind == "labels" else (kind,))
                continue
            r.expect(":", t.text.upper() if kind == "labels" else f"{k.upper()} LABELS")
            items = []
            while not _statement_starts(r):
                item = r.take()
                if item.quoted or item.text not in ("=", ":"):  # '=' separates labels too
                    items.append(item)
            labels[kind] = (items, t.line)
        elif k == "data":
            r.take()
            r.expect(":", "DATA")
            break
        else:
            raise DataError(f"{path}: line {t.line}: unknown statement {t.text[:30]!r} in the header; expected "
                            "N=, NM=, FORMAT=, DIAGONAL=, LABELS:, ROW LABELS:, COLUMN LABELS:, MATRIX LABELS:, "
                            "LABELS EMBEDDED or DATA:")
    data = r.toks[r.i:]
    n = _size(path, head)
    nm = head.get("nm", (1, 0))[0]
    if nm < 1:
        raise DataError(f"{path}: line {head['nm'][1]}: NM=0; expected at least one relation")
    fmt = head.get("format", ("fullmatrix", 0))[0]
    diag_absent = head.get("diagonal", ("present", 0))[0] == "absent"
    raw, per_line = text.splitlines(), Counter(t.line for t in r.toks)
    names = _actor_labels(path, labels, n, raw, per_line)
    relations = _relation_labels(path, labels, nm, raw, per_line)
    if fmt == "fullmatrix":
        if n > MAX_MATRIX:
            raise DataError(f"{path}: line {head['n'][1]}: N={n}: a full matrix may have at most {MAX_MATRIX:,} "
                            "actors (save a bigger network as edgelist1)")
        names, mats = _full(path, data, n, nm, names, embedded, diag_absent, r.last_line())
        src, dst, w, lay = [], [], [], []
        symmetric = True
        for rel, W in zip(relations, mats):
            if not directed and directed is not None and np.array_equal(W, W.T):
                W = np.triu(W)
            else:
                symmetric = False
            s, d = np.nonzero(W)
            src.extend(s.tolist())
            dst.extend(d.tolist())
            w.extend(W[s, d].tolist())
            lay.extend([rel] * len(s))
        notes = {"format": "dl", "dl_format": fmt, "encoding": enc}
        if directed is False and symmetric:
            notes["symmetric"] = True
    else:
        names, src, dst, w, lay = _lists(path, data, n, nm, names, relations, bool(embedded), fmt,
                                         r.last_line())
        notes = {"format": "dl", "dl_format": fmt, "encoding": enc}
    directed = True if directed is None else directed
    return build_network(path, names, src, dst, w, lay if nm > 1 else None, directed, notes=notes)


def _size(path, head: dict) -> int:
    if "n" in head:
        for k in ("nr", "nc"):
            if k in head and head[k][0] != head["n"][0]:
                raise DataError(f"{path}: line {head[k][1]}: {k.upper()}={head[k][0]} differs from "
                                f"N={head['n'][0]}; a network's matrix is square")
        n, line = head["n"]
    elif "nr" in head and "nc" in head:
        (nr, line), (nc, _) = head["nr"], head["nc"]
        if nr != nc:
            raise DataError(f"{path}: line {line}: NR={nr} and NC={nc}: a rectangular (two-mode) matrix is not "
                            "read; expected a square network (N=)")
        n = nr
    else:
        raise DataError(f"{path}: no N= in the header; expected the number of actors (N=) before DATA:")
    if n == 0:
        raise DataError(f"{path}: line {line}: N=0: no actors in the network")
    if n > 2_000_000:
        raise DataError(f"{path}: line {line}: N={n}: more than 2,000,000 actors; expected the number of actors")
    return n


def _split_labels(items: list[_Tok], expected: int, raw: list[str], per_line: Counter) -> list[str]:
    """Labels of a section: as the tokens split them (spaces, commas, quotes), or one label
    per line (`raw`: the file's lines; `per_line`: tokens on each) when that, not the
    tokens, gives the expected count (unquoted labels with spaces or commas, one a line
    holding nothing else)."""
    plain = [t.text for t in items]
    if len(plain) == expected:
        return plain
    mine = Counter(t.line for t in items)
    alone = all(per_line[ln] == k for ln, k in mine.items())
    if len(mine) == expected and alone and not any(t.quoted for t in items):
        return [raw[ln - 1].strip() for ln in sorted(mine)]
    return plain


def _actor_labels(path, labels: dict, n: int, raw: list[str], per_line: Counter) -> list[str] | None:
    got = {}
    for kind in ("labels", "row", "column"):
        if kind in labels:
            items, line = labels[kind]
            names = _split_labels(items, n, raw, per_line)
            what = {"labels": "LABELS:", "row": "ROW LABELS:", "column": "COLUMN LABELS:"}[kind]
            if len(names) != n:
                raise DataError(f"{path}: line {line}: {what} lists {len(names)} labels, expected N={n}")
            seen: dict[str, int] = {}
            for k, name in enumerate(names):
                if not name:
                    raise DataError(f"{path}: line {line}: {what} label {k + 1} is empty")
                if name in seen:
                    raise DataError(f"{path}: line {line}: {what} label {name!r} appears twice")
                seen[name] = k
            got[kind] = (names, line)
    if "row" in got and "column" in got and got["row"][0] != got["column"][0]:
        (rows, line), cols = got["row"], got["column"][0]
        if set(rows) != set(cols):
            bad = next(x for x in rows if x not in cols)
            raise DataError(f"{path}: line {line}: row label {bad!r} is not a column label; rows and columns "
                            "must list the same actors (a two-mode network is not read)")
        raise DataError(f"{path}: line {line}: ROW LABELS and COLUMN LABELS list the actors in different "
                        "orders; give one LABELS: list")
    for kind in ("labels", "row", "column"):
        if kind in got:
            return got[kind][0]
    return None


def _relation_labels(path, labels: dict, nm: int, raw: list[str], per_line: Counter) -> list[str]:
    if "matrix" not in labels:
        return [str(k + 1) for k in range(nm)]
    items, line = labels["matrix"]
    names = _split_labels(items, nm, raw, per_line)
    if len(names) != nm:
        raise DataError(f"{path}: line {line}: MATRIX LABELS: lists {len(names)} names, expected NM={nm}")
    if len(set(names)) != nm:
        raise DataError(f"{path}: line {line}: MATRIX LABELS: a relation's name appears twice")
    return names


def _value(path, t: _Tok) -> float:
    if t.quoted or not _NUMBER.fullmatch(t.text):
        raise DataError(f"{path}: line {t.line}: {t.text!r} is not a number; expected a tie value")
    v = float(t.text)
    if v < 0:
        raise DataError(f"{path}: line {t.line}: negative weight {t.text} (weights must be {WEIGHT_RULE})")
    if not weight_ok(v):
        raise DataError(f"{path}: line {t.line}: weight {t.text} is out of range; expected {WEIGHT_RULE}")
    return v


def _full(path, data: list[_Tok], n: int, nm: int, names, embedded: set, diag_absent: bool, last: int):
    """The nm full matrices of the data (a `!` between them is allowed)."""
    k = 0
    per_row = n - 1 if diag_absent else n
    mats = []
    if names is None and not embedded:
        names = [str(i + 1) for i in range(n)]

    def take(what: str) -> _Tok:
        nonlocal k
        while k < len(data) and data[k].text == "!" and not data[k].quoted:
            k += 1
        if k >= len(data):
            raise DataError(f"{path}: line {last}: the data end early; expected {what}")
        k += 1
        return data[k - 1]

    for m in range(nm):
        rel = f" of relation {m + 1}" if nm > 1 else ""
        col_order = list(range(n))
        if "column" in embedded:
            cols = [take(f"{n} column labels{rel}").text for _ in range(n)]
            if names is None:
                names = cols
            if len(set(cols)) != n:
                raise DataError(f"{path}: line {data[k - 1].line}: a column label appears twice in the embedded "
                                "labels")
            index = {x: i for i, x in enumerate(names)}
            for c in cols:
                if c not in index:
                    raise DataError(f"{path}: line {data[k - 1].line}: column label {c!r} is not among the "
                                    "row labels; rows and columns must list the same actors")
            col_order = [index[c] for c in cols]
        W = np.zeros((n, n))
        seen_rows: dict[int, int] = {}
        for i in range(n):
            if "row" in embedded:
                lab = take(f"row {i + 1}'s label{rel}")
                if names is None:  # row labels only: the rows name the actors in order
                    names = []
                if len(names) < n and lab.text not in names:
                    names.append(lab.text)
                try:
                    row = names.index(lab.text)
                except ValueError:
                    raise DataError(f"{path}: line {lab.line}: row label {lab.text!r} is not a column label; rows "
                                    "and columns must list the same actors") from None
                if row in seen_rows:
                    raise DataError(f"{path}: line {lab.line}: row label {lab.text!r} appears twice (also line "
                                    f"{seen_rows[row]})")
                seen_rows[row] = lab.line
            else:
                row = i
            for c in range(n):
                if diag_absent and col_order[c] == row:
                    continue
                t = take(f"{per_row} values in row {i + 1}{rel} (N={n}"
                         + (", diagonal absent)" if diag_absent else ")"))
                W[row, col_order[c]] = _value(path, t)
        mats.append(W)
    while k < len(data) and data[k].text == "!" and not data[k].quoted:
        k += 1
    if k < len(data):
        raise DataError(f"{path}: line {data[k].line}: {data[k].text[:30]!r} after the last value; expected "
                        f"{nm} matri{'ces' if nm > 1 else 'x'} of {n} x {n} values (N={n}"
                        + (f", NM={nm})" if nm > 1 else ")"))
    return names, mats


def _lists(path, data: list[_Tok], n: int, nm: int, names, relations: list[str], embedded: bool, fmt: str,
           last: int):
    """The ties of edgelist1 / nodelist1 data: one line a tie (or a node and its partners),
    relations separated by `!`."""
    lines: dict[int, list[_Tok]] = {}
    for t in data:
        lines.setdefault(t.line, []).append(t)
    index: dict[str, int] = {} if names is None else {x: i for i, x in enumerate(names)}
    order = [] if names is None else list(names)
    rel = 0
    src, dst, w, lay = [], [], [], []

    def actor(t: _Tok) -> int:
        if embedded:
            if t.text not in index:
                if len(order) >= n:
                    raise DataError(f"{path}: line {t.line}: {t.text!r} is actor {len(order) + 1}, but N={n}; "
                                    "expected N to count every actor")
                index[t.text] = len(order)
                order.append(t.text)
            return index[t.text]
        if t.quoted or not t.text.isdigit():
            raise DataError(f"{path}: line {t.line}: {t.text!r} is not an actor number; expected 1 to {n} "
                            "(or LABELS EMBEDDED for names)")
        v = int(t.text)
        if not 1 <= v <= n:
            raise DataError(f"{path}: line {t.line}: actor {v} is outside 1..{n} (N={n})")
        return v - 1

    for ln, toks in lines.items():
        if len(toks) == 1 and toks[0].text == "!" and not toks[0].quoted:
            rel += 1
            if rel >= nm:
                raise DataError(f"{path}: line {ln}: a '!' starts relation {rel + 1}, but NM={nm}")
            continue
        if fmt == "edgelist1":
            if len(toks) not in (2, 3):
                raise DataError(f"{path}: line {ln}: {len(toks)} items; expected two actors and an optional "
                                "value (edgelist1)")
            a, b = actor(toks[0]), actor(toks[1])
            value = _value(path, toks[2]) if len(toks) == 3 else 1.0
            src.append(a)
            dst.append(b)
            w.append(value)
            lay.append(relations[rel])
        else:
            if len(toks) < 2:
                raise DataError(f"{path}: line {ln}: one item; expected an actor and the actors it names "
                                "(nodelist1)")
            a = actor(toks[0])
            for t in toks[1:]:
                src.append(a)
                dst.append(actor(t))
                w.append(1.0)
                lay.append(relations[rel])
    if nm > 1 and rel + 1 < nm:
        raise DataError(f"{path}: line {last}: the data hold {rel + 1} relation{'s' if rel else ''}, expected "
                        f"NM={nm} separated by lines holding '!'")
    if embedded and len(order) < n:
        raise DataError(f"{path}: N={n}, but the data and labels name {len(order)} actors; name every actor "
                        "in LABELS: or give the right N")
    names = order if embedded else (names or [str(i + 1) for i in range(n)])
    return names, src, dst, w, lay
