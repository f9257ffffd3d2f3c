"""Cross-reference checks of a study definition: every name used must exist.

Shape and types are checked by the models; this module checks meaning: that figures name
questions that exist, that routing conditions name real options, that every option of a
recoded question lands in exactly one group, and that prose placeholders point at real cells.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from ..errors import DefinitionProblem, did_you_mean, one_of
from . import layout
from .charts import auto_kind
from .citations import citations
from .citations import cites as cites_work
from .conditions import Condition
from .messages import keys_of, pydantic_message
from .model import (
    AgeBands,
    Bands,
    Derived,
    Figure,
    NetSpec,
    NumberRef,
    Paragraph,
    Question,
    Recode,
    ReferenceSource,
    ReferenceValue,
    Section,
    Study,
    normalise_header,
)
from .statistics import (
    NO_CHANGE_TEST,
    PROSE_FORMATS,
    RESERVED_CATEGORIES,
    STATISTICS,
    TOTAL,
    WHAT_NUMBER,
    category_value,
)
from .yamlfile import KeyPath, YamlDocument

ORDER_OPERATORS = (">=", "<=", ">", "<")

# "(N=2186-2232)" or "(N = 2 022)" in a title: a base written by hand beside the counted one.
WRITTEN_N = re.compile(r"\s*\(\s*N\s*=\s*[\d\s\u00a0.,–-]+\)")


# tables.csv, the charts and the prose name a breakdown's total row 'Totalt'; a group or
# option of that name would be counted into the same row as everyone.
_TOTAL_CLASH = (f"{TOTAL!r} is the name of the total row beside every breakdown, so {{what}} "
                f"may not be called that (its numbers would merge with everyone's); rename it, "
                f"e.g. '{TOTAL} annet' or 'Alle andre'")


# A wave setting in a study of one wave: it could never print anything.
_NO_WAVES = ("{what}: study.yaml lists fewer than two waves; add them (waves: [{{id: '2023', "
             "data: …}}, {{id: '2025', data: …}}]) or leave the setting out")


def _number(value: float) -> str:
    return f"{value:g}"


# Years a birth year can plausibly take.
YEARS = (1850, 2100)
OPTION_OPERATORS = ("==", "!=", ">=", "<=", ">", "<", "in", "has_any", "has_any_except")


def _choice(value: str, choices: Iterable[str], what: str) -> str:
    options = list(choices)
    return f"unknown {what} {value!r}; expected one of {one_of(options)}.{did_you_mean(value, options)}"


class _Checker:
    def __init__(self, study: Study, docs: dict[str, YamlDocument]) -> None:
        self.study = study
        self.docs = docs
        self.problems: list[DefinitionProblem] = []
        self.codes = [q.code for q in study.questions]

    def add(self, file: str, path: KeyPath, message: str) -> None:
        problem = self.docs[file].problem(path, message)
        if problem not in self.problems:  # two checks may read the same entry
            self.problems.append(problem)

    def question_path(self, code: str) -> KeyPath:
        return self.study.question_path(code)

    # -- questionnaire
    def questions(self) -> None:
        for code, count in Counter(self.codes).items():
            if count > 1:
                self.add("questionnaire.yaml", self.question_path(code),
                         f"question code {code!r} is used {count} times; codes must be unique")
        headers = Counter(normalise_header(q.header) for q in self.study.questions)
        # Questions whose options become groups or rows beside a 'Totalt' of their own.
        totalled = {code for f in self.study.figures for code in f.breakdowns} | {
            item for f in self.study.figures for item in f.items
            if f.statistic_for(item) == "count"}
        for q in self.study.questions:
            path = self.question_path(q.code)
            if headers[normalise_header(q.header)] > 1:
                self.add("questionnaire.yaml", path,
                         f"export header {q.header!r} is used by more than one question")
            if q.type in ("single", "multi") and not q.options:
                self.add("questionnaire.yaml", path,
                         f"a '{q.type}' question needs 'options' or a 'scale'")
            for label, count in Counter(q.options).items():
                if count > 1:
                    self.add("questionnaire.yaml", (*path, "options"),
                             f"option {label!r} is listed {count} times")
                if label in RESERVED_CATEGORIES:
                    self.add("questionnaire.yaml", (*path, "options"),
                             f"option {label!r} has the name of a computed row of tables.csv "
                             f"({', '.join(RESERVED_CATEGORIES)}); rename it")
                if label == TOTAL and q.code in totalled:
                    self.add("questionnaire.yaml", (*path, "options"), _TOTAL_CLASH.format(
                        what=f"an option of {q.code!r}, which a figure breaks down by or counts,"))
            for which in ("top2", "bottom2"):
                chosen = getattr(q, which)
                for label in chosen or ():
                    if label not in q.options:
                        self.add("questionnaire.yaml", (*path, which),
                                 _choice(label, q.options, f"{which} option"))
            if q.net is not None:
                self.net("questionnaire.yaml", (*path, "net"), q.net, q)
            if q.exclusive_option is not None and q.exclusive_option not in q.options:
                self.add("questionnaire.yaml", (*path, "exclusive_option"),
                         _choice(q.exclusive_option, q.options, "option"))
            if q.asked_if is not None:
                self.condition("questionnaire.yaml", (*path, "asked_if"), q.asked_if)

    def waves(self) -> None:
        """Wave ids are unique, and every question's `waves` entry names one and maps that
        wave's answer texts onto the definition's options."""
        ids = [w.id for w in self.study.meta.waves]
        for key in ("default_data", "default_register"):
            if ids and getattr(self.study.meta, key) is not None:
                self.add("study.yaml", (key,), f"with 'waves', each wave names its own files "
                         f"('data:', 'register_data:'); '{key}' would be read for none of them "
                         "— move it to its wave")
        for wave_id, count in Counter(ids).items():
            if count > 1:
                self.add("study.yaml", ("waves",), f"wave {wave_id!r} is listed {count} times; "
                                                   "each wave needs its own id")
        for index, wave in enumerate(self.study.meta.waves):
            if wave.start is not None and wave.end is not None and wave.end < wave.start:
                self.add("study.yaml", ("waves", index, "end"),
                         f"wave {wave.id!r} ends ({wave.end}) before it starts ({wave.start})")
            earlier = self.study.meta.waves[index - 1] if index else None
            if (earlier is not None and earlier.start is not None and wave.start is not None
                    and wave.start < earlier.start):
                self.add("study.yaml", ("waves", index, "start"),
                         f"wave {wave.id!r} starts before wave {earlier.id!r}, listed above it; "
                         "list the waves oldest first (the report is of the last one unless "
                         "--wave says otherwise)")
        for q in self.study.questions:
            for wave_id, change in q.waves.items():
                path = (*self.question_path(q.code), "waves", wave_id)
                if wave_id not in ids:
                    self.add("questionnaire.yaml", path, (
                        _choice(wave_id, ids, "wave") if ids else
                        f"{wave_id!r} is no wave: study.yaml lists no 'waves' (add them there, "
                        "e.g. waves: [{id: '2023', data: data/export-2023.csv}, …])"))
                if not change.asked and (change.header or change.options
                                         or not change.comparable):
                    self.add("questionnaire.yaml", path, "a question that was not asked "
                             "(asked: false) has no header, options or comparability in that "
                             "wave; leave those out")
                if change.options and not q.options:
                    self.add("questionnaire.yaml", (*path, "options"),
                             f"{q.code!r} is a '{q.type}' question without options; only "
                             "answer options can be renamed")
                    continue
                for old, new in change.options.items():
                    if new not in q.options:
                        self.add("questionnaire.yaml", (*path, "options", old),
                                 _choice(new, q.options, f"option of {q.code!r}") +
                                 f" (wave {wave_id!r}'s {old!r} must map onto one of them)")

    def net(self, file: str, path: KeyPath, spec: NetSpec, question: Question) -> None:
        """A net score's plus and minus answers are options of the question, none in both."""
        if not question.ordinal:
            self.add(file, path, f"a net score counts from the ends of an ordered scale; "
                                 f"{question.code!r} is not ordinal (if its options are ordered "
                                 "low to high, add 'ordinal: true' to its scale or question)")
        sides = {}
        for side in ("plus", "minus"):
            labels = layout.expand_labels(getattr(spec, side), question.options)
            sides[side] = labels
            for label in labels:
                if label not in question.options:
                    self.add(file, (*path, side),
                             _choice(label, question.options, f"option of {question.code!r}")
                             + " ('a..b' names the points a to b of a numeric scale)")
            if not labels:
                self.add(file, (*path, side), f"names no option of {question.code!r}")
        both = [label for label in sides["plus"] if label in sides["minus"]]
        if both:
            self.add(file, path, f"options {both} are both plus and minus")

    def condition(self, file: str, path: KeyPath, condition: Condition) -> None:
        if not self.study.has_question(condition.code):
            self.add(file, path, _choice(condition.code, self.codes, "question"))
            return
        target = self.study.question(condition.code)
        if condition.op in ORDER_OPERATORS and not target.ordinal:
            self.add(file, path, f"'{condition.op}' compares in option order, but "
                                 f"{target.code!r} is not ordinal")
        if condition.op in ("has_any", "has_any_except") and target.type != "multi":
            self.add(file, path, f"'{condition.op}' needs a multi-select question; "
                                 f"{target.code!r} is '{target.type}'")
        if condition.op in OPTION_OPERATORS:
            for value in condition.values:
                if value not in target.options:
                    self.add(file, path, _choice(value, target.options,
                                                 f"option of {target.code!r}"))

    # -- derived variables, comparisons, screening, register
    def derived(self) -> None:
        doc = "derived.yaml"
        codes = [d.code for d in self.study.derived] + [c.code for c in self.study.comparisons]
        for code, count in Counter(codes).items():
            if count > 1:
                self.add(doc, ("derived",), f"derived variable {code!r} is defined {count} times")
        for index, variable in enumerate(self.study.derived):
            path: KeyPath = ("derived", index)
            if variable.code in self.codes:
                self.add(doc, (*path, "code"),
                         f"{variable.code!r} is already a question code; pick another name")
            if isinstance(variable, Recode):
                self.recode(path, variable)
            elif isinstance(variable, Bands):
                self.bands(path, variable)
            else:
                self.age_bands(path, variable)
            labels = self.study.group_labels(variable.code) if self.derivable(variable) else ()
            for label, count in Counter(labels).items():
                if count > 1:
                    self.add(doc, path, f"group label {label!r} is used {count} times; each "
                                        "group needs its own label")
            if TOTAL in labels:
                where: KeyPath = path
                if isinstance(variable, Recode):
                    where = (*path, "groups", labels.index(TOTAL), "label")
                self.add(doc, where, _TOTAL_CLASH.format(what=f"a group of {variable.code!r}"))
        for index, comparison in enumerate(self.study.comparisons):
            for g_index, group in enumerate(comparison.groups):
                if group.when is None:
                    continue
                from .conditions import ConditionSyntaxError, parse_condition

                g_path: KeyPath = ("comparisons", index, "groups", g_index, "when")
                try:
                    self.condition(doc, g_path, parse_condition(group.when))
                except ConditionSyntaxError as exc:
                    self.add(doc, g_path, str(exc))
                if group.source == "register" and group.when is not None:
                    self.add(doc, g_path, "a register group takes no 'when' filter")
        for index, step in enumerate(self.study.screening):
            path = ("screening", index)
            if not self.study.has_question(step.question):
                self.add(doc, (*path, "question"), _choice(step.question, self.codes, "question"))
                continue
            options = self.study.question(step.question).options
            for label in step.keep:
                if label not in options:
                    self.add(doc, (*path, "keep"), _choice(label, options, "option"))
        register = self.study.register_link
        if register is not None:
            for key in ("respondent_key", "date_as"):
                code = getattr(register, key)
                if not self.study.has_question(code):
                    self.add("study.yaml", ("register", key), _choice(code, self.codes, "question"))

    def derivable(self, variable: Derived) -> bool:
        """True when the variable's groups can be listed (its source is a known question)."""
        return self.study.has_question(self.study.derived_source(variable))

    def recode(self, path: KeyPath, variable: Recode) -> None:
        doc = "derived.yaml"
        if not self.study.has_question(variable.source):
            self.add(doc, (*path, "source"), _choice(variable.source, self.codes, "question"))
            return
        source = self.study.question(variable.source)
        if source.type == "number":
            self.add(doc, (*path, "source"), f"{variable.source!r} is a number: group numbers "
                     "with 'kind: bands' (cuts: [...] or bands: [...]) instead of a recode")
            return
        if not source.options:
            self.add(doc, (*path, "source"), f"{variable.source!r} is a '{source.type}' question "
                     "without options; a recode groups the options of a choice question")
            return
        options = source.options
        seen: dict[str, str] = {}
        for g_index, group in enumerate(variable.groups):
            for label in group.values:
                if label not in options:
                    self.add(doc, (*path, "groups", g_index, "values"),
                             _choice(label, options, f"option of {variable.source!r}"))
                elif label in seen:
                    self.add(doc, (*path, "groups", g_index, "values"),
                             f"option {label!r} is already in group {seen[label]!r}")
                seen[label] = group.label
        for label in variable.ungrouped:
            if label not in options:
                self.add(doc, (*path, "ungrouped"), _choice(label, options, "option"))
        left_out = [o for o in options if o not in seen and o not in variable.ungrouped]
        if left_out:
            self.add(doc, (*path, "groups"),
                     f"options {left_out} of {variable.source!r} are in no group; add them to "
                     "a group or list them under 'ungrouped'")

    def bands(self, path: KeyPath, variable: Bands) -> None:
        """A number in bands: either cuts (ascending) or non-overlapping explicit bands."""
        doc = "derived.yaml"
        if not self.study.has_question(variable.source):
            self.add(doc, (*path, "source"), _choice(variable.source, self.codes, "question"))
            return
        source = self.study.question(variable.source)
        if not source.is_numeric:
            self.add(doc, (*path, "source"), f"bands group numbers; {variable.source!r} is a "
                     f"'{source.type}' question (group its options with 'kind: recode')")
        if (variable.cuts is None) == (variable.bands is None):
            self.add(doc, path, "give either 'cuts: [3, 6, 11]' (the lower bound of each band "
                                "after the first) or 'bands: [{label, min, max}, …]', not both")
            return
        if variable.cuts is not None:
            cuts = list(variable.cuts)
            if not cuts or any(b <= a for a, b in itertools.pairwise(cuts)):
                self.add(doc, (*path, "cuts"), f"cuts must be strictly increasing; got {cuts}")
            if variable.labels is not None and len(variable.labels) != len(cuts) + 1:
                self.add(doc, (*path, "labels"), f"{len(cuts)} cuts make {len(cuts) + 1} bands; "
                         f"give {len(cuts) + 1} labels (got {len(variable.labels)}; in a [a, b] "
                         "list, put a label with a comma in quotes)")
            return
        if variable.labels is not None:
            self.add(doc, (*path, "labels"), "'labels' names the bands made by 'cuts'; explicit "
                                             "'bands' carry their own 'label'")
        found = self.study.band_intervals(variable)
        for index, band in enumerate(found):
            if band.low > band.high:
                self.add(doc, (*path, "bands", index), f"band {band.label!r} has min above max")
            for other in found[:index]:
                if band.low <= other.high and other.low <= band.high:
                    self.add(doc, (*path, "bands", index),
                             f"band {band.label!r} overlaps band {other.label!r}; every number "
                             "must fall in one band")
        # Every answer must fall in a band: a gap loses answers (1 between 0 and 2 bands with
        # max 0 and min 2; 2,5 between max 2 and min 3 when decimals are allowed).
        step = 1.0 if source.whole_numbers else 0.0
        ordered = sorted(found, key=lambda b: b.low)
        for before, after in itertools.pairwise(ordered):
            if after.low > before.high + step:
                between = (f"{_number(before.high + 1)}–{_number(after.low - 1)}"
                           if step and after.low - before.high > 2
                           else _number(before.high + step) if step
                           else f"between {_number(before.high)} and {_number(after.low)}")
                self.add(doc, (*path, "bands"),
                         f"answers {between} fall in no band (between {before.label!r} and "
                         f"{after.label!r}); let the bands meet"
                         + ("" if step else ", or use 'cuts' for a number with decimals"))

    def age_bands(self, path: KeyPath, variable: AgeBands) -> None:
        doc = "derived.yaml"
        for key, wanted in (("birth_year", "number"), ("reference_date", "datetime")):
            code = getattr(variable, key)
            if not self.study.has_question(code):
                self.add(doc, (*path, key), _choice(code, self.codes, "question"))
            elif self.study.question(code).type != wanted:
                self.add(doc, (*path, key), f"{code!r} must be a '{wanted}' question")
        if self.study.has_question(variable.birth_year):
            limits = self.study.question(variable.birth_year).range
            if limits is not None and not (YEARS[0] <= limits[0] <= limits[1] <= YEARS[1]):
                self.add(doc, (*path, "birth_year"),
                         f"{variable.birth_year!r} has range [{limits[0]:g}, {limits[1]:g}], "
                         "which are not years of birth: age bands need a birth year (use "
                         "kind: bands for a number such as an age in years)")

    # -- figures
    def reference_sources(self) -> dict[str, ReferenceSource]:
        """The reference sources listed at the top of figures.yaml, each checked on its own
        (figures use them through YAML aliases, so an unused one would otherwise go unseen)."""
        doc = self.docs["figures.yaml"]
        entries = doc.data.get("references") if isinstance(doc.data, dict) else None
        if entries is None:
            return {}
        if not isinstance(entries, list):
            self.add("figures.yaml", ("references",), "expected a list of reference sources")
            return {}
        sources: dict[str, ReferenceSource] = {}
        for index, entry in enumerate(entries):
            try:
                source = ReferenceSource.model_validate(entry)
            except ValidationError as exc:
                for err in exc.errors():
                    self.add("figures.yaml", ("references", index, *err["loc"]),
                             pydantic_message(err, keys_of([ReferenceSource])))
                continue
            if source.id in sources:
                self.add("figures.yaml", ("references", index, "id"),
                         f"reference source {source.id!r} is defined more than once")
            sources[source.id] = source
        return sources

    def figures(self) -> None:
        doc = "figures.yaml"
        sources = self.reference_sources()
        ids = Counter(f.id for f in self.study.figures)
        breakdowns = self.study.breakdown_codes()
        derived_codes = [d.code for d in self.study.derived]
        for index, figure in enumerate(self.study.figures):
            path: KeyPath = ("figures", index)
            if ids[figure.id] > 1:
                self.add(doc, (*path, "id"), f"figure id {figure.id!r} is used more than once")
            written_n = WRITTEN_N.search(figure.title)
            if written_n is not None:
                self.add(doc, (*path, "title"),
                         f"the title gives its own N ({written_n.group().strip()!r}); the "
                         "caption prints the N counted from the data, so remove it from the "
                         "title (a number written by hand goes stale with the next wave)")
            for key, value in (("by", figure.by), *(("also_by", b) for b in figure.also_by)):
                if value not in breakdowns:
                    self.add(doc, (*path, key), _choice(value, breakdowns, "breakdown"))
            for item, variable in figure.variables.items():
                if variable not in derived_codes:
                    self.add(doc, (*path, "variables", item),
                             _choice(variable, derived_codes, "derived variable"))
                elif item not in figure.items:
                    self.add(doc, (*path, "variables"), _choice(item, figure.items, "item"))
            for item, count in Counter(figure.items).items():
                if count > 1:
                    self.add(doc, (*path, "items"), f"item {item!r} is listed {count} times")
            for item in figure.items:
                if not self.study.has_question(item):
                    self.add(doc, (*path, "items"), _choice(item, self.codes, "question"))
                    continue
                self.figure_item(path, figure, self.study.question(item))
            for item in figure.overrides:
                if item not in figure.items:
                    self.add(doc, (*path, "overrides"), _choice(item, figure.items, "item"))
            if all(self.study.has_question(i) for i in figure.items):
                self.chart(path, figure)
                self.select(path, figure)
                self.references(path, figure, sources)

    def report_structure(self) -> None:
        """What the report's outline itself must satisfy, whatever the figures say: no empty
        heading, and a bibliography whose works are all cited."""

        waves = len(self.study.meta.waves) > 1

        def visit(section: Section, path: KeyPath) -> None:
            if section.compare and not waves:
                self.add("report.yaml", (*path, "compare"), _NO_WAVES.format(
                    what=f"the section {section.title!r} (compare: true) would never be printed"))
            if not (section.paragraphs or section.figures or section.methods or section.quotes
                    or section.sections):
                self.add("report.yaml", (*path, "title"),
                         f"the section {section.title!r} has nothing under its heading: write "
                         "its paragraphs (or give it figures, quotes or subsections), or "
                         "remove it — a report never prints an empty heading")
            for s_index, sub in enumerate(section.sections):
                visit(sub, (*path, "sections", s_index))

        report = self.study.report
        for key, part in report.front:
            visit(part, (key,))
        for index, chapter in enumerate(report.chapters):
            visit(chapter, ("chapters", index))
        if not waves:
            for figure in self.study.figures:
                if figure.trend:
                    self.add("figures.yaml", (*self.study.figure_path(figure.id), "trend"),
                             _NO_WAVES.format(what=f"figure {figure.id!r} has no other wave to "
                                                   "show its change against (trend: true)"))
        self.bibliography()

    def bibliography(self) -> None:
        """Every work listed is cited, every citation in prose or figures is listed, each work
        once."""
        works = self.study.report.bibliography
        cites = Counter(w.cite for w in works)
        known = frozenset(cites)
        for path, text in prose(self.study):
            for cite in citations(text, known):
                if cite not in known:
                    self.add("report.yaml", path,
                             f"the text cites {cite!r}, but the bibliography has no work with "
                             f"that cite: add it under 'bibliography' (cite: {cite}, entry: the "
                             f"full reference), or write the citation as a listed work writes "
                             f"it.{did_you_mean(cite, cites)}")
        if not works:
            return
        for index, work in enumerate(works):
            if cites[work.cite] > 1:
                self.add("report.yaml", ("bibliography", index, "cite"),
                         f"the work {work.cite!r} is listed more than once")
        citing = cited_text(self.study)
        for index, work in enumerate(works):
            if not cites_work(citing, work.cite):
                self.add("report.yaml", ("bibliography", index, "cite"),
                         f"nothing in the report cites {work.cite!r}: cite it in a paragraph "
                         "or a figure's reference source, or remove it from the list")
        for name, source in self.reference_sources().items():
            if source.citation not in cites:
                index = next(i for i, e in enumerate(self.docs["figures.yaml"].data["references"])
                             if isinstance(e, dict) and e.get("id") == name)
                self.add("figures.yaml", ("references", index, "citation"),
                         f"the citation {source.citation!r} has no work in report.yaml's "
                         f"bibliography; add it there.{did_you_mean(source.citation, cites)}")

    def select(self, path: KeyPath, figure: Figure) -> None:
        """`select:` needs groups to compare and one share per item to compare them on."""
        if figure.select is None:
            return
        doc, select_path = "figures.yaml", (*path, "select")
        if figure.by == "none" or self.study.comparison(figure.by) is not None:
            self.add(doc, select_path, f"select compares the groups of 'by'; figure {figure.id!r} "
                     f"has by: {figure.by!r} (use a grouping variable such as yrkesgruppe)")
            return
        for item in figure.items:
            statistic = figure.statistic_for(item)
            if statistic in ("top2", "bottom2", "selected_share"):
                continue
            if statistic == "distribution" and "top2" in layout.top_bottom(self.study, figure, item):
                continue
            self.add(doc, select_path, f"select compares one share per statement; {item!r} has "
                     f"statistic '{statistic}' and no top2 (expected top2, bottom2, "
                     "selected_share, or a distribution whose scale declares top2)")

    def references(self, path: KeyPath, figure: Figure,
                   sources: dict[str, ReferenceSource]) -> None:
        """Reference values name a source of the figure, one of its items and a category of
        that item, and give a percent (or a [low, high] range) that a chart can place."""
        doc = "figures.yaml"
        ids = [source.id for source in figure.references]
        for index, source in enumerate(figure.references):
            if source.id in ids[:index]:
                self.add(doc, (*path, "references", index, "id"),
                         f"reference source {source.id!r} is listed more than once")
            elif source.id in sources and sources[source.id] != source:
                self.add(doc, (*path, "references", index),
                         f"reference source {source.id!r} differs from the one defined at the "
                         f"top of figures.yaml; use the alias *{source.id}")
        if figure.reference_values and self.study.comparison(figure.by) is not None:
            self.add(doc, (*path, "reference_values"),
                     f"reference values are compared with Totalt, which by: {figure.by!r} "
                     "(a sample/population comparison) does not have")
            return
        if (figure.reference_values and _stacked(self.study, figure)
                and figure.chart.show_categories is not None):
            self.add(doc, (*path, "reference_values"),
                     "reference values on a stacked chart are counted from the ends of the "
                     "bar, so every category must be drawn (no chart.show_categories)")
            return
        seen: Counter[tuple[str, str, str, str | None]] = Counter()
        for index, ref in enumerate(figure.reference_values):
            r_path: KeyPath = (*path, "reference_values", index)
            if ref.source not in ids:
                hint = (f" ('{ref.source}' is defined at the top of figures.yaml: add "
                        f"*{ref.source} to this figure's 'references')"
                        if ref.source in sources else "")
                self.add(doc, (*r_path, "source"),
                         _choice(ref.source, ids, "reference source of this figure") + hint)
            for number in (ref.low, ref.high):
                if not 0 <= number <= 100:
                    self.add(doc, (*r_path, "value"),
                             f"reference value {number:g} is not a percent between 0 and 100")
            if ref.low > ref.high:
                self.add(doc, (*r_path, "value"), f"range [{ref.low:g}, {ref.high:g}] has "
                         "its low end above its high end; write it as [low, high]")
            if ref.item not in figure.items:
                self.add(doc, (*r_path, "item"), _choice(ref.item, figure.items, "item of this figure"))
                continue
            statistic = figure.statistic_for(ref.item)
            if statistic not in ("distribution", "top2", "bottom2", "selected_share"):
                self.add(doc, (*r_path, "item"), f"reference values are shares; {ref.item!r} "
                         f"has statistic '{statistic}'")
                continue
            valid = _reference_categories(self.study, figure, ref.item)
            if ref.category not in valid:
                self.add(doc, (*r_path, "category"),
                         _choice(ref.category, valid, f"category of {ref.item!r}"))
                continue
            key = (ref.source, ref.item, ref.category, ref.note)
            seen[key] += 1
            if seen[key] == 2:
                self.add(doc, r_path, f"{ref.source!r} gives {ref.item!r} / {ref.category!r} "
                         "twice; tell the values apart with a 'note'")
            if _stacked(self.study, figure):
                problem = _cumulative_problem(self.study, figure, ref)
                if problem:
                    self.add(doc, (*r_path, "category"), problem)

    def chart(self, path: KeyPath, figure: Figure) -> None:
        """What a chart shows must be among the figure's items, categories and breakdowns."""
        doc, spec = "figures.yaml", figure.chart
        chart_path: KeyPath = (*path, "chart")
        for part in spec.parts or ():
            if part not in figure.breakdowns:
                self.add(doc, (*chart_path, "parts"),
                         _choice(part, figure.breakdowns, "breakdown of this figure"))
        for item, category in (spec.show or {}).items():
            if item not in figure.items:
                self.add(doc, (*chart_path, "show"), _choice(item, figure.items, "item"))
            elif category not in self.study.question(item).options:
                self.add(doc, (*chart_path, "show", item),
                         _choice(category, self.study.question(item).options, "option"))
        known = {c for i in figure.items for c in layout.categories(self.study, figure, i)}
        for category in spec.show_categories or ():
            if category not in known:
                self.add(doc, (*chart_path, "show_categories"),
                         _choice(category, sorted(known), "category"))

    def figure_item(self, path: KeyPath, figure: Figure, question: Question) -> None:
        doc = "figures.yaml"
        statistic = figure.statistic_for(question.code)
        kind = STATISTICS[statistic]
        stat_path: KeyPath = (*path, "overrides" if question.code in figure.overrides
                              else "statistic")
        if question.code in figure.variables:
            self.counted_through(path, figure, question, figure.variables[question.code])
            return
        if kind.types and question.type not in kind.types:
            suited = [name for name, other in STATISTICS.items() if question.type in other.types]
            self.add(doc, stat_path,
                     f"'{statistic}' needs a {' or '.join(kind.types)} question; "
                     f"{question.code!r} is '{question.type}' (it can have: {', '.join(suited)})")
        if statistic == "answers" and not figure.is_table:
            self.add(doc, stat_path, "free-text answers are printed as a table: "
                                     "give the entry an id starting with 'T'")
        if statistic in ("top2", "bottom2"):
            chosen = getattr(figure, statistic) or getattr(question, statistic)
            if not chosen:
                self.add(doc, (*path, statistic),
                         f"{question.code!r} has no {statistic} categories; declare them on "
                         "its scale or on the figure")
        if statistic == "net":
            spec = layout.net_spec(self.study, figure, question.code)
            if spec is None:
                self.add(doc, stat_path, f"{question.code!r} has no net score: declare "
                         "net: {plus: [...], minus: [...]} on its scale, the question or the "
                         "figure (eNPS: plus: [9, 10], minus: ['0..6'])")
            elif figure.net is not None:
                self.net(doc, (*path, "net"), figure.net, question)
        for which in ("top2", "bottom2"):
            for label in getattr(figure, which) or ():
                if question.options and label not in question.options:
                    self.add(doc, (*path, which), _choice(label, question.options, "option"))
        for label in figure.options or ():
            if label not in question.options:
                self.add(doc, (*path, "options"), _choice(label, question.options, "option"))
        if figure.sort is not None:
            valid = [c for c in layout.categories(self.study, figure, question.code)
                     if STATISTICS[statistic].value == "share" or c in ("mean", "median", "net")]
            if figure.sort.category not in valid:
                self.add(doc, (*path, "sort", "category"),
                         _choice(figure.sort.category, valid, f"category of {question.code!r}"))

    def counted_through(self, path: KeyPath, figure: Figure, question: Question,
                        code: str) -> None:
        """`variables: {item: code}` counts the item as the groups of a derived variable made
        from it; one made from another question would find none of its labels (all zeros)."""
        doc = "figures.yaml"
        if code not in [d.code for d in self.study.derived]:
            return  # reported with the figure's variables
        variable = self.study.derived_variable(code)
        source = self.study.derived_source(variable)
        if source != question.code:
            self.add(doc, (*path, "variables", question.code),
                     f"{question.code!r} is counted through {code!r}, but {code!r} is made from "
                     f"{source!r}, not from {question.code!r}, so none of its groups would be "
                     f"found (every share 0). Count {question.code!r} through a derived variable "
                     f"made from it (kind: recode with source: {question.code}, or kind: bands), "
                     "or drop the mapping")
        statistic = figure.statistic_for(question.code)
        if statistic not in ("distribution", "count"):
            self.add(doc, (*path, "variables", question.code),
                     f"counting through {code!r} gives the share of each of its groups: use "
                     f"statistic: distribution, not {statistic!r}")

    # -- non-response analysis and raking margins (study.yaml)
    def variable(self, path: KeyPath, code: str, register: bool) -> bool:
        """Check that `code` is a categorical variable (in the register, if asked)."""
        derived = [d.code for d in self.study.derived]
        if not self.study.has_variable(code):
            self.add("study.yaml", path, _choice(code, [*self.codes, *derived], "variable"))
            return False
        if self.study.has_question(code) and not self.study.question(code).is_choice:
            self.add("study.yaml", path, f"{code!r} is not a single-choice question or a grouping")
            return False
        if register and not self.study.in_register(code):
            self.add("study.yaml", path, f"{code!r} is not in the register of invited members "
                                         "(no register_column, directly or by derivation)")
            return False
        return True

    def weighting(self) -> None:
        nonresponse = self.study.nonresponse
        if nonresponse is not None:
            if self.study.register_link is None:
                self.add("study.yaml", ("nonresponse",), "the non-response analysis needs a "
                                                         "'register' link")
            if nonresponse.respondents is not None:
                from .conditions import ConditionSyntaxError, parse_condition

                try:
                    self.condition("study.yaml", ("nonresponse", "respondents"),
                                   parse_condition(nonresponse.respondents))
                except ConditionSyntaxError as exc:
                    self.add("study.yaml", ("nonresponse", "respondents"), str(exc))
            for index, entry in enumerate(nonresponse.variables):
                for v_index, code in enumerate(entry.variables):
                    self.variable(("nonresponse", "variables", index, "variables", v_index), code,
                                  register=True)
            for index, code in enumerate(nonresponse.propensity):
                self.variable(("nonresponse", "propensity", index), code, register=True)
        weighting = self.study.weighting
        if weighting is None:
            return
        if weighting.trim is not None and not 0 <= weighting.trim.lower < 1 < weighting.trim.upper:
            self.add("study.yaml", ("weighting", "trim"),
                     "trim bounds must satisfy 0 <= lower < 1 < upper (multiples of the mean weight)")
        for index, margin in enumerate(weighting.margins):
            path: KeyPath = ("weighting", "margins", index)
            if not self.variable((*path, "variable"), margin.variable, register=False):
                continue
            if (margin.register_variable is None) == (margin.totals is None):
                self.add("study.yaml", path,
                         "give the population totals either as 'register_variable: CODE' or as "
                         "'totals:' (with 'source:'), not both")
                continue
            labels = self.study.variable_labels(margin.variable)
            if margin.register_variable is not None:
                if self.study.register_link is None:
                    self.add("study.yaml", (*path, "register_variable"), "no 'register' link is defined")
                elif self.variable((*path, "register_variable"), margin.register_variable, register=True):
                    theirs = self.study.variable_labels(margin.register_variable)
                    if set(theirs) != set(labels):
                        self.add("study.yaml", (*path, "register_variable"),
                                 f"{margin.register_variable!r} has the categories {list(theirs)}, but "
                                 f"{margin.variable!r} has {list(labels)}; they must be the same")
            if margin.totals is not None:
                unknown = [k for k in margin.totals if k not in labels]
                missing = [k for k in labels if k not in margin.totals]
                if unknown or missing:
                    self.add("study.yaml", (*path, "totals"),
                             f"totals must name each category of {margin.variable!r} once: "
                             f"{list(labels)}" + (f"; unknown {unknown}" if unknown else "")
                             + (f"; missing {missing}" if missing else ""))
                if any(v < 0 for v in margin.totals.values()):
                    self.add("study.yaml", (*path, "totals"), "population totals cannot be negative")

    # -- report
    def report(self) -> None:
        figure_ids = [f.id for f in (*self.study.figures, *self.study.qual_figures)]
        placed: Counter[str] = Counter()
        qual = self.study.qual
        themes = list(qual.themes_by_code()) if qual is not None else []

        def visit(section: Section, path: KeyPath) -> None:
            for f_index, figure_id in enumerate(section.figures):
                placed[figure_id] += 1
                if figure_id not in figure_ids:
                    self.add("report.yaml", (*path, "figures", f_index),
                             _choice(figure_id, figure_ids, "figure"))
            for p_index, paragraph in enumerate(section.paragraphs):
                if isinstance(paragraph, Paragraph):
                    self.paragraph((*path, "paragraphs", p_index), paragraph)
            for m_index, method in enumerate(section.methods):
                if method in ("nonresponse", "representativity") and self.study.nonresponse is None:
                    self.add("report.yaml", (*path, "methods", m_index),
                             f"{method!r} needs a 'nonresponse' section in study.yaml")
                if method == "themes" and qual is None:
                    self.add("report.yaml", (*path, "methods", m_index),
                             "'themes' needs the focus groups' qual.yaml")
            for q_index, quote in enumerate(section.quotes):
                q_path: KeyPath = (*path, "quotes", q_index)
                if qual is None:
                    self.add("report.yaml", q_path, "quotes need the focus groups' qual.yaml")
                elif (quote.segment is None) == (quote.theme is None):
                    self.add("report.yaml", q_path, "a quote names either 'segment' or 'theme'")
                elif quote.theme is not None and quote.theme not in themes:
                    self.add("report.yaml", (*q_path, "theme"), _choice(quote.theme, themes, "theme"))
            for s_index, sub in enumerate(section.sections):
                visit(sub, (*path, "sections", s_index))

        report = self.study.report
        for key, part in report.front:
            visit(part, (key,))
        for index, chapter in enumerate(report.chapters):
            visit(chapter, ("chapters", index))
        for figure_id, count in placed.items():
            if count > 1 and figure_id in figure_ids:
                self.add("report.yaml", ("chapters",),
                         f"figure {figure_id!r} is placed {count} times; place it once")

    def paragraph(self, path: KeyPath, paragraph: Paragraph) -> None:
        import string

        names = {f for _, f, _, _ in string.Formatter().parse(paragraph.text) if f}
        for name in sorted(names - set(paragraph.values)):
            self.add("report.yaml", (*path, "text"),
                     f"placeholder {{{name}}} has no entry under 'values'")
        for name in sorted(set(paragraph.values) - names):
            self.add("report.yaml", (*path, "values", name),
                     f"'values' has {name!r}, but the text has no {{{name}}}: write it into the "
                     "text where the number belongs, or remove the entry")
        for name, ref in paragraph.values.items():
            for message in number_ref_problems(self.study, ref):
                self.add("report.yaml", (*path, "values", name), message)


