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

from pydantic import BeforeValidator, Field, WithJsonSchema

from ..errors import DefinitionProblem
from .bands import Interval, intervals
from .charts import CHART_KIND_NAMES
from .conditions import Condition
from .frozen import Frozen
from .qual import QualDefinition, QualFigure
from .statistics import STATISTIC_NAMES, TOTAL, CiMethod
from .yamlfile import KeyPath, YamlDocument, format_key_path

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


# An answer option, group value or category: text, with numbers accepted as written (and so
# the JSON Schema lets an editor accept `values: [9, 10]`).
Label = Annotated[str, BeforeValidator(_as_label),
                  WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "number"}]})]


def normalise_header(text: str) -> str:
    """Header text as compared when matching export columns: NFC, whitespace collapsed, case
    folded — so a re-typed header with a double space or other case still matches."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


class NetSpec(Frozen):
    """A net score: the share answering one of `plus` minus the share answering one of
    `minus`, in points from -100 to 100 (eNPS: plus [9, 10], minus ['0..6']). 'a..b' names
    every point from a to b of a numeric scale."""

    plus: tuple[Label, ...] = Field(min_length=1)
    """Options counted as plus (promoters); 'a..b' names every point from a to b."""
    minus: tuple[Label, ...] = Field(min_length=1)
    """Options counted as minus (detractors); 'a..b' names every point from a to b."""


class Scale(Frozen):
    """A named, ordered list of answer options shared by many questions."""

    options: tuple[Label, ...]
    """The answer options, in order (low to high for an ordinal scale)."""
    ordinal: bool = False
    """True when the options are ordered: charts use a light-to-dark ramp, routing may compare with
    >=, a net score counts from its ends."""
    top2: tuple[Label, ...] | None = None
    """The options counted as `top2` (usually the two highest)."""
    bottom2: tuple[Label, ...] | None = None
    """The options counted as `bottom2` (usually the two lowest)."""
    net: NetSpec | None = None
    """The net score of questions on this scale (`statistic: net`)."""


class WaveChange(Frozen):
    """How one wave's export differs from the definition for one question (questionnaire.yaml
    `waves: {"2023": {...}}`). The definition is written as the questionnaire is now; each
    earlier (or later) wave says only what was different then."""

    asked: bool = True
    """False when the question was not asked in that wave (new since, or dropped): its column
    is not looked for and the wave has no numbers for it."""
    header: str | None = None
    """The export header in that wave, when the question text was reworded."""
    options: dict[Label, Label] = Field(default_factory=dict)
    """That wave's answer texts that are spelt differently, each mapped onto an option of the
    definition: `{"Svært enig": "Helt enig"}` (two texts onto one option merge them)."""
    comparable: bool = True
    """False when the question changed so much that its answers cannot be compared with the
    other waves (then no change is computed for it)."""


_AS_DEFINED = WaveChange()


class AnswerSpec(Frozen):
    """Where a question's options come from (a named scale, a list, or the points of a numeric
    `scale` question's range) and when it is asked."""

    options: tuple[Label, ...] | None = None
    """The answer options, in order; or name a `scale`. Numbers are read as labels ('9')."""
    scale: str | None = None
    """The name of a scale under `scales:` whose options (and top2, bottom2, net) this question
    uses."""
    ordinal: bool | None = None
    """Overrides the scale's `ordinal`."""
    top2: tuple[Label, ...] | None = None
    """Overrides the scale's `top2`."""
    bottom2: tuple[Label, ...] | None = None
    """Overrides the scale's `bottom2`."""
    net: NetSpec | None = None
    """Overrides the scale's net score: `{plus: [9, 10], minus: ['0..6']}`."""
    asked_if: str | None = None
    """Routing: the question is asked only when this condition holds, e.g. `q3 == 'Ja'`, `q41 >= 'I
    noen grad'`, `b2 in ['A', 'B']`, `q5 has_any 'X'`, `q7 is_answered`. Answers given although
    it does not hold are counted and left out of the base."""
    range: tuple[float, float] | None = None
    """Allowed values of a `number` [low, high]; for a `scale` question its points (whole numbers,
    [0, 10])."""
    labels: dict[Label, str] | None = None
    """Texts of some points of a `scale` question, e.g. `{0: Svært lite sannsynlig, 10: Svært
    sannsynlig}` (shown on the web, read back from SPSS value labels)."""


