"""The study definition as frozen objects: the single source of truth for every stage.

The YAML files of a study folder are read once (see `load.py`) into these models. Every later
stage — ingest, clean, tabulate, chart, report — receives the `Study` object and never reads
YAML again.
"""

from __future__ import annotations

import datetime as dt
import itertools
import unicodedata
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ..errors import DefinitionProblem
from .bands import Interval, intervals
from .charts import CHART_KIND_NAMES
from .conditions import Condition
from .statistics import STATISTIC_NAMES
from .yamlfile import KeyPath, YamlDocument, format_key_path

if TYPE_CHECKING:  # qual builds on this module; qual/definition.py completes Study
    from ..qual.definition import QualDefinition


class Frozen(BaseModel):
    """Base for all definition objects: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


# ----------------------------------------------------------------------------- questionnaire

QuestionType = Literal["id", "datetime", "single", "multi", "number", "scale", "text"]
# Types whose answer is one category (a `scale` answer is also a number).
CHOICE_TYPES = ("single", "scale")
# Types whose answer is a number (mean, median, bands).
NUMERIC_TYPES = ("number", "scale")


def _as_label(value: object) -> object:
    """An option label as text: YAML reads `9` as a number, but a 0–10 answer '9' is a label.

    YAML 1.1 also reads unquoted yes/no/on/off as true/false, which no survey meant as a
    label: refuse it with the fix rather than print 'True' as an answer option.
    """
    if isinstance(value, bool):
        raise ValueError("YAML reads an unquoted yes/no/on/off as true/false; put the label "
                         "in quotes, e.g. 'No'")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return value


# An answer option, group value or category: text, with numbers accepted as written.
Label = Annotated[str, BeforeValidator(_as_label)]


def normalise_header(text: str) -> str:
    """Header text as compared when matching export columns: NFC, whitespace collapsed, case
    folded — so a re-typed header with a double space or other case still matches."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


class NetSpec(Frozen):
    """A net score: the share answering one of `plus` minus the share answering one of
    `minus`, in points from -100 to 100 (eNPS: plus [9, 10], minus ['0..6']). 'a..b' names
    every point from a to b of a numeric scale."""

    plus: tuple[Label, ...] = Field(min_length=1)
    minus: tuple[Label, ...] = Field(min_length=1)


class Scale(Frozen):
    """A named, ordered list of answer options shared by many questions."""

    options: tuple[Label, ...]
    ordinal: bool = False
    top2: tuple[Label, ...] | None = None
    bottom2: tuple[Label, ...] | None = None
    net: NetSpec | None = None


class AnswerSpec(Frozen):
    """Where a question's options come from (a named scale, a list, or the points of a numeric
    `scale` question's range) and when it is asked."""

    options: tuple[Label, ...] | None = None
    scale: str | None = None
    ordinal: bool | None = None
    top2: tuple[Label, ...] | None = None
    bottom2: tuple[Label, ...] | None = None
    net: NetSpec | None = None
    asked_if: str | None = None
    # A number's allowed values; for a `scale` question its whole points (0 to 10).
    range: tuple[float, float] | None = None
    # Texts of some points of a `scale` question (0: 'Svært lite sannsynlig'), shown on the web.
    labels: dict[Label, str] | None = None


class QuestionSpec(AnswerSpec):
    """A stand-alone question as written in questionnaire.yaml."""

    code: str
    header: str
    type: QuestionType
    label: str | None = None
    screening: bool = False
    exclusive_option: Label | None = None
    # A number's unit as printed after it in the report ('år', 'timer'), and shown on the web.
    unit: str | None = None
    # Whole numbers only (years, counts): a decimal answer is a data error.
    integer: bool = False
    register_column: str | None = None
    reconstructed: bool = False


class BatteryItemSpec(Frozen):
    """One statement (row) of a battery question."""

    code: str
    statement: str
    header: str | None = None
    asked_if: str | None = None
    reconstructed: bool | None = None


class BatterySpec(AnswerSpec):
    """A matrix question: one stem, one scale, one row per statement."""

    battery: str
    stem: str
    type: Literal["single", "scale"] = "single"
    reconstructed: bool = False
    items: tuple[BatteryItemSpec, ...]