def _reference_categories(study: Study, figure: Figure, item: str) -> tuple[str, ...]:
    """The categories a reference value of `item` may name: those the chart can show (a chart
    of a distribution that is not stacked has a bar per option, none for top2/bottom2)."""
    shown = (figure.chart.show or {}).get(item)
    if shown is not None:
        return (shown,)
    valid = layout.categories(study, figure, item)
    if figure.statistic_for(item) == "distribution" and not _stacked(study, figure):
        valid = tuple(c for c in valid if c not in ("top2", "bottom2"))
    wanted = figure.chart.show_categories
    if wanted is not None:
        valid = tuple(c for c in valid if c in wanted)
    return valid


def _stacked(study: Study, figure: Figure) -> bool:
    """True when the figure is drawn as 100 % stacked bars (the one choice, charts.auto_kind)."""
    return auto_kind(study, figure) == "stacked"


def _cumulative_problem(study: Study, figure: Figure, ref: ReferenceValue) -> str | None:
    """On a stacked bar a share marks a boundary only when it is counted from one end of the
    bar: an end category, top2/bottom2, or an inner option together with the same source's
    values for every category between it and one end."""
    options = layout.variable_categories(study, figure, ref.item)
    if ref.category not in options:  # top2 / bottom2: counted from the end they are stacked at
        run = layout.top_bottom(study, figure, ref.item).get(ref.category, ())
        ends = (options[:len(run)], options[len(options) - len(run):])
        if any(set(end) == set(run) for end in ends):
            return None
        return (f"the {ref.category} categories {list(run)} are not stacked at one end of the "
                f"bar ({list(options)}), so their share marks no boundary")
    index = options.index(ref.category)
    given = {r.category for r in figure.reference_values
             if r.source == ref.source and r.item == ref.item}
    left, right = options[:index], options[index + 1:]
    if not left or not right or set(left) <= given or set(right) <= given:
        return None
    return (f"{ref.category!r} lies inside the scale of {ref.item!r}, so its share marks no "
            "boundary of the stacked bar on its own; give the same source's values for "
            f"{list(left)} or for {list(right)} as well, or use top2/bottom2")