class QuestionSpec(AnswerSpec):
    """A stand-alone question as written in questionnaire.yaml."""

    code: str
    """The question's code: the name every other file uses (unique; not a display label)."""
    header: str
    """The export column's header, matched as written (case and spacing aside)."""
    type: QuestionType
    """`single` (one option), `multi` (several, joined by ';' in the export), `number` (a decimal
    comma or point), `scale` (a numeric rating: whole points of `range`, such as 0–10; not to
    be confused with a Likert question that names a `scale:` of options, which is `single`),
    `text` (free text), `id` or `datetime` (2023-02-02 09:01:39, 2023-02-02T09:01:39,
    2023-02-02 09:01, 02.02.2023 09:01:39, 02.02.2023 09:01, 2023-02-02 or 02.02.2023)."""
    label: str | None = None
    """Short name in charts and tables (default: the header)."""
    screening: bool = False
    """True for a screening question (answered before anything else on the web)."""
    exclusive_option: Label | None = None
    """A multi-select option that cannot be combined with others ('Ingen av disse')."""
    unit: str | None = None
    """The unit printed after its numbers in the report ('år', 'timer': '9,2 år') and shown on the
    web."""
    integer: bool = False
    """Whole numbers only (years, counts): a decimal answer is a data error; bands made by `cuts`
    are labelled 0–2, 3–5 …"""
    register_column: str | None = None
    """The column of the member register that holds the same variable (linked respondents and
    everyone invited)."""
    reconstructed: bool = False
    """True when the wording is reconstructed rather than quoted (documentation only)."""
    waves: dict[Label, WaveChange] = Field(default_factory=dict)
    """What was different in another wave, by wave id (study.yaml `waves`): `{"2023": {header:
    ..., options: {old: new}}}`, `{"2023": {asked: false}}` or `{"2023": {comparable: false}}`."""


class BatteryItemSpec(Frozen):
    """One statement (row) of a battery question."""

    code: str
    """The statement's code (unique among all questions)."""
    statement: str
    """The statement's text; also its label in charts."""
    header: str | None = None
    """The export header (default: '<stem> [<statement>]')."""
    asked_if: str | None = None
    """Routing for this statement only (default: the battery's)."""
    reconstructed: bool | None = None
    """Overrides the battery's `reconstructed`."""
    waves: dict[Label, WaveChange] = Field(default_factory=dict)
    """What was different for this statement in another wave (as for a question); the
    battery's own `waves` apply to every statement."""


class BatterySpec(AnswerSpec):
    """A matrix question: one stem, one scale, one row per statement."""

    battery: str
    """The battery's id (a page of fieldwork.yaml may list it)."""
    stem: str
    """The question text shared by the statements."""
    type: Literal["single", "scale"] = "single"
    """`single` (an option per statement) or `scale` (a point of `range` per statement)."""
    reconstructed: bool = False
    """True when the wording is reconstructed rather than quoted."""
    items: tuple[BatteryItemSpec, ...]
    """The statements, one row each."""
    waves: dict[Label, WaveChange] = Field(default_factory=dict)
    """What was different for every statement in another wave (options renamed, not asked,
    not comparable); a statement's own `waves` entry wins for that wave."""


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
    waves: dict[str, WaveChange] = Field(default_factory=dict)

    def in_wave(self, wave: str) -> WaveChange:
        """How this question was asked in `wave` (as defined, unless its `waves` say otherwise)."""
        return self.waves.get(wave, _AS_DEFINED)

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
    """The group's label, as printed and as tables.csv writes it."""
    heading: str | None = None
    """A longer heading for composition tables (default: the label)."""
    values: tuple[Label, ...]
    """The source's options that fall into this group (numbers for a 0–10 scale: [9, 10])."""