class Question(Frozen):
    """A resolved question: one column of the export, one variable of the analysis."""

    code: str
    header: str
    type: QuestionType
    label: str
    options: tuple[str, ...] = ()
    ordinal: bool = False
    top2: tuple[str, ...] | None = None
    bottom2: tuple[str, ...] | None = None
    net: NetSpec | None = None
    asked_if: Condition | None = None
    screening: bool = False
    exclusive_option: str | None = None
    range: tuple[float, float] | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    unit: str | None = None
    integer: bool = False
    register_column: str | None = None
    battery: str | None = None
    stem: str | None = None
    reconstructed: bool = False

    @property
    def is_choice(self) -> bool:
        """True when an answer is one category (single choice, or a point of a scale)."""
        return self.type in CHOICE_TYPES

    @property
    def is_numeric(self) -> bool:
        """True when an answer is a number (a number question, or a point of a scale)."""
        return self.type in NUMERIC_TYPES

    @property
    def whole_numbers(self) -> bool:
        """True when every answer is a whole number (scale points, integer questions)."""
        return self.type == "scale" or self.integer


# ----------------------------------------------------------------------------- derived variables


class Group(Frozen):
    """One category of a recoded variable and the source options that fall into it."""

    label: str
    heading: str | None = None
    values: tuple[Label, ...]


class Recode(Frozen):
    """A grouping variable made by mapping the options of one question onto groups."""

    kind: Literal["recode"] = "recode"
    code: str
    label: str
    source: str
    groups: tuple[Group, ...]
    ungrouped: tuple[Label, ...] = ()
    note: str | None = None


class Band(Frozen):
    """A band of numbers (or ages), inclusive at both ends; an open end is None."""

    label: str
    min: float | None = None
    max: float | None = None


class AgeBands(Frozen):
    """Age groups computed as (year of a reference date) - (birth year)."""

    kind: Literal["age_bands"]
    code: str
    label: str
    birth_year: str
    reference_date: str
    bands: tuple[Band, ...]
    note: str | None = None


class Bands(Frozen):
    """A number (or the points of a scale) in bands: years in the job 0–2, 3–5, 6–10, 11 or more.

    Either `cuts`, the lower bound of every band after the first (each band runs up to the next
    cut; labels generated, or given in `labels`), or `bands`, each with its own label and
    inclusive `min`/`max`. An answer in no band is counted and reported, never dropped silently.
    """

    kind: Literal["bands"]
    code: str
    label: str
    source: str
    cuts: tuple[float, ...] | None = None
    labels: tuple[str, ...] | None = None
    bands: tuple[Band, ...] | None = None
    note: str | None = None


Derived = Annotated[Recode | AgeBands | Bands, Field(discriminator="kind")]


class ComparisonGroup(Frozen):
    """One side of a sample/population comparison."""

    label: str
    source: Literal["respondents", "register"]
    when: str | None = None


class Comparison(Frozen):
    """A breakdown whose groups are different frames (analysed sample vs. register)."""

    code: str
    label: str
    groups: tuple[ComparisonGroup, ...]


class ScreeningStep(Frozen):
    """Respondents whose answer is not in `keep` stop here, counted under `reason`."""

    question: str
    keep: tuple[str, ...]
    reason: str


class Register(Frozen):
    """How the register of invited members links to the export."""

    key_column: str
    respondent_key: str
    date_column: str
    date_as: str


# ----------------------------------------------------------------------------- figures

if TYPE_CHECKING:
    Statistic = str
    ChartKindName = str
else:  # the names of the registries (statistics.py, charts.py), so they never drift apart
    Statistic = Literal[STATISTIC_NAMES]
    ChartKindName = Literal[CHART_KIND_NAMES]


class SortRule(Frozen):
    """Order a figure's rows by the share of one category (or top2), largest first."""

    category: Label
    descending: bool = True