def number_ref_problems(study: Study, ref: NumberRef) -> list[str]:
    """Why a prose placeholder cannot be filled ([] when it names a real cell)."""
    ids = [f.id for f in study.figures]
    if ref.figure not in ids:
        return [_choice(ref.figure, ids, "figure")]
    figure = study.figure(ref.figure)
    items = (ref.item,) if isinstance(ref.item, str) else ref.item
    by = ref.by or figure.by
    problems = []
    valid_items = layout.figure_items(figure)
    for item in items:
        if item not in valid_items:
            problems.append(_choice(item, valid_items, f"item of figure {figure.id}"))
    if by not in figure.breakdowns:
        return [*problems, _choice(by, figure.breakdowns, f"breakdown of figure {figure.id}")]
    groups = layout.groups(study, by)
    if ref.group not in groups:
        problems.append(_choice(ref.group, groups, f"group of '{by}'"))
    for item in items:
        if item in valid_items:
            valid = layout.categories(study, figure, item)
            if ref.category not in valid:
                problems.append(_choice(ref.category, valid, f"category of {item!r}"))
    value = category_value(ref.category)
    allowed = PROSE_FORMATS[value]
    if ref.format != "auto" and ref.format not in allowed:
        what = WHAT_NUMBER.get(ref.category, "a share")
        problems.append(f"{ref.category!r} is {what}, which format {ref.format!r} cannot print "
                        f"(it would read as a percent or a count); use format: "
                        f"{' or '.join(allowed)}, or leave format out (auto)")
    chosen = allowed[0] if ref.format == "auto" else ref.format
    if chosen == "change" and len(study.meta.waves) < 2:
        problems.append(_NO_WAVES.format(what="format 'change' has no earlier wave to say the "
                                              "change since"))
    if chosen == "change":
        if not isinstance(ref.item, str):
            problems.append("format 'change' prints the change of one item; give one 'item'")
        if ref.category in NO_CHANGE_TEST:
            problems.append(f"{ref.category!r} has no standard error, so its change has no test "
                            "and format 'change' cannot say whether it changed; quote a mean "
                            "or a share instead")
    if ref.decimals is not None and chosen != "number":
        problems.append(f"'decimals' sets the decimals of format: number; this placeholder is "
                        f"printed as {chosen!r}")
    return problems