class Recode(Frozen):
    """A grouping variable made by mapping the options of one question onto groups."""

    kind: Literal["recode"] = "recode"
    """`recode`."""
    code: str
    """The variable's code (not a question code)."""
    label: str
    """Its name in print ('Yrkesgruppe')."""
    source: str
    """The choice question (or 0–10 scale) whose options are grouped."""
    groups: tuple[Group, ...]
    """The groups in report order; every option of the source must be in one group or under
    `ungrouped`."""
    ungrouped: tuple[Label, ...] = ()
    """Options deliberately in no group (left out of the breakdown and of its Totalt)."""
    note: str | None = None
    """A comment for the people maintaining the definition (not printed)."""


class Band(Frozen):
    """A band of numbers (or ages), inclusive at both ends; an open end is None."""

    label: Label
    """The band's label."""
    min: float | None = None
    """Lowest value in the band (inclusive); leave out for an open lower end."""
    max: float | None = None
    """Highest value in the band (inclusive); leave out for an open upper end."""


class AgeBands(Frozen):
    """Age groups computed as (year of a reference date) - (birth year)."""

    kind: Literal["age_bands"]
    """`age_bands`."""
    code: str
    """The variable's code."""
    label: str
    """Its name in print ('Alder')."""
    birth_year: str
    """A `number` question holding a year of birth."""
    reference_date: str
    """A `datetime` question whose year the age is counted to (the start time)."""
    bands: tuple[Band, ...]
    """The age bands in order, inclusive at both ends."""
    note: str | None = None
    """A comment (not printed)."""


class Bands(Frozen):
    """A number (or the points of a scale) in bands: years in the job 0–2, 3–5, 6–10, 11 or more.

    Either `cuts`, the lower bound of every band after the first (each band runs up to the next
    cut; labels generated, or given in `labels`), or `bands`, each with its own label and
    inclusive `min`/`max`. An answer in no band is counted and reported, never dropped silently.
    """

    kind: Literal["bands"]
    """`bands`."""
    code: str
    """The variable's code."""
    label: str
    """Its name in print ('År i jobben')."""
    source: str
    """A `number` or `scale` question."""
    cuts: tuple[float, ...] | None = None
    """The lower bound of every band after the first: [3, 6, 11] gives 0–2, 3–5, 6–10 and '11 eller
    mer' (labels generated; decimals read 'Under 3', '3 til under 6' …)."""
    labels: tuple[Label, ...] | None = None
    """The labels of the bands made by `cuts` (one more than the cuts)."""
    bands: tuple[Band, ...] | None = None
    """Instead of `cuts`: each band with its `label` and inclusive `min`/`max`. A value in no band
    is counted and reported."""
    note: str | None = None
    """A comment (not printed)."""


Derived = Annotated[Recode | AgeBands | Bands, Field(discriminator="kind")]


class ComparisonGroup(Frozen):
    """One side of a sample/population comparison."""

    label: str
    """The group's label ('Utvalg', 'Populasjon')."""
    source: Literal["respondents", "register"]
    """`respondents` (the analysed answers) or `register` (everyone invited)."""
    when: str | None = None
    """For respondents: a condition choosing who is in the group (`reg_medlemsnr is_answered`)."""


class Comparison(Frozen):
    """A breakdown whose groups are different frames (analysed sample vs. register)."""

    code: str
    """The breakdown's code."""
    label: str
    """Its name in print."""
    groups: tuple[ComparisonGroup, ...]
    """The frames compared, each counted in its own base."""


class ScreeningStep(Frozen):
    """Respondents whose answer is not in `keep` stop here, counted under `reason`."""

    question: str
    """The screening question."""
    keep: tuple[str, ...]
    """The answers that pass; everyone else (and no answer) stops here."""
    reason: str
    """The exclusion reason printed in the response table (and the web's screened-out page key)."""