class ChartSpec(Frozen):
    """How a figure is drawn; the statistic and breakdown decide the default kind."""

    # stacked/grouped/bars draw shares; dots (and bars) draw numbers with their confidence
    # intervals; table and none draw nothing (the numbers are printed as a table).
    kind: ChartKindName = "auto"
    show: dict[str, Label] | None = None
    show_categories: tuple[Label, ...] | None = None
    # Breakdowns drawn one under the other, each from `by`/`also_by` (Figur 5.2: skoletype in
    # the upper part, yrkesgruppe in the lower); None draws `by` only.
    parts: tuple[str, ...] | None = None
    note: str | None = None


class SelectRule(Frozen):
    """Keep only the statements whose groups differ significantly and visibly: some pair of
    groups (Holm-adjusted p < alpha) at least `min_points` percentage points apart. Replaces the
    2023 report's choice by eye (Figur 5.7, 5.8, 5.11, 6.7, 6.8, 6.10)."""

    min_points: float = Field(ge=0, le=100)
    alpha: float = Field(default=0.05, gt=0, lt=1)


class ReferenceSource(Frozen):
    """A published survey the report compares with (TALIS 2018, Kandidatundersøkelsen 2021 …).

    `name` and `population` make the legend entry ('TALIS 2018: lærere på ungdomstrinnet'),
    `citation` the footnote ('Throndsen, Carlsten og Björnsson 2019', as in the bibliography).
    """

    id: str
    name: str
    citation: str
    population: str


class ReferenceValue(Frozen):
    """One published share to show beside the figure's own: the percent of `source`'s
    population in `category` (an option, top2 or bottom2) of `item`, or a [low, high] range
    when the source gives one (for example a span over subgroups). It is compared with the
    figure's Totalt."""

    source: str
    item: str
    category: Label
    value: float | tuple[float, float]
    note: str | None = None  # printed after the value: a subgroup or a caveat

    @property
    def low(self) -> float:
        return self.value[0] if isinstance(self.value, tuple) else self.value

    @property
    def high(self) -> float:
        return self.value[1] if isinstance(self.value, tuple) else self.value

    @property
    def is_range(self) -> bool:
        return isinstance(self.value, tuple)


class Figure(Frozen):
    """One table or figure of the report: what is counted, for whom, split how."""

    id: str
    title: str
    items: tuple[str, ...]
    statistic: Statistic
    by: str = "none"
    also_by: tuple[str, ...] = ()
    options: tuple[str, ...] | None = None
    overrides: dict[str, Statistic] = Field(default_factory=dict)
    variables: dict[str, str] = Field(default_factory=dict)
    top2: tuple[Label, ...] | None = None
    bottom2: tuple[Label, ...] | None = None
    net: NetSpec | None = None
    sort: SortRule | None = None
    chart: ChartSpec = ChartSpec()
    base: str | None = None
    note: str | None = None
    select: SelectRule | None = None
    # Published comparison values: the sources this figure cites (usually YAML aliases of the
    # list at the top of figures.yaml) and the values, each naming its source by id.
    references: tuple[ReferenceSource, ...] = ()
    reference_values: tuple[ReferenceValue, ...] = ()

    def reference_source(self, source_id: str) -> ReferenceSource:
        """The figure's reference source with id `source_id` (KeyError if it has none)."""
        for source in self.references:
            if source.id == source_id:
                return source
        raise KeyError(source_id)

    @property
    def number(self) -> str:
        """The figure number as printed ('4.10', '2.1'); tables keep their 'T' prefix off."""
        return self.id[1:] if self.is_table else self.id

    @property
    def is_table(self) -> bool:
        """True for 'Tabell' entries (ids starting with 'T')."""
        return self.id.startswith("T")

    @property
    def breakdowns(self) -> tuple[str, ...]:
        """The figure's own breakdown followed by the extra ones the text reports."""
        return (self.by, *self.also_by)

    def statistic_for(self, item: str) -> str:
        """The statistic of one item, honouring per-item overrides."""
        return self.overrides.get(item, self.statistic)


# ----------------------------------------------------------------------------- report


class NumberRef(Frozen):
    """A number in the prose, pulled from tables.csv at build time."""

    figure: str
    item: str | tuple[str, ...]
    category: Label
    group: str = "Totalt"
    by: str | None = None
    # auto: a share as 'prosent', a mean/median/quartile/sum as a number with the question's
    # unit ('9,2 år'), a net score as signed points ('+12').
    format: Literal["auto", "prosent", "percent", "range_prosent", "count", "number",
                    "points"] = "auto"
    # Decimals of a `number` (default 1).
    decimals: int | None = Field(default=None, ge=0, le=3)


