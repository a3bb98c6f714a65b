"""Pydantic models of the record format (version 1): types, required and unknown keys, vocabularies.

Two views of one format. `ValidRecord` is the contract: every rule of the format page, each
failure a validation error whose type is its problem code (see `problems.CODES`). `Record`, its
base, is a record as far as it could be read: the top-level tables a view needs may be unknown
(None), lists may be empty, and values that are readable but wrong (an unknown country, a
status not in the list) are kept as written. Views take a `Record`, so a record with errors is
shown with what it says; rules and writers take a `ValidRecord`.

The rules of meaning are relaxed by the validation context's `lenient` flag, so both models
share one definition of each table. Rules that need more than one field or the whole
collection live in `checks.py`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ucap_cli.record import vocab
from ucap_cli.record.countries import find_country, suggest_country
from ucap_cli.record.dates import DateError, PartialDate, padded, parse_partial_date

SCHEMA_VERSION = 1
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
LENIENT = "lenient"  # the validation context's flag: keep readable values that break a rule


def _fail(code: str, message: str, **context: object) -> PydanticCustomError:
    """A validation error whose type is the problem code; `index`/`field` refine its location,
    `fix` is the value meant, when only one can be (what `ucap validate --fix` writes)."""
    # The message goes in as context, not as the template, so braces in record text stay as typed.
    return PydanticCustomError(code, "{message}", {"message": message, **context})


def _fixed(fix: str | None) -> dict[str, str]:
    """The `fix` context of an error, when there is a fix."""
    return {"fix": fix} if fix is not None else {}


def _lenient(info: ValidationInfo) -> bool:
    return bool((info.context or {}).get(LENIENT))


def _partial_date(value: object) -> PartialDate:
    if isinstance(value, PartialDate):
        return value
    try:
        return parse_partial_date(value)
    except DateError as error:
        fix = padded(value) if isinstance(value, str) else None
        raise _fail("E105", str(error), **_fixed(fix)) from None


_DATE_SCHEMA = {
    "type": "string",
    "pattern": r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$",
    "description": 'A partial date: "YYYY", "YYYY-MM", "YYYY-MM-DD" or a TOML local date.',
}

DateField = Annotated[
    PartialDate,
    PlainValidator(_partial_date),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(_DATE_SCHEMA),
]


def _topic(value: str, info: ValidationInfo) -> str:
    official = vocab.match_topic(value)
    if official is not None:
        return official
    if _lenient(info):
        return value
    fix = vocab.suggest_topic_fix(value)
    suggestion = vocab.did_you_mean(fix or vocab.suggest_topic(value))
    raise _fail("E111", f"unknown EU Urban Agenda topic {value!r}{suggestion}", **_fixed(fix))


def _country(value: str, info: ValidationInfo) -> str:
    if find_country(value) is None and not _lenient(info):
        suggestion = vocab.did_you_mean(suggest_country(value))
        raise _fail(
            "E109", f"unknown country {value!r}: expected an ISO 3166-1 name or code{suggestion}"
        )
    return value


def _no_duplicates(values: list[Any], what: str) -> list[Any]:
    seen: set[object] = set()
    for index, value in enumerate(values):
        key = vocab.fold(value) if isinstance(value, str) else value
        if key in seen:
            raise _fail("E107", f"duplicate {what} {value!r}", index=index)
        seen.add(key)
    return values


def _one_of(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        fix = vocab.single_candidate(value, allowed)
        suggestion = vocab.did_you_mean(fix or vocab.closest(value, allowed))
        raise _fail(
            "E112",
            f"must be one of {', '.join(allowed)}, got {value!r}{suggestion}",
            **_fixed(fix),
        )
    return value


def _closed(allowed: tuple[str, ...]) -> Any:
    """The validator of a string from a closed list (E112), lenient reading aside."""

    def check(value: str, info: ValidationInfo) -> str:
        return value if _lenient(info) else _one_of(value, allowed)

    return AfterValidator(check)


def _enum(allowed: tuple[str, ...]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": list(allowed)})


TopicField = Annotated[
    str,
    AfterValidator(_topic),
    Field(json_schema_extra={"examples": list(vocab.URBAN_AGENDA_TOPICS)}),
]
CountryField = Annotated[
    str,
    AfterValidator(_country),
    Field(description="ISO 3166-1 English short name, common name, alpha-2 or alpha-3 code."),
]
SdgField = Annotated[
    int,
    Field(
        ge=1,
        le=17,
        json_schema_extra={"x-labels": {str(n): name for n, name in vocab.SDGS.items()}},
    ),
]
NonEmptyText = Annotated[str, Field(min_length=1)]
_STATUSES, _AGREEMENTS = vocab.ACTIVITY_STATUSES, vocab.AGREEMENT_KINDS
_RESULTS, _ORGANISATIONS = vocab.RESULT_STATUSES, vocab.ORGANISATION_KINDS
ActivityStatus = Annotated[str, _closed(_STATUSES), _enum(_STATUSES)]
AgreementKind = Annotated[str, _closed(_AGREEMENTS), _enum(_AGREEMENTS)]
ResultStatus = Annotated[str, _closed(_RESULTS), _enum(_RESULTS)]
OrganisationKind = Annotated[str, _closed(_ORGANISATIONS), _enum(_ORGANISATIONS)]


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise _fail("E104", "must be one line (no line breaks)")
    return value


OneLine = Annotated[str, Field(min_length=1), AfterValidator(_one_line)]


class _Table(BaseModel):
    # Validators are built when a file is first validated: runs whose files all have cached
    # verdicts never need them.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)


class City(_Table):
    """The lead city or a partner city."""

    name: NonEmptyText = Field(description='As the city writes itself, with accents ("Málaga").')
    short: str | None = Field(None, description='An alias used in activities ("AAK").')
    region: str | None = Field(None, description="Province, state or region.")
    country: CountryField
    population: Annotated[int, Field(gt=0)] | None = None
    area_km2: Annotated[float, Field(gt=0)] | None = None

    def names(self) -> tuple[str, ...]:
        """The name and the alias, if any."""
        return (self.name, self.short) if self.short else (self.name,)


class Period(_Table):
    """When the cooperation runs; no `end` means ongoing."""

    start: DateField
    end: DateField | None = None

    @model_validator(mode="after")
    def _end_not_before_start(self, info: ValidationInfo) -> Period:
        if self.end is not None and self.end.last < self.start.first and not _lenient(info):
            raise _fail(
                "E106", f"{self.end} is before the period's start {self.start}", field="end"
            )
        return self


class Focus(_Table):
    """The key focus of one cooperation theme."""

    theme: NonEmptyText
    text: NonEmptyText


class Agreement(_Table):
    """An agreement signed during an activity; `count` for "signs five MoUs"."""

    kind: AgreementKind
    parties: Annotated[list[str], Field(min_length=1)]
    count: Annotated[int, Field(ge=1)] = 1
    fields: list[str] = Field(default_factory=list)
    title: str | None = None


class Activity(_Table):
    """A dated event of the cooperation: a visit, a signing, a workshop..."""

    date: DateField
    end: DateField | None = None
    kind: str = Field(json_schema_extra={"examples": list(vocab.ACTIVITY_KINDS)})
    title: OneLine
    status: ActivityStatus = "done"
    where: str | None = None
    cities: list[str] = Field(default_factory=list)
    organisations: list[str] = Field(default_factory=list)
    themes: list[str] = Field(default_factory=list)
    summary: str | None = None
    outputs: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)
    agreements: list[Agreement] = Field(default_factory=list)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str, info: ValidationInfo) -> str:
        if _lenient(info):
            return value
        extra = (info.context or {}).get("activity_kinds", ())
        return _one_of(value, (*vocab.ACTIVITY_KINDS, *extra))

    @model_validator(mode="after")
    def _end_not_before_date(self, info: ValidationInfo) -> Activity:
        if self.end is not None and self.end.last < self.date.first and not _lenient(info):
            raise _fail(
                "E106", f"{self.end} is before the activity's date {self.date}", field="end"
            )
        return self

    @property
    def interval_end(self) -> PartialDate:
        """The last partial date the activity covers."""
        return self.end or self.date


class ExpectedResult(_Table):
    """A result the cooperation expects, and how far it got."""

    text: NonEmptyText
    theme: str | None = None
    status: ResultStatus = "planned"
    organisations: list[str] = Field(default_factory=list)


class Organisation(_Table):
    """A government, company, university... taking part."""

    name: NonEmptyText
    kind: OrganisationKind = "other"
    city: str | None = None
    note: str | None = None


# The keys of a record whose values are not validated, and so the only ones under which a
# valid record can nest deeper than the model does (the loader's depth limit relies on it).
FREE_FORM = ("extra",)


class Record(_Table):
    """One U-CAP record as far as it could be read (see the module's docstring).

    `period` and `city` are None when they could not be read; lists are empty when absent.
    """

    model_config = ConfigDict(
        title="U-CAP record",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    schema_version: int = 1
    id: str = ""
    title: str | None = None
    programme: str | None = None
    period: Period | None = None
    themes: list[str] = Field(default_factory=list)
    sdgs: list[SdgField] = Field(default_factory=list)
    urban_agenda: list[TopicField] = Field(default_factory=list)
    contact: str | None = None
    summary: str | None = None
    challenges: list[str] = Field(default_factory=list)
    objectives: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    city: City | None = None
    partners: list[City] = Field(default_factory=list)
    focus: list[Focus] = Field(default_factory=list)
    activities: list[Activity] = Field(default_factory=list)
    expected_results: list[ExpectedResult] = Field(default_factory=list)
    organisations: list[Organisation] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict, description="Free-form; never validated.")

    @property
    def display_title(self) -> str:
        """The title, or "Lead – Partner, Partner, ..." when none is given."""  # noqa: RUF002
        if self.title:
            return self.title
        lead = self.city.name if self.city else "?"
        return f"{lead} – {', '.join(p.name for p in self.partners)}"  # noqa: RUF001

    def cities(self) -> tuple[City, ...]:
        """The lead city (when known) followed by the partners."""
        return (self.city, *self.partners) if self.city else tuple(self.partners)


class ValidRecord(Record):
    """A record that keeps every rule of the format: what `validate` checks against."""

    schema_version: Literal[1] = Field(description="Version of the record format; must be 1.")
    id: str = Field(
        description="Slug equal to the file name without .toml.",
        # In the schema only: the validator below reports E108 with a clear message.
        json_schema_extra={"pattern": f"^{SLUG.pattern}$"},
    )
    period: Period
    themes: Annotated[list[NonEmptyText], Field(min_length=1)]
    city: City
    partners: Annotated[list[City], Field(min_length=1)]

    @field_validator("id")
    @classmethod
    def _id_is_a_slug(cls, value: str) -> str:
        if not SLUG.fullmatch(value):
            raise _fail(
                "E108",
                f"must be a slug of lowercase letters, digits and single hyphens, got {value!r}",
            )
        return value

    @field_validator("themes")
    @classmethod
    def _configured_themes(cls, value: list[str], info: ValidationInfo) -> list[str]:
        _no_duplicates(value, "theme")
        allowed: tuple[str, ...] = tuple((info.context or {}).get("themes") or ())
        if allowed:
            folded = {vocab.fold(t) for t in allowed}
            for index, theme in enumerate(value):
                if vocab.fold(theme) not in folded:
                    fix = vocab.single_candidate(theme, allowed)
                    suggestion = vocab.did_you_mean(fix or vocab.closest(theme, allowed))
                    raise _fail(
                        "E114",
                        f"theme {theme!r} is not in the configured themes{suggestion}",
                        index=index,
                        **_fixed(fix),
                    )
        return value

    @field_validator("sdgs")
    @classmethod
    def _unique_sdgs(cls, value: list[int]) -> list[int]:
        return _no_duplicates(value, "SDG")

    @field_validator("urban_agenda")
    @classmethod
    def _unique_topics(cls, value: list[str]) -> list[str]:
        return _no_duplicates(value, "Urban Agenda topic")

    @field_validator("contact")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL.fullmatch(value):
            raise _fail("E113", f"must be an e-mail address, got {value!r}")
        return value