class Register(Frozen):
    """How the register of invited members links to the export."""

    key_column: str
    """The register's column with the member number."""
    respondent_key: str
    """The export question that carries the same member number."""
    date_column: str
    """The register's invitation date."""
    date_as: str
    """The export's date question it stands for (so ages are computed alike in both)."""


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
    """The category (an option, top2, or mean/median/net for numbers) to sort by."""
    descending: bool = True
    """Largest first (default)."""


class ChartSpec(Frozen):
    """How a figure is drawn; the statistic and breakdown decide the default kind."""

    kind: ChartKindName = "auto"
    """`auto` (chosen from statistic and breakdown), `stacked`, `grouped`, `bars` (shares; for
    numbers with CI whiskers), `dots` (a number per row with its 95 % CI), `table` or `none`."""
    show: dict[str, Label] | None = None
    """For a grouped chart of statements: the one option drawn per statement, `{item: option}`."""
    show_categories: tuple[Label, ...] | None = None
    """Draw only these categories."""
    parts: tuple[str, ...] | None = None
    """Breakdowns drawn one under the other (from `by` and `also_by`)."""
    note: str | None = None
    """A note printed under the chart."""


class SelectRule(Frozen):
    """Keep only the statements whose groups differ significantly and visibly: some pair of
    groups (Holm-adjusted p < alpha) at least `min_points` percentage points apart. Replaces the
    2023 report's choice by eye (Figur 5.7, 5.8, 5.11, 6.7, 6.8, 6.10)."""

    min_points: float = Field(ge=0, le=100)
    """The smallest difference between two groups, in percentage points, that keeps a statement."""
    alpha: float = Field(default=0.05, gt=0, lt=1)
    """The significance level of the Holm-adjusted pairwise tests."""


class ReferenceSource(Frozen):
    """A published survey the report compares with (TALIS 2018, Kandidatundersøkelsen 2021 …).

    `name` and `population` make the legend entry ('TALIS 2018: lærere på ungdomstrinnet'),
    `citation` the footnote ('Throndsen, Carlsten og Björnsson 2019', as in the bibliography).
    """

    id: str
    """The source's id, used by `reference_values`."""
    name: str
    """Its name in the legend ('TALIS 2018')."""
    citation: str
    """The citation in the footnote ('Throndsen, Carlsten og Björnsson 2019')."""
    population: str
    """Whom the published numbers are about ('lærere på ungdomstrinnet')."""