class Paragraph(Frozen):
    """Prose with `{name}` placeholders filled from `values`."""

    text: str
    values: dict[str, NumberRef] = Field(default_factory=dict)


MethodTable = Literal["nonresponse", "representativity", "weights", "themes"]


class QuoteRef(Frozen):
    """A focus-group quote placed in a section: a named segment (its spans joined with
    ' […] '), or up to `limit` passages coded with `theme` (in transcript order)."""

    segment: str | None = None
    theme: str | None = None
    limit: int = Field(default=1, ge=1)


class Section(Frozen):
    """A heading with prose, figures, method tables and subsections."""

    title: str
    paragraphs: tuple[Paragraph | str, ...] = ()
    figures: tuple[str, ...] = ()
    # Method tables computed by the run: non-response by register variable, the R-indicator,
    # (in weighted runs) the weight summary, and the focus groups' coded passages per theme.
    methods: tuple[MethodTable, ...] = ()
    quotes: tuple[QuoteRef, ...] = ()
    sections: tuple[Section, ...] = ()
    unnumbered: bool = False


class ReportSpec(Frozen):
    """Title page facts and the chapter structure of the report."""

    title: str
    subtitle: str | None = None
    number: str | None = None
    publisher: str | None = None
    client: str | None = None
    authors: tuple[str, ...] = ()
    date: dt.date | None = None
    language: str = "nb"
    summary: Section | None = None
    chapters: tuple[Section, ...] = ()


# ----------------------------------------------------------------------------- fieldwork


class Page(Frozen):
    """One page of the web questionnaire: questions and batteries shown together."""

    title: str
    intro: str | None = None
    questions: tuple[str, ...]


class Reminder(Frozen):
    """A reminder sent on `date` to members who have not completed."""

    name: str
    date: dt.date


class MailText(Frozen):
    """Subject and body of a mail; the body may use {link}, {title} and {deadline}."""

    subject: str
    body: str


class SmtpSettings(Frozen):
    """How mail leaves; the environment (TVERRSNITT_SMTP_*) overrides each value."""

    host: str = "localhost"
    port: int = 25
    sender: str = "undersokelse@example.org"
    user: str | None = None
    password: str | None = None
    tls: Literal["none", "starttls", "ssl"] = "none"
    batch_size: int = Field(default=100, ge=1)
    per_minute: int = Field(default=600, ge=1)


class Fieldwork(Frozen):
    """The web questionnaire and its mailings: pages, texts, reminders (fieldwork.yaml)."""

    title: str
    mode: Literal["personal", "open"] = "personal"
    opens: dt.date | None = None
    closes: dt.date | None = None
    welcome: tuple[str, ...]
    completion: tuple[str, ...]
    screened_out: dict[str, str]
    closed: str = "Undersøkelsen er avsluttet."
    pages: tuple[Page, ...]
    invitation: MailText
    reminder: MailText
    reminders: tuple[Reminder, ...] = ()
    smtp: SmtpSettings = SmtpSettings()


# ----------------------------------------------------------------------------- study


class StudyMeta(Frozen):
    """What the study is, and where its example data live."""

    name: str
    title: str
    survey_year: int | None = None
    export_sheet: str | None = None
    default_data: str | None = None
    default_register: str | None = None
    # Disclosure control: published output shows no number based on fewer respondents.
    min_cell: int = 5
    # Confidence intervals (95 %) as R survey's svyciprop: logit (its default), beta
    # (Korn-Graubard) or wilson (with the design effect).
    ci_method: Literal["logit", "beta", "wilson"] = "logit"


# ----------------------------------------------------------------------------- weighting

class NonresponseVariable(Frozen):
    """One register variable of the non-response table; several codes are crossed."""

    label: str
    variables: tuple[str, ...] = Field(min_length=1)