def asked_on_the_web(question: Question) -> bool:
    """Questions a respondent answers (not ids, timestamps or register data)."""
    return question.type not in ("id", "datetime") and question.register_column is None


def page_codes(study: Study, entry: str) -> tuple[str, ...]:
    """A page entry is a question code or a battery id (all of its statements)."""
    return study.battery_codes.get(entry) or (entry,)


class _FieldworkChecker:
    def __init__(self, checker: _Checker) -> None:
        self.c = checker
        self.study = checker.study

    def run(self) -> None:
        fieldwork = self.study.fieldwork
        if fieldwork is None:
            return
        doc = "fieldwork.yaml"
        page_of: dict[str, int] = {}
        batteries = sorted({q.battery for q in self.study.questions if q.battery})
        for index, page in enumerate(fieldwork.pages):
            for entry in page.questions:
                path: KeyPath = ("pages", index, "questions")
                codes = page_codes(self.study, entry)
                if not self.study.has_question(codes[0]):
                    self.c.add(doc, path, _choice(entry, [*self.c.codes, *batteries],
                                                  "question or battery"))
                    continue
                for code in codes:
                    if not asked_on_the_web(self.study.question(code)):
                        self.c.add(doc, path, f"{code!r} is not asked on the web (it is an id, "
                                              "a timestamp or register data)")
                    elif code in page_of:
                        self.c.add(doc, path, f"{code!r} is already on page {page_of[code] + 1}")
                    page_of[code] = index
        missing = [q.code for q in self.study.questions
                   if asked_on_the_web(q) and q.code not in page_of]
        if missing:
            self.c.add(doc, ("pages",), f"questions on no page: {missing}")
        for code, index in page_of.items():
            condition = self.study.question(code).asked_if
            if condition is not None and page_of.get(condition.code, index) >= index:
                self.c.add(doc, ("pages", index, "questions"),
                           f"{code!r} is asked if {condition}, so {condition.code!r} must be on "
                           "an earlier page (pages work without JavaScript)")
        reasons = [step.reason for step in self.study.screening]
        for reason in fieldwork.screened_out:
            if reason not in reasons:
                self.c.add(doc, ("screened_out", reason), _choice(reason, reasons, "reason"))
        for reason in reasons:
            if reason not in fieldwork.screened_out:
                self.c.add(doc, ("screened_out",), f"no text for screening reason {reason!r}")
        dates = [r.date for r in fieldwork.reminders]
        if dates != sorted(dates) or len({r.name for r in fieldwork.reminders}) != len(dates):
            self.c.add(doc, ("reminders",), "reminders need unique names, in date order")
        for key in ("invitation", "reminder"):
            text = getattr(fieldwork, key).body
            if "{link}" not in text:
                self.c.add(doc, (key, "body"), "the mail must contain {link}, the personal link")