class ReferenceValue(Frozen):
    """One published share to show beside the figure's own: the percent of `source`'s
    population in `category` (an option, top2 or bottom2) of `item`, or a [low, high] range
    when the source gives one (for example a span over subgroups). It is compared with the
    figure's Totalt."""

    source: str
    """The id of one of the figure's `references`."""
    item: str
    """The figure's item the value belongs to."""
    category: Label
    """The category of that item (an option, top2 or bottom2)."""
    value: float | tuple[float, float]
    """The published percent, or a [low, high] range."""
    note: str | None = None  # printed after the value: a subgroup or a caveat
    """Printed after the value: a subgroup or a caveat."""

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
    """The figure's id: 'T…' for a table ('T2.1'), else a figure ('4.10'); the number printed."""
    title: str
    """The caption, as printed."""
    items: tuple[str, ...]
    """The question codes counted (statements of a battery, or one question)."""
    statistic: Statistic
    """What is counted: one of the [statistics](#statistics)."""
    by: str = "none"
    """The breakdown: `none`, a derived variable, a comparison, or a single-choice question (its
    options are the groups). Each group's base is its respondents with a valid answer; the
    breakdown's `Totalt` is the sum of its groups, so respondents without a group (who skipped
    the role question, or an `ungrouped` option) are in no group and not in that Totalt."""
    also_by: tuple[str, ...] = ()
    """More breakdowns, printed as extra tables (and usable in prose)."""
    trend: bool = False
    """With `report --compare WAVE`: a table of the change since that wave under the figure
    (both waves' numbers, the change, its 95 % interval, significant changes marked). When no
    figure says `trend: true`, every figure with changes gets the table."""
    options: tuple[str, ...] | None = None
    """For `selected_share`: only these options."""
    overrides: dict[str, Statistic] = Field(default_factory=dict)
    """Another statistic for some items: `{b6_stillingsprosent: mean}`."""
    variables: dict[str, str] = Field(default_factory=dict)
    """Count an item through a derived variable made from it: `{b3_ar: ansiennitet}` counts years in
    the job in its bands."""
    top2: tuple[Label, ...] | None = None
    """Overrides the items' `top2`."""
    bottom2: tuple[Label, ...] | None = None
    """Overrides the items' `bottom2`."""
    net: NetSpec | None = None
    """Overrides the items' net score."""
    sort: SortRule | None = None
    """Order the rows by one category's share."""
    chart: ChartSpec = ChartSpec()
    """How the figure is drawn (see the [chart kinds](#chart-kinds))."""
    base: str | None = None
    """Who is in the base, for the people maintaining the definition (not printed)."""
    note: str | None = None
    """A comment (not printed; see `chart.note` for a printed note)."""
    select: SelectRule | None = None
    """Keep only statements whose groups differ significantly and visibly."""
    references: tuple[ReferenceSource, ...] = ()
    """Published surveys this figure cites (YAML aliases of `references:` at the top of the file)."""
    reference_values: tuple[ReferenceValue, ...] = ()
    """Their published values, marked on the chart and listed under the table."""

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
    """The figure's id."""
    item: str | tuple[str, ...]
    """The item (or a list of items, for `range_prosent`)."""
    category: Label
    """An option, top2, bottom2, mean, median, q1, q3, sum or net."""
    group: str = TOTAL
    """The group (default Totalt)."""
    by: str | None = None
    """The breakdown (default the figure's `by`): `by` or one of its `also_by` (with a `by`,
    Totalt is that breakdown's Totalt)."""
    format: Literal["auto", "prosent", "percent", "range_prosent", "count", "number",
                    "points", "change"] = "auto"
    """`auto` (default: a share as '47 prosent', a number with its unit '27,9 timer', a net score
    '−18'), `prosent`, `percent` ('47'), `range_prosent` ('mellom 35 og 55 prosent'), `count` ('2
    259'), `number`, `points`, or `change`: the change since the wave `--compare` names, in
    words chosen by its sign and significance ('opp 6 prosentpoeng fra 2023', 'ned 0,4 timer fra
    2023'; 'om lag som i 2023' when it is not significant); without `--compare` the paragraph
    is left out with a note. A mean cannot be printed as a percent."""
    decimals: int | None = Field(default=None, ge=0, le=3)
    """Decimals of a number (default: 1; 0 for a median of whole numbers)."""


class Paragraph(Frozen):
    """Prose with `{name}` placeholders filled from `values`."""

    text: str
    """The text, with {placeholders}."""
    values: dict[str, NumberRef] = Field(default_factory=dict)
    """What each placeholder prints."""


MethodTable = Literal["nonresponse", "representativity", "weights", "themes"]


class QuoteRef(Frozen):
    """A focus-group quote placed in a section: a named segment (its spans joined with
    ' […] '), or up to `limit` passages coded with `theme` (in transcript order)."""

    segment: str | None = None
    """A named segment of the focus-group codings."""
    theme: str | None = None
    """Or a theme: up to `limit` passages coded with it."""
    limit: int = Field(default=1, ge=1)
    """How many passages of a theme."""


class Section(Frozen):
    """A heading with prose, figures, method tables and subsections."""

    title: str
    """The heading."""
    paragraphs: tuple[Paragraph | str, ...] = ()
    """Paragraphs: plain text, or `{text, values}` with numbers from the tables."""
    figures: tuple[str, ...] = ()
    """Figure ids placed here, in order (each once in the report)."""
    methods: tuple[MethodTable, ...] = ()
    """Method tables computed by the run: `nonresponse`, `representativity` (R-indicator),
    `weights`, `themes`."""
    quotes: tuple[QuoteRef, ...] = ()
    """Focus-group quotes placed here."""
    sections: tuple[Section, ...] = ()
    """Subsections."""
    unnumbered: bool = False
    """True for a heading without a number."""
    compare: bool = False
    """True for a section about the change since another wave: printed only by `report
    --compare WAVE` (its paragraphs quote changes with `format: change`), left out otherwise."""