class Nonresponse(Frozen):
    """Who answered, compared with everyone invited, by register variables.

    `respondents` is the condition that makes an analysed respondent count as linked to the
    register (for example `reg_medlemsnr is_answered`); the R-indicator's response model uses
    `propensity` (default: every variable of the table, as main effects).
    """

    respondents: str | None = None
    variables: tuple[NonresponseVariable, ...] = Field(min_length=1)
    propensity: tuple[str, ...] = ()

    @property
    def model_variables(self) -> tuple[str, ...]:
        """The response model's variables, in order, each once."""
        if self.propensity:
            return self.propensity
        return tuple(dict.fromkeys(v for entry in self.variables for v in entry.variables))


class RakingMargin(Frozen):
    """A raking margin: the respondents' variable and where its population totals come from.

    Either `register_variable` names the code counted over the register of invited members (it may be
    another derived variable with the same group labels), or `totals` gives them as numbers
    with their `source`.
    """

    variable: str
    register_variable: str | None = None
    totals: dict[str, float] | None = None
    source: str | None = None
    # Respondents without a category: an error, or a category of their own ('Uoppgitt') whose
    # population total keeps their share of the sample (so their weights are not distorted).
    unanswered: Literal["error", "keep_share"] = "error"


class TrimBounds(Frozen):
    """Bounds for raked weights as multiples of the mean weight."""

    lower: float
    upper: float


class Weighting(Frozen):
    """Raking used by `tverrsnitt report --rake`: margins, convergence control and trimming."""

    margins: tuple[RakingMargin, ...] = Field(min_length=1)
    trim: TrimBounds | None = None
    max_iter: int = Field(default=50, ge=1)
    epsilon: float = Field(default=1.0, gt=0)
    note: str | None = None