def prose(study: Study) -> list[tuple[KeyPath, str]]:
    """Every paragraph of the report as written, with its place in report.yaml."""
    found: list[tuple[KeyPath, str]] = []

    def visit(section: Section, path: KeyPath) -> None:
        for index, paragraph in enumerate(section.paragraphs):
            if isinstance(paragraph, str):
                found.append(((*path, "paragraphs", index), paragraph))
            else:
                found.append(((*path, "paragraphs", index, "text"), paragraph.text))
        for index, sub in enumerate(section.sections):
            visit(sub, (*path, "sections", index))

    report = study.report
    for key, part in report.front:
        visit(part, (key,))
    for index, chapter in enumerate(report.chapters):
        visit(chapter, ("chapters", index))
    return found


def cited_text(study: Study) -> str:
    """Everything that may cite a work: the report's prose as written, and the citations of
    the figures' reference sources (one text to search for each work's citation)."""
    texts = [text for _, text in prose(study)]
    texts.extend(source.citation for figure in study.figures for source in figure.references)
    return "\n".join(texts)


def check_study(study: Study, docs: dict[str, Any]) -> list[DefinitionProblem]:
    """All cross-reference problems of a study definition (empty when it is consistent)."""
    checker = _Checker(study, docs)
    checker.questions()
    checker.waves()
    checker.derived()
    checker.figures()
    checker.weighting()
    checker.report_structure()
    if not checker.problems:
        # Prose placeholders are checked against the figures, so only once those are sound.
        checker.report()
    _FieldworkChecker(checker).run()
    return checker.problems