class Work(Frozen):
    """One work of the reference list: how the text cites it, and the full reference."""

    cite: str
    """The author–year citation the text uses ('Bergene m.fl. 2021'): as a figure's reference
    source writes its `citation`, or as a paragraph writes it in parentheses."""
    entry: str
    """The full reference as the list prints it ('Bergene, A. C., Vika, K. S. … (2021).
    Spørsmål til Skole-Norge …')."""


class ReportSpec(Frozen):
    """Title page facts and the chapter structure of the report."""

    title: str
    """The report's title."""
    subtitle: str | None = None
    """A subtitle."""
    number: str | None = None
    """The series number ('Rapport 2023:15')."""
    publisher: str | None = None
    """The publisher ('NIFU')."""
    client: str | None = None
    """Who commissioned it."""
    authors: tuple[str, ...] = ()
    """The authors."""
    date: dt.date | None = None
    """The date of publication."""
    language: str = "nb"
    """The report's language (`nb`)."""
    foreword: Section | None = None
    """The foreword (Forord), unnumbered, before the summary: why the study was made, for whom,
    and thanks; its last paragraphs are usually the place and date and who signs."""
    summary: Section | None = None
    """The summary (Sammendrag), unnumbered."""
    chapters: tuple[Section, ...] = ()
    """The chapters. A figure placed in no section is printed in a last section, 'Andre tabeller
    og figurer'."""
    numbers: Literal["under_figures", "appendix"] = "under_figures"
    """Where the numbers behind each chart are printed: `under_figures` (under the chart; folded
    on the web page), or `appendix` (all together in 'Vedlegg: Tallgrunnlag' after the
    references, each chart pointing there; the body then reads as charts and prose). Tables
    stay where they are placed either way."""
    bibliography: tuple[Work, ...] = ()
    """The works the report cites. The list 'Referanser' after the chapters prints those that
    the printed prose or figures cite, in alphabetical order; `validate` refuses a work that
    nothing cites and a figure citation that has no work here."""

    @property
    def front(self) -> tuple[tuple[str, Section], ...]:
        """The unnumbered parts before chapter 1, in print order, with their report.yaml key."""
        parts = (("foreword", self.foreword), ("summary", self.summary))
        return tuple((key, section) for key, section in parts if section is not None)


# ----------------------------------------------------------------------------- fieldwork


class Page(Frozen):
    """One page of the web questionnaire: questions and batteries shown together."""

    title: str
    """The page's heading."""
    intro: str | None = None
    """A paragraph under the heading."""
    questions: tuple[str, ...]
    """Question codes and battery ids on the page."""


class Reminder(Frozen):
    """A reminder sent on `date` to members who have not completed."""

    name: str
    """The reminder's name (as the mail log shows it)."""
    date: dt.date
    """When it is due."""


class MailText(Frozen):
    """Subject and body of a mail; the body may use {link}, {title} and {deadline}."""

    subject: str
    """The subject line."""
    body: str
    """The text; {link} (required), {title} and {deadline} are filled in."""


class SmtpSettings(Frozen):
    """How mail leaves; the environment (TVERRSNITT_SMTP_*) overrides each value."""

    host: str = "localhost"
    """The SMTP server (TVERRSNITT_SMTP_HOST overrides)."""
    port: int = 25
    """Its port."""
    sender: str = "undersokelse@example.org"
    """The From address."""
    user: str | None = None
    """Login name, if the server needs one."""
    password: str | None = None
    """Its password (better: TVERRSNITT_SMTP_PASSWORD)."""
    tls: Literal["none", "starttls", "ssl"] = "none"
    """`none`, `starttls` or `ssl`."""
    batch_size: int = Field(default=100, ge=1)
    """Mails per connection."""
    per_minute: int = Field(default=600, ge=1)
    """The most mails sent per minute."""


