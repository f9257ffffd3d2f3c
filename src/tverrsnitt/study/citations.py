"""Author–year citations in prose: the one rule for what counts as citing a work.

A text cites 'Bergene m.fl. 2021' when it writes it in parentheses, '(Bergene m.fl. 2021)',
among others, '(blant annet Teige og Hedlund 2016; Al Sayah m.fl. 2014)', or in running text
with the year in parentheses, 'Bergene m.fl. (2021) viser …'. `validate` uses it to refuse a
citation that has no work in the bibliography, and the reference list to know what is printed.
"""

from __future__ import annotations

import re

_NAME = r"[A-ZÆØÅÄÖÜ][\w’'.-]*"
# 'Bergene', 'Al Sayah', 'Teige og Hedlund', 'Holtermann, Skjelbred, Wiborg og Fidjeland',
# 'Bergene m.fl.', 'Bergene et al.'
_AUTHORS = (rf"{_NAME}(?:(?:,\s+|\s+og\s+|\s+&\s+|\s+){_NAME})*"
            r"(?:\s+m\.\s?fl\.|\s+mfl\.|\s+et\s+al\.)?")
_YEAR = r"(?:19|20)\d\d[a-z]?"
_IN_PARENTHESES = re.compile(rf"^(?:{_AUTHORS}),?\s+{_YEAR}$")
_RUNNING = re.compile(rf"({_AUTHORS})\s+\(({_YEAR})\)")
_GROUP = re.compile(r"\(([^()]*)\)")
_COMMA_YEAR = re.compile(rf",\s+(?={_YEAR}$)")
# Words that open a parenthesis without being a citation of their own.
_LEADS = re.compile(r"^(?:blant annet|bl\.a\.|se også|se|jf\.|jamfør|f\.eks\.|for eksempel|"
                    r"som i|i)\s+", re.IGNORECASE)
# A capitalised word before a year that is a time, not an author: '(Høsten 2021)'.
_TIMES = {"vår", "våren", "høst", "høsten", "sommer", "sommeren", "vinter", "vinteren",
          "januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
          "september", "oktober", "november", "desember", "skoleåret", "året", "per", "fra",
          "til", "siden", "etter", "før", "innen", "uke", "tabell", "figur", "kapittel"}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _known_tail(candidate: str, known: frozenset[str]) -> str:
    """The candidate, or the longest tail of it that is a known work: 'Som Bergene 2021' is
    'Bergene 2021' when that is in the bibliography (a sentence's first word is capitalised
    like a name)."""
    words = candidate.split(" ")
    for start in range(len(words) - 1):
        tail = " ".join(words[start:])
        if tail in known:
            return tail
    return candidate


def citations(text: str, known: frozenset[str] = frozenset()) -> list[str]:
    """The author–year citations the text makes, each as 'Authors Year' (in order, repeats
    kept): what a bibliography work's `cite` must equal. `known` are the bibliography's cites,
    so that a capitalised word before an author is not taken for part of the name."""
    text = _one_line(text)
    found: list[tuple[int, str]] = []
    for group in _GROUP.finditer(text):
        for part in group.group(1).split(";"):
            part = _LEADS.sub("", part.strip()).strip()
            part = _COMMA_YEAR.sub(" ", part)
            if _IN_PARENTHESES.match(part) and part.split()[0].casefold() not in _TIMES:
                found.append((group.start(), _known_tail(part, known)))
    for match in _RUNNING.finditer(text):
        candidate = f"{_LEADS.sub('', match.group(1))} {match.group(2)}"
        if candidate.split()[0].casefold() not in _TIMES:
            found.append((match.start(), _known_tail(candidate, known)))
    return [cite for _, cite in sorted(found, key=lambda hit: hit[0])]


def cites(text: str, work: str) -> bool:
    """Whether the text cites the work (`work` as the bibliography's `cite` writes it): as
    written ('NOU 2009:18', '(Bergene m.fl. 2021)') or with the year in parentheses."""
    wanted = _one_line(work)
    return wanted in _one_line(text) or wanted in citations(text, frozenset([wanted]))