class Study(Frozen):
    """A complete, validated study definition."""

    root: Path
    meta: StudyMeta
    scales: dict[str, Scale]
    questions: tuple[Question, ...]
    derived: tuple[Derived, ...]
    comparisons: tuple[Comparison, ...]
    screening: tuple[ScreeningStep, ...]
    register_link: Register | None
    figures: tuple[Figure, ...]
    report: ReportSpec
    fieldwork: Fieldwork | None = None
    nonresponse: Nonresponse | None = None
    weighting: Weighting | None = None
    qual: QualDefinition | None = None
    # The YAML documents the study was read from, so that later stages (chart declarations,
    # checks against the data) can name the file and line of what they find.
    documents: dict[str, YamlDocument] = Field(default_factory=dict, repr=False, exclude=True)

    def locate(self, file: str, key_path: KeyPath, message: str) -> DefinitionProblem:
        """A problem at `key_path` of one of the study's files, with its line."""
        document = self.documents.get(file)
        if document is None:
            return DefinitionProblem(self.root / file, format_key_path(key_path), message)
        return document.problem(key_path, message)

    def figure_path(self, figure_id: str) -> KeyPath:
        """Where a figure is declared in figures.yaml."""
        index = next((i for i, f in enumerate(self.figures) if f.id == figure_id), None)
        return ("figures",) if index is None else ("figures", index)

    def derived_path(self, code: str) -> KeyPath:
        """Where a derived variable is declared in derived.yaml."""
        index = next((i for i, d in enumerate(self.derived) if d.code == code), None)
        return ("derived",) if index is None else ("derived", index)

    def question_path(self, code: str) -> KeyPath:
        """Where a question (or a battery's statement) is declared in questionnaire.yaml."""
        document = self.documents.get("questionnaire.yaml")
        entries = document.data.get("questions", []) if document and isinstance(
            document.data, dict) else []
        for index, entry in enumerate(entries or []):
            if not isinstance(entry, dict):
                continue
            if entry.get("code") == code:
                return ("questions", index)
            for item_index, item in enumerate(entry.get("items") or []):
                if isinstance(item, dict) and item.get("code") == code:
                    return ("questions", index, "items", item_index)
        return ("questions",)

    def question(self, code: str) -> Question:
        """Look up a question by code (KeyError if unknown)."""
        return self._questions_by_code[code]

    def has_question(self, code: str) -> bool:
        """True when `code` names a question."""
        return code in self._questions_by_code

    @cached_property
    def _questions_by_code(self) -> dict[str, Question]:
        # Built once: lookups by code happen on every page a respondent saves.
        return {q.code: q for q in self.questions}

    def derived_variable(self, code: str) -> Derived:
        """Look up a derived variable by code."""
        for d in self.derived:
            if d.code == code:
                return d
        raise KeyError(code)

    def comparison(self, code: str) -> Comparison | None:
        """The comparison breakdown named `code`, if any."""
        return next((c for c in self.comparisons if c.code == code), None)

    def figure(self, figure_id: str) -> Figure:
        """Look up a figure by id (the survey's, or the focus groups' in qual.yaml)."""
        for f in (*self.figures, *self.qual_figures):
            if f.id == figure_id:
                return f
        raise KeyError(figure_id)

    @property
    def qual_figures(self) -> tuple[Figure, ...]:
        """The placement exercise's figures and table (qual.yaml), as report figures."""
        return tuple(f.as_figure() for f in self.qual.figures) if self.qual is not None else ()

    def breakdown_codes(self) -> tuple[str, ...]:
        """Every name a figure may use in `by`: 'none', derived variables, comparisons, and
        single-choice (or scale) questions, whose options are then the groups."""
        return ("none", *(d.code for d in self.derived), *(c.code for c in self.comparisons),
                *(q.code for q in self.questions if q.is_choice))

    def breakdown_label(self, breakdown: str) -> str:
        """What a breakdown is called in print ('Yrkesgruppe'); '' for no breakdown."""
        if breakdown == "none":
            return ""
        comparison = self.comparison(breakdown)
        if comparison is not None:
            return comparison.label
        if self.has_question(breakdown):
            return self.question(breakdown).label
        return self.derived_variable(breakdown).label

    def has_variable(self, code: str) -> bool:
        """True when `code` names a question or a derived variable."""
        return self.has_question(code) or any(d.code == code for d in self.derived)

    def variable_labels(self, code: str) -> tuple[str, ...]:
        """The categories of a question (its options) or of a derived variable (its groups)."""
        if self.has_question(code):
            return self.question(code).options
        return self.group_labels(code)

    def derived_source(self, variable: Derived) -> str:
        """The question a derived variable is made from (an age's: the birth year)."""
        return variable.birth_year if isinstance(variable, AgeBands) else variable.source

    def in_register(self, code: str) -> bool:
        """True when the register of invited members carries `code` (directly or derived)."""
        if self.has_question(code):
            return self.question(code).register_column is not None
        return self.in_register(self.derived_source(self.derived_variable(code)))

    def is_ordinal(self, code: str) -> bool:
        """True when a variable's categories are ordered: an ordinal question, bands and age
        bands, or a recode that groups an ordinal question's options in runs, low to high
        (the 0–10 points as critics, neutrals and ambassadors)."""
        if self.has_question(code):
            return self.question(code).ordinal
        variable = self.derived_variable(code)
        if not isinstance(variable, Recode):
            return True
        if not self.has_question(variable.source) or not self.question(variable.source).ordinal:
            return False
        options = self.question(variable.source).options
        positions = [sorted(options.index(v) for v in g.values if v in options)
                     for g in variable.groups]
        runs = [p for p in positions if p]
        return all(p == list(range(p[0], p[-1] + 1)) for p in runs) and all(
            a[-1] < b[0] for a, b in itertools.pairwise(runs))

    def band_intervals(self, variable: Bands) -> tuple[Interval, ...]:
        """The bands of a `bands` variable, labelled, in order."""
        return intervals(variable, self.question(variable.source))

    def group_labels(self, breakdown: str) -> tuple[str, ...]:
        """The groups of a breakdown in report order (without 'Totalt')."""
        if breakdown == "none":
            return ()
        comparison = self.comparison(breakdown)
        if comparison is not None:
            return tuple(g.label for g in comparison.groups)
        if self.has_question(breakdown):
            return self.question(breakdown).options
        variable = self.derived_variable(breakdown)
        if isinstance(variable, Recode):
            return tuple(g.label for g in variable.groups)
        if isinstance(variable, Bands):
            return tuple(band.label for band in self.band_intervals(variable))
        return tuple(b.label for b in variable.bands)