class Fieldwork(Frozen):
    """The web questionnaire and its mailings: pages, texts, reminders (fieldwork.yaml)."""

    title: str
    """The questionnaire's title."""
    mode: Literal["personal", "open"] = "personal"
    """`personal` (a link per member) or `open` (anyone with the link)."""
    opens: dt.date | None = None
    """First day the questionnaire accepts answers."""
    closes: dt.date | None = None
    """Last day."""
    welcome: tuple[str, ...]
    """Paragraphs on the first page."""
    completion: tuple[str, ...]
    """Paragraphs on the receipt page."""
    screened_out: dict[str, str]
    """The page text for each screening reason."""
    closed: str = "Undersøkelsen er avsluttet."
    """The text outside the fieldwork period."""
    pages: tuple[Page, ...]
    """The pages in order."""
    invitation: MailText
    """The invitation mail."""
    reminder: MailText
    """The reminder mail."""
    reminders: tuple[Reminder, ...] = ()
    """The reminders' dates, in order."""
    smtp: SmtpSettings = SmtpSettings()
    """How mail is sent."""


# ----------------------------------------------------------------------------- study


class Wave(Frozen):
    """One round of the survey (study.yaml `waves`): its own export, register and dates."""

    id: Label
    """The wave's id, as `--wave`, questionnaire.yaml `waves:` and tables.csv's `wave` column
    name it (2023 or '2023' alike); not a display label."""
    label: str | None = None
    """Its name in print (default: the id)."""
    data: str | None = None
    """The wave's export (relative to the study folder), read when `--data` is not given."""
    register_data: str | None = None
    """The wave's member register (relative to the study folder), read when neither `--data`
    nor `--register` is given."""
    invited: int | None = Field(default=None, ge=0)
    """How many were invited, when no register says it."""
    start: dt.date | None = None
    """First day of fieldwork."""
    end: dt.date | None = None
    """Last day of fieldwork."""

    @property
    def name(self) -> str:
        """The wave's label in print."""
        return self.label or self.id


class StudyMeta(Frozen):
    """What the study is, and where its example data live."""

    name: str
    """The study's short name."""
    title: str
    """Its title."""
    survey_year: int | None = None
    """The year of the survey."""
    export_sheet: str | None = None
    """The answers sheet of an .xlsx export, when the workbook has it (else its only sheet, or
    the one sheet whose first row holds the question texts; `--sheet` overrides)."""
    default_data: str | None = None
    """The export `report` reads when no --data is given (relative to the study folder)."""
    default_register: str | None = None
    """The register read with the default data."""
    min_cell: int = Field(default=5, ge=3)
    """Disclosure control: published output shows no number based on fewer respondents (at least
    3: a smaller group can point to a person)."""
    ci_method: CiMethod = "logit"
    """95 % intervals of shares as R survey's svyciprop: `logit` (its default), `beta`
    (Korn–Graubard) or `wilson`."""
    waves: tuple[Wave, ...] = ()
    """The survey's rounds, oldest first, each with its export (`--wave ID` picks one, the last by
    default; `--compare ID` adds the changes since another). Without `waves` the study has one
    wave, named by `survey_year`."""

    def data_files(self) -> tuple[str, ...]:
        """Every export and register the study folder bundles (relative paths)."""
        names = [self.default_data, self.default_register,
                 *(name for w in self.waves for name in (w.data, w.register_data))]
        return tuple(name for name in names if name is not None)

    def wave_ids(self) -> tuple[str, ...]:
        """Every wave's id, oldest first (one wave, `survey_year` or 'wave', without `waves`)."""
        if self.waves:
            return tuple(w.id for w in self.waves)
        return (str(self.survey_year) if self.survey_year is not None else "wave",)


# ----------------------------------------------------------------------------- weighting

class NonresponseVariable(Frozen):
    """One register variable of the non-response table; several codes are crossed."""

    label: str
    """The table's name."""
    variables: tuple[str, ...] = Field(min_length=1)
    """Register variables; several are crossed."""


class Nonresponse(Frozen):
    """Who answered, compared with everyone invited, by register variables.

    `respondents` is the condition that makes an analysed respondent count as linked to the
    register (for example `reg_medlemsnr is_answered`); the R-indicator's response model uses
    `propensity` (default: every variable of the table, as main effects).
    """

    respondents: str | None = None
    """The condition that links an analysed respondent to the register."""
    variables: tuple[NonresponseVariable, ...] = Field(min_length=1)
    """The tables of the analysis."""
    propensity: tuple[str, ...] = ()
    """The R-indicator's model variables (default: every variable of the tables)."""

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
    """The respondents' variable."""
    register_variable: str | None = None
    """A variable of the register with the same categories, counted for the population totals."""
    totals: dict[str, float] | None = None
    """Or the population totals as numbers, per category."""
    source: str | None = None
    """Where `totals` come from (required with them)."""
    unanswered: Literal["error", "keep_share"] = "error"
    """Respondents without a category: `error`, or `keep_share` (their own category keeps its sample
    share)."""


class TrimBounds(Frozen):
    """Bounds for raked weights as multiples of the mean weight."""

    lower: float
    """The smallest weight, as a multiple of the mean weight (0 <= lower < 1)."""
    upper: float
    """The largest, as a multiple of the mean weight (> 1)."""


class Weighting(Frozen):
    """Raking used by `tverrsnitt report --rake`: margins, convergence control and trimming."""

    margins: tuple[RakingMargin, ...] = Field(min_length=1)
    """The raking margins."""
    trim: TrimBounds | None = None
    """Bounds for the raked weights."""
    max_iter: int = Field(default=50, ge=1)
    """The most raking sweeps."""
    epsilon: float = Field(default=1.0, gt=0)
    """Convergence: the largest change of a weighted total."""
    note: str | None = None
    """A paragraph printed with the weight table."""


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

    @cached_property
    def battery_codes(self) -> dict[str, tuple[str, ...]]:
        """Each battery's statement codes, in order (a web page lists a battery by its id)."""
        found: dict[str, list[str]] = {}
        for question in self.questions:
            if question.battery is not None:
                found.setdefault(question.battery, []).append(question.code)
        return {battery: tuple(codes) for battery, codes in found.items()}

    def derived_variable(self, code: str) -> Derived:
        """Look up a derived variable by code."""
        for d in self.derived:
            if d.code == code:
                return d
        raise KeyError(code)

    def comparison(self, code: str) -> Comparison | None:
        """The comparison breakdown named `code`, if any."""
        return next((c for c in self.comparisons if c.code == code), None)

    def not_asked(self, wave: str | None) -> tuple[str, ...]:
        """Codes of the questions `wave` did not ask (questionnaire.yaml `waves`)."""
        if wave is None:
            return ()
        return tuple(q.code for q in self.questions if not q.in_wave(wave).asked)

    def in_wave(self, wave: str | None) -> Study:
        """The study as `wave` asked it: its figures without the items that wave did not ask
        (a figure left with none has no rows and is not printed)."""
        gone = set(self.not_asked(wave))
        if not gone:
            return self
        figures = tuple(f.model_copy(update={"items": tuple(i for i in f.items if i not in gone)})
                        if gone & set(f.items) else f for f in self.figures)
        return self.model_copy(update={"figures": figures})

    def figure(self, figure_id: str) -> Figure:
        """Look up a figure by id (the survey's, or the focus groups' in qual.yaml)."""
        for f in (*self.figures, *self.qual_figures):
            if f.id == figure_id:
                return f
        raise KeyError(figure_id)

    @property
    def qual_figures(self) -> tuple[Figure, ...]:
        """The placement exercise's figures and table (qual.yaml), as report figures."""
        return tuple(_qual_figure(f) for f in self.qual.figures) if self.qual is not None else ()

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


def _qual_figure(spec: QualFigure) -> Figure:
    """The report's view of a placement figure: a Figure whose statistic says how it is drawn."""
    return Figure(id=spec.id, title=spec.title, items=(),
                  statistic="placement" if spec.kind == "placement" else "placement_distances",
                  note=f"{spec.group}:{spec.round}" if spec.kind == "placement" else None)

