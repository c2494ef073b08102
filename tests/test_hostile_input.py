"""Hostile input at every form and filter of the portal: no 500, no live markup, no half-write.

A property test sends generated hostile requests to every target (each form, filter and page
that reads the request; a test checks the URL configuration has no other): huge strings,
control characters (NUL too), HTML and script, SQL fragments, right-to-left overrides and
combining marks, lone surrogates (as the bytes a broken client would send), negative, enormous
and non-finite numbers, impossible dates, wrong content types, oversized and renamed files,
repeated, extra and missing keys, foreign and out-of-range ids in the path. Most fields of a
request stay valid and one to three are spoiled, so hostile text is also accepted and stored,
then read back.
Fixed sweeps add what must hold everywhere, not just where the sampling lands: each field alone
with a NUL, a 10**30 id and a 100,000-character text; each form with every wrong content type;
markup in each stored text field; each renamed or oversized file.

Each case runs in a savepoint that is rolled back: the cases of one target share the world the
fixture built and never see each other's writes. For every case:

- the answer is not a server error, and a redirect never leaves the site;
- no answer and no page showing the stored value carries the payload as live HTML;
- a request that is refused (or only reads) leaves every table exactly as it was;
- an accepted one leaves consistent rows: stored indicator progress matches the measurements,
  the stage and evidence level match their newest records, new rows have history, nothing
  holds a NUL character (PostgreSQL could not store it), files are what their names say, and
  nobody changed another area's pilot.

The number of cases tried is printed at the end of the run: "hostile input: N cases over M
targets".
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import math
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePath
from urllib.parse import urlencode, urlsplit

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files import File
from django.db import connection, transaction
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from simple_history.models import registered_models

from areas.models import Membership
from areas.roles import OFFICIALS_GROUP
from pilots import progress, services
from pilots.dashboard import TABLES
from pilots.exports import FORMULA_STARTS
from pilots.models import (
    Attachment,
    EvidenceRecord,
    Indicator,
    Measurement,
    Pilot,
    PilotUpdate,
    Stage,
)
from pilots.validators import MAX_ATTACHMENT_SIZE, validate_attachment
from tests.factories import (
    TEST_PASSWORD,
    AttachmentFactory,
    IndicatorDefinitionFactory,
    IndicatorFactory,
    MeasurementFactory,
    PartnerFactory,
    PilotFactory,
    PilotUpdateFactory,
    ShareLinkFactory,
    StageDecisionFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

# Examples per target: the whole file runs in about 75 seconds on SQLite.
EXAMPLES = 25
HOSTILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # A failing example is reported as found: shrinking requests this slow takes minutes.
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

CASES: Counter[str] = Counter()


class _CaseSummary:
    """Prints how many hostile cases ran, at the end of the pytest run."""

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if CASES:
            terminalreporter.write_line(
                f"hostile input: {sum(CASES.values())} cases over {len(CASES)} targets"
            )


@pytest.fixture(scope="module", autouse=True)
def _print_case_summary(request):
    manager = request.config.pluginmanager
    if not manager.has_plugin("hostile-input-summary"):
        manager.register(_CaseSummary(), "hostile-input-summary")


# Hostile values ------------------------------------------------------------------------------

MARK = "hx55"  # in every markup payload, so a page that shows one live can be caught
MARKUP = (
    f"<script>{MARK}(1)</script>",
    f'"><script>{MARK}(2)</script>',
    f"'><img src=x onerror={MARK}(3)>",
    f"</textarea></title><svg/onload={MARK}(4)>",
    f'" autofocus onfocus="{MARK}(5)',
    f"javascript:{MARK}(6)",
    f'<a href="javascript:{MARK}(7)">x</a>',
    f"<!--{MARK}--><style>*{{}}</style>",
    f"{{{{ {MARK} }}}}{{% debug %}}",
)
# What a page would contain if it showed one of the payloads above unescaped.
LIVE_MARKUP = (
    f"<script>{MARK}",
    f"<img src=x onerror={MARK}",
    f"<svg/onload={MARK}",
    f'" autofocus onfocus="{MARK}',
    f'<a href="javascript:{MARK}',
    f"<!--{MARK}",
)
JAVASCRIPT_LINK = re.compile(r"""href\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
FORMULAS = (f'=HYPERLINK("https://example.test/{MARK}","x")', f"@SUM(1+1)*{MARK}", f"+{MARK}")
HUGE = "å" * 100_000

HOSTILE_STRINGS = (
    "",
    " ",
    "\t\r\n \u00a0",
    HUGE,
    "<" * 100_000,
    "\x00",
    "nul\x00in the middle",
    "\x01\x02\x03\x1b[31m\x7f\x08",
    "\r\n\r\n\r\n",
    "\u0085\u2028\u2029",
    *MARKUP,
    *FORMULAS,
    "' OR '1'='1",
    "'; DROP TABLE pilots_pilot; --",
    '" OR ""="',
    "1 UNION SELECT username, password FROM auth_user --",
    "%",
    "_",
    "\\",
    "%(title)s %s {0} %d",
    "\u202egnp.exe",
    "abc\u202edef\u202c",
    "\u200b\u200d\ufeff",
    "e" + "\u0301" * 300,
    "Z\u0337\u0321\u031ba\u0338l\u0334g\u0335o\u0336",
    "\U0001d573\U0001d58a\U0001d58f \U0001f1f8\U0001f1ea",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467",
    "\ud800",
    "x\udfffy",
    "\U0010ffff\ufffe\uffff",
    "../../../etc/passwd",
    "null",
    "None",
    "[]",
    '{"a": 1}',
    "-1",
    "0",
    "-0",
    "+1",
    "1e308",
    "-1e308",
    "1e309",
    str(10**30),
    "NaN",
    "nan",
    "-inf",
    "inf",
    "Infinity",
    "0x1F",
    "1_000",
    "\u0661\u0662\u0663",
    "\u0663,\u0665",
    "1,5",
    "12 345,67",
    "9" * 400,
    "2147483648",
    "9223372036854775808",
    "-9223372036854775809",
    "0E-1000000",
    "1E+1000000000000000000",
    "2026-02-30",
    "0000-00-00",
    "99999-01-01",
    "9999-12-31",
    "0001-01-01",
    "1899-12-31",
    "2026-13-01",
    "2026-02-28T25:61",
    "30/02/2026",
    "2026-W09",
    "today",
)

odd_text = st.text(
    st.characters(categories=["Cc", "Cf", "Cs", "Mn", "Zl", "Zp", "Co", "Lo", "Nd", "Sm"]),
    max_size=40,
)
numbers = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
dates = st.one_of(
    st.dates().map(str),
    st.tuples(
        st.integers(min_value=-10, max_value=100_000),
        st.integers(min_value=-1, max_value=14),
        st.integers(min_value=-1, max_value=40),
    ).map(lambda parts: "{:04d}-{:02d}-{:02d}".format(*parts)),
)
hostile_text = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    st.sampled_from(HOSTILE_STRINGS),
    odd_text,
    st.text(max_size=60),
    numbers,
    dates,
)


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes
    content_type: str = "application/octet-stream"


PDF = b"%PDF-1.4\n%synthetic report\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run"
HTML = f"<!doctype html><html><body><script>{MARK}()</script></body></html>".encode()
SVG = f'<svg xmlns="http://www.w3.org/2000/svg" onload="{MARK}()"/>'.encode()


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


ZIP_NOT_OFFICE = _zip({"readme.txt": b"not a document"})
XLSX_GARBAGE = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<<<not xml"})
HOSTILE_UPLOADS = (
    Upload("report.pdf", EXE),
    Upload("report.pdf", HTML, "text/html"),
    Upload("report.png", SVG, "image/svg+xml"),
    Upload("bild.csv", PNG, "image/png"),
    Upload("program.exe", EXE),
    Upload("report.pdf.exe", PDF),
    Upload("report.html", HTML, "text/html"),
    Upload("page.txt", b"text with a NUL \x00 inside"),
    Upload("report.docx", ZIP_NOT_OFFICE),
    Upload("table.xlsx", XLSX_GARBAGE),
    Upload("report.pdf", b""),
    Upload("", PDF),
    Upload(".pdf", PDF),
    Upload("../../../../etc/passwd.pdf", PDF),
    Upload("..\\..\\boot.ini.pdf", PDF),
    Upload("rapport\u202efdp.exe", EXE),
    Upload(f"<script>{MARK}()</script>.pdf", PDF),
    Upload("a" * 1000 + ".pdf", PDF),
    Upload("nul\x00.pdf", PDF),
    Upload("x\ud800.pdf", PDF),
    Upload("report.pdf", b"%PDF-1.4\n" + b"0" * (MAX_ATTACHMENT_SIZE + 1 - 9)),
)


def _csv(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


@functools.cache
def hostile_import_files(code: str) -> tuple[Upload, ...]:
    header = "indicator;period_end;value;note"
    return (
        *HOSTILE_UPLOADS[:12],
        Upload("matningar.csv", _csv(header, f"{code};2025-04-30;17;{MARKUP[0]}")),
        Upload("matningar.csv", _csv(header, f"{code};2025-04-30;17;{FORMULAS[0]}")),
        Upload("matningar.csv", _csv(header, f"{code};2026-02-30;1e308;x")),
        Upload("matningar.csv", _csv(header, f"{code};0000-00-00;NaN;x")),
        Upload("matningar.csv", _csv(header, f"{code};99999-01-01;-inf;x")),
        Upload("matningar.csv", _csv(header, f"{code};2025-04-30;{10**30};x")),
        Upload("matningar.csv", _csv(header, f"{code};2025-04-30;17;nul\x00")),
        Upload("matningar.csv", _csv(header, "'; DROP TABLE x; --;2025-04-30;1;x")),
        Upload("matningar.csv", _csv(header, f"{code};2025-04-30;17;" + "å" * 100_000)),
        Upload("matningar.csv", _csv(header, f'{code};2025-04-30;17;"never closed')),
        Upload("matningar.csv", _csv(header, *[f"{code};2025-04-30;1;twice"] * 2)),
        Upload("matningar.csv", "\ufeffindikator;periodslut;värde\n".encode("utf-16")),
        Upload("matningar.csv", b"indicator;period_end;value\n\xff\xfe\xfd;\x81;\x9d\n"),
        Upload("matningar.csv", b"sep=;\n"),
        Upload("matningar.csv", _csv(header, *[f"{code};2025-04-30;1;x"] * 6000)),
        Upload("matningar.csv", _csv(";".join(["indicator"] * 60))),
        Upload("matningar.csv", b"x" * (2 * 1024 * 1024 + 1)),
    )


# The world -----------------------------------------------------------------------------------


@dataclass
class World:
    """What the hostile requests aim at: a Seved pilot with everything on it, and a foreign one."""

    users: dict[str, object]
    seved: object
    lindangen: object
    theme: object
    partner: object
    pilot: Pilot
    indicator: Indicator
    measurement: Measurement
    attachment: Attachment
    link: object
    free_definition: object
    foreign: Pilot
    foreign_indicator: Indicator
    foreign_measurement: Measurement
    foreign_attachment: Attachment
    foreign_link: object


@pytest.fixture
def world(make_user, seved, lindangen, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    staff = make_user("staff-seved", area=seved)
    lead = make_user("lead-seved", area=seved, role=Membership.Role.LEAD)
    users = {
        "staff": staff,
        "lead": lead,
        "adapter": make_user("staff-lindangen", area=lindangen),
        "official": make_user("official", groups=[OFFICIALS_GROUP]),
    }
    admin = make_user("superuser")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    users["admin"] = admin
    theme, partner = ThemeFactory(), PartnerFactory()
    pilot = PilotFactory(
        area=seved,
        title="Läxhjälp i Seved",
        stage=Stage.PILOT,
        evidence_level=2,
        lead=staff,
        start_date=dt.date(2025, 1, 1),
        lessons="Kvällar fungerar bäst.",
    )
    pilot.themes.add(theme)
    pilot.partners.add(partner)
    # With a decision and an evidence record on file, a stage or level changed any other way
    # shows up as an inconsistency.
    StageDecisionFactory(pilot=pilot, from_stage=Stage.PROTOTYPE, to_stage=Stage.PILOT)
    EvidenceRecord.objects.create(pilot=pilot, level=2, previous_level=1, method_note="Enkät.")
    definition = IndicatorDefinitionFactory(code="hostile-reached", unit="personer")
    indicator = IndicatorFactory(pilot=pilot, definition=definition)
    measurement = MeasurementFactory(indicator=indicator, period_end=dt.date(2025, 1, 31))
    services.indicator_refresh(indicator=indicator)
    PilotUpdateFactory(pilot=pilot, author=staff)
    foreign = PilotFactory(area=lindangen, title="Jobbmatchning i Lindängen")
    foreign_indicator = IndicatorFactory(pilot=foreign, definition=definition)
    foreign_measurement = MeasurementFactory(
        indicator=foreign_indicator, period_end=dt.date(2025, 1, 31)
    )
    services.indicator_refresh(indicator=foreign_indicator)
    return World(
        users=users,
        seved=seved,
        lindangen=lindangen,
        theme=theme,
        partner=partner,
        pilot=pilot,
        indicator=indicator,
        measurement=measurement,
        attachment=AttachmentFactory(pilot=pilot, is_public=True, uploaded_by=staff),
        link=ShareLinkFactory(pilot=pilot, created_by=staff),
        free_definition=IndicatorDefinitionFactory(code="hostile-free"),
        foreign=foreign,
        foreign_indicator=foreign_indicator,
        foreign_measurement=foreign_measurement,
        foreign_attachment=AttachmentFactory(pilot=foreign, is_public=True),
        foreign_link=ShareLinkFactory(pilot=foreign),
    )


# Targets -------------------------------------------------------------------------------------

# Where a path names a pilot (and an object on it): mostly the user's own, sometimes another
# area's, a mix of the two (a pilot with another pilot's object), or one that does not exist.
PATH_VARIANTS = ("own",) * 7 + ("foreign", "mixed", "missing")
MISSING_PK = 10**30


def _pilot_path(world: World, variant: str) -> str:
    return {"foreign": world.foreign.slug, "missing": "no-such-pilot-" + "x" * 300}.get(
        variant, world.pilot.slug
    )


def _object_path(world: World, variant: str, name: str) -> int:
    if variant == "missing":
        return MISSING_PK
    if variant in ("foreign", "mixed"):
        return getattr(world, f"foreign_{name}").pk
    return getattr(world, name).pk


def on_pilot(url_name: str, obj: str | None = None) -> Callable[[World, str], str]:
    def build(world: World, variant: str) -> str:
        args: list[object] = [_pilot_path(world, variant)]
        if obj is not None:
            args.append(_object_path(world, variant, obj))
        return reverse(url_name, args=args)

    return build


def fixed(url_name: str, **kwargs: object) -> Callable[[World, str], str]:
    return lambda world, variant: reverse(url_name, kwargs=kwargs)


def pilot_fields(world: World) -> dict[str, object]:
    return {
        "title": "Läxhjälp på biblioteket",
        "area": str(world.seved.pk),
        "need": "Barn saknar en lugn plats för läxor.",
        "summary": "Två kvällar i veckan.",
        "approach": "Studenter hjälper till.",
        "target_group": "Barn i årskurs 4–9",
        "themes": [str(world.theme.pk)],
        "partners": [str(world.partner.pk)],
        "start_date": "2025-01-01",
        "end_date": "2025-12-31",
        "budget_sek": "50000",
        "participants_reached": "40",
        "lead": str(world.users["staff"].pk),
        "lessons": "Kvällar fungerar bäst.",
    }


def list_filters(world: World) -> dict[str, object]:
    return {
        "q": "läxhjälp",
        "area": "seved",
        "stage": "pilot",
        "theme": world.theme.slug,
        "evidence_level": "2",
        "sort": "-title",
        "page": "1",
    }


def import_file(world: World) -> Upload:
    code = world.indicator.definition.code
    return Upload(
        "matningar.csv", _csv("indicator;period_end;value;note", f"{code};2025-04-30;17;x")
    )


def _preview_import(client: Client, world: World) -> dict[str, object]:
    """Upload a good file first, so that the confirmation has a real import to confirm."""
    response = client.post(
        reverse("pilots:import", args=[world.pilot.slug]),
        {"file": File(io.BytesIO(import_file(world).content), name="matningar.csv")},
    )
    return {"import_id": response.context["import_id"]}


@dataclass(frozen=True)
class Target:
    """One form or filter: where it is, who uses it, and a request it accepts."""

    name: str
    url: Callable[[World, str], str]
    user: str | None
    fields: Callable[[World], dict[str, object]]
    method: str = "POST"
    # Other values each field might wrongly get: ids of other areas' rows, taken choices...
    wrong: Callable[[World], dict[str, list[str]]] = lambda world: {}
    # Pages that show what an accepted request stored.
    display: Callable[[World], list[str]] = lambda world: []
    # Fields of the user's own pilot that an accepted request may change besides its texts.
    changes: frozenset[str] = frozenset()
    # Fields whose text is stored and shown again (a prefix before "-" is ignored).
    texts: tuple[str, ...] = ()
    path_variants: tuple[str, ...] = ("own",)
    # Makes fields whose valid value depends on an earlier request (the import's id).
    prepare: Callable[[Client, World], dict[str, object]] | None = None
    # Keeps a value from a known failure outside this file's reach (see the end of the file).

    @property
    def writes(self) -> bool:
        return self.method == "POST"


def detail(world: World) -> str:
    return world.pilot.get_absolute_url()


def share_page(world: World) -> str:
    return reverse("share", args=[world.link.token])


def pilot_pages(world: World) -> list[str]:
    return [
        detail(world),
        reverse("pilots:list"),
        share_page(world),
        reverse("pilots:card", args=[world.pilot.slug]),
        reverse("compare") + f"?pilots={world.pilot.slug}&pilots={world.foreign.slug}",
        reverse("pilots:export-csv"),
    ]


def indicator_pages(world: World) -> list[str]:
    return [
        detail(world),
        share_page(world),
        reverse("pilots:history", args=[world.pilot.slug]),
        reverse("compare") + f"?indicator={world.indicator.definition.code}",
    ]


def version(model: type, pk: int) -> str:
    return str(model.objects.values_list("version", flat=True).get(pk=pk))


def measurement_create_fields(world: World) -> dict[str, object]:
    prefix = f"m{world.indicator.pk}-"
    return {
        f"{prefix}period_end": "2025-03-31",
        f"{prefix}value": "15",
        f"{prefix}note": "Från närvarolistan.",
    }


def token(world: World, which: str) -> str:
    if which == "valid":
        return world.link.token
    if which == "revoked":
        return world.foreign_link.token[:-1] + "!"
    if which == "shape":
        return "<script>'\"%00"
    return "A" * 5000


TARGETS = (
    Target(
        "pilot-create",
        fixed("pilots:create"),
        "staff",
        pilot_fields,
        wrong=lambda w: {
            "area": [str(w.lindangen.pk)],
            "lead": [str(w.users["adapter"].pk), str(w.users["official"].pk)],
        },
        display=pilot_pages,
        texts=("title", "need", "summary", "approach", "target_group", "lessons"),
    ),
    Target(
        "pilot-edit",
        on_pilot("pilots:edit"),
        "staff",
        lambda w: pilot_fields(w) | {"version": version(Pilot, w.pilot.pk)},
        wrong=lambda w: {"area": [str(w.lindangen.pk)], "version": ["0", "2", "-5"]},
        display=lambda w: [*pilot_pages(w), reverse("pilots:history", args=[w.pilot.slug])],
        path_variants=PATH_VARIANTS,
        texts=("title", "need", "summary", "approach", "target_group", "lessons"),
    ),
    Target(
        "pilot-archive",
        on_pilot("pilots:archive"),
        "lead",
        lambda w: {"confirm": "on"},
        display=lambda w: [detail(w)],
        changes=frozenset({"archived_at", "version"}),
        path_variants=PATH_VARIANTS,
    ),
    Target(
        "stage",
        on_pilot("pilots:stage"),
        "lead",
        lambda w: {
            "to_stage": "scaling",
            "decision": "go",
            "rationale": "Mätningarna visar att det fungerar.",
            "version": version(Pilot, w.pilot.pk),
        },
        wrong=lambda w: {
            "to_stage": ["pilot", "prototype", "stopped", "mainstreamed", "idea"],
            "decision": ["iterate", "stop"],
        },
        display=lambda w: [
            detail(w),
            reverse("pilots:history", args=[w.pilot.slug]),
            reverse("library"),
        ],
        changes=frozenset({"stage", "version"}),
        path_variants=PATH_VARIANTS,
        texts=("rationale",),
    ),
    Target(
        "evidence",
        on_pilot("pilots:evidence"),
        "lead",
        lambda w: {
            "evidence_level": "3",
            "method_note": "Jämförelse med en kontrollgrupp.",
            "evidence_links": "https://example.test/rapport",
            "attachment": str(w.attachment.pk),
            "version": version(Pilot, w.pilot.pk),
        },
        wrong=lambda w: {
            "evidence_level": ["1", "2", "5", "6"],
            "attachment": [str(w.foreign_attachment.pk)],
            "evidence_links": [f"javascript:{MARK}()", "ftp://example.test/x", "https://" * 40],
        },
        display=lambda w: [detail(w), reverse("pilots:evidence", args=[w.pilot.slug])],
        changes=frozenset({"evidence_level", "version"}),
        path_variants=PATH_VARIANTS,
        texts=("method_note",),
    ),
    Target(
        "indicator-create",
        on_pilot("pilots:indicator-create"),
        "staff",
        lambda w: {
            "definition": str(w.free_definition.pk),
            "baseline_value": "10",
            "baseline_date": "2025-01-01",
            "target_value": "20",
            "target_date": "2025-12-31",
        },
        wrong=lambda w: {"definition": [str(w.indicator.definition_id)]},
        display=indicator_pages,
        path_variants=PATH_VARIANTS,
    ),
    Target(
        "indicator-edit",
        on_pilot("pilots:indicator-edit", "indicator"),
        "staff",
        lambda w: {
            "definition": str(w.indicator.definition_id),
            "baseline_value": "8",
            "baseline_date": "2025-01-01",
            "target_value": "30",
            "target_date": "2025-12-31",
            "version": version(Indicator, w.indicator.pk),
        },
        wrong=lambda w: {"definition": [str(w.free_definition.pk)], "version": ["0", "99"]},
        display=indicator_pages,
        path_variants=PATH_VARIANTS,
    ),
    Target(
        "indicator-delete",
        on_pilot("pilots:indicator-delete", "indicator"),
        "staff",
        lambda w: {"confirm": "yes"},
        display=indicator_pages,
        path_variants=PATH_VARIANTS,
    ),
    Target(
        "measurement-create",
        on_pilot("pilots:measurement-create", "indicator"),
        "staff",
        measurement_create_fields,
        wrong=lambda w: {f"m{w.indicator.pk}-period_end": ["2025-01-31"]},
        display=indicator_pages,
        path_variants=PATH_VARIANTS,
        texts=("note",),
    ),
    Target(
        "measurement-edit",
        on_pilot("pilots:measurement-edit", "measurement"),
        "staff",
        lambda w: {
            "period_end": "2025-02-28",
            "value": "13.5",
            "note": "Rättad.",
            "version": version(Measurement, w.measurement.pk),
        },
        wrong=lambda w: {"version": ["0", "7"], "value": ["13,5", "1 000", "1.000,5"]},
        display=indicator_pages,
        path_variants=PATH_VARIANTS,
        texts=("note",),
    ),
    Target(
        "measurement-delete",
        on_pilot("pilots:measurement-delete", "measurement"),
        "staff",
        lambda w: {"confirm": "yes"},
        display=indicator_pages,
        path_variants=PATH_VARIANTS,
    ),
    Target(
        "import",
        on_pilot("pilots:import"),
        "staff",
        lambda w: {"file": import_file(w)},
        path_variants=PATH_VARIANTS,
    ),
    Target(
        "import-confirm",
        on_pilot("pilots:import-confirm"),
        "staff",
        lambda w: {},
        prepare=_preview_import,
        wrong=lambda w: {"import_id": ["", "x" * 64, "../" * 20]},
        display=indicator_pages,
        path_variants=PATH_VARIANTS,
    ),
    Target(
        "update-create",
        on_pilot("pilots:update-create"),
        "staff",
        lambda w: {"kind": "lesson", "body": "Föräldrarna kom när vi bjöd på fika."},
        wrong=lambda w: {"kind": ["progress", "obstacle", "decision", "other"]},
        display=lambda w: [detail(w), reverse("dashboard"), share_page(w)],
        path_variants=PATH_VARIANTS,
        texts=("body",),
    ),
    Target(
        "attachment-create",
        on_pilot("pilots:attachment-create"),
        "lead",  # a member who may also open the evidence page that lists the files
        lambda w: {
            "file": Upload("rapport.pdf", PDF, "application/pdf"),
            "title": "Utvärdering våren 2025",
            "is_public": "on",
        },
        display=lambda w: [
            detail(w),
            share_page(w),
            reverse("pilots:evidence", args=[w.pilot.slug]),
        ],
        path_variants=PATH_VARIANTS,
        texts=("title",),
    ),
    Target(
        "adapt",
        on_pilot("pilots:adapt"),
        "adapter",
        lambda w: {
            "area": str(w.lindangen.pk),
            "title": "Läxhjälp i Lindängen",
            "need": "Barn i Lindängen saknar en lugn plats för läxor.",
            "summary": "",
            "approach": "På biblioteket.",
            "target_group": "Barn i årskurs 4–9",
            "themes": [str(w.theme.pk)],
            "adaptation_notes": "Vi behåller läxhjälpen men flyttar den till biblioteket.",
            "bring_partners": "on",
        },
        wrong=lambda w: {"area": [str(w.seved.pk), "0"]},
        display=lambda w: [
            *pilot_pages(w),
            reverse("library"),
            reverse("pilots:list") + "?area=lindangen",
        ],
        path_variants=("own", "own", "own", "missing"),
        texts=("title", "need", "summary", "approach", "target_group", "adaptation_notes"),
    ),
    Target(
        "share-create",
        on_pilot("pilots:share"),
        "staff",
        lambda w: {"expires_at": (timezone.localdate() + dt.timedelta(days=10)).isoformat()},
        wrong=lambda w: {
            "expires_at": [
                timezone.localdate().isoformat(),
                (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
                (timezone.localdate() + dt.timedelta(days=366)).isoformat(),
            ]
        },
        display=lambda w: [reverse("pilots:share", args=[w.pilot.slug]), share_page(w)],
        path_variants=PATH_VARIANTS,
    ),
    Target(
        "share-revoke",
        on_pilot("pilots:share-revoke", "link"),
        "staff",
        lambda w: {"confirm": "yes"},
        display=lambda w: [reverse("pilots:share", args=[w.pilot.slug])],
        path_variants=PATH_VARIANTS,
    ),
    Target(
        "login",
        fixed("login"),
        None,
        lambda w: {"username": "staff-seved", "password": TEST_PASSWORD, "next": "/pilots/"},
        wrong=lambda w: {"next": ["//evil.example/", "https://evil.example/", "/\\evil.example"]},
    ),
    Target(
        "password-change",
        fixed("password_change"),
        "staff",
        lambda w: {
            "old_password": TEST_PASSWORD,
            "new_password1": "Ett nytt lösenord för testet 2025",
            "new_password2": "Ett nytt lösenord för testet 2025",
        },
        wrong=lambda w: {"new_password1": ["kort", "12345678901234", "staff-seved-2025"]},
    ),
    Target(
        "logout",
        fixed("logout"),
        "staff",
        lambda w: {"next": "/pilots/"},
        wrong=lambda w: {"next": ["//evil.example/", "https://evil.example/", "/\\evil.example"]},
    ),
    Target(
        "password-reset",
        fixed("password_reset"),
        None,
        lambda w: {"email": "staff-seved@example.test"},
    ),
    Target(
        "set-language",
        fixed("set_language"),
        "staff",
        lambda w: {"language": "en", "next": "/pilots/"},
        wrong=lambda w: {
            "language": ["sv", "de", "en-us"],
            "next": ["//evil.example/", "https://evil.example/", f"javascript:{MARK}()"],
        },
    ),
    # Filters and pages that read the query string.
    Target("home", fixed("home"), "staff", lambda w: {"page": "1"}, method="GET"),
    Target(
        "pilot-list",
        fixed("pilots:list"),
        "official",
        list_filters,
        method="GET",
        wrong=lambda w: {"sort": ["title", "area", "-updated", "start", "pk", "-password"]},
    ),
    Target("export-csv", fixed("pilots:export-csv"), "official", list_filters, method="GET"),
    Target("export-xlsx", fixed("pilots:export-xlsx"), "official", list_filters, method="GET"),
    Target(
        "pilot-detail",
        on_pilot("pilots:detail"),
        "staff",
        lambda w: {"journal_page": "1"},
        method="GET",
        path_variants=PATH_VARIANTS,
    ),
    Target(
        "history",
        on_pilot("pilots:history"),
        "official",
        lambda w: {"page": "1"},
        method="GET",
        path_variants=PATH_VARIANTS,
    ),
    Target(
        "card",
        on_pilot("pilots:card"),
        "official",
        lambda w: {},
        method="GET",
        path_variants=PATH_VARIANTS,
    ),
    Target(
        "attachment-download",
        on_pilot("pilots:attachment-download", "attachment"),
        "official",
        lambda w: {},
        method="GET",
        path_variants=PATH_VARIANTS,
    ),
    Target(
        "dashboard",
        fixed("dashboard"),
        "official",
        lambda w: {
            "date_from": "2025-01-01",
            "date_to": "2025-12-31",
            "theme": w.theme.slug,
            "municipality": "Malmö",
        },
        method="GET",
    ),
    Target(
        "dashboard-csv",
        lambda w, table: reverse("dashboard-table-csv", kwargs={"table": table}),
        "official",
        lambda w: {"date_from": "2025-01-01", "theme": w.theme.slug},
        method="GET",
        path_variants=(*TABLES, "no-such-table", "x" * 300),
    ),
    Target(
        "compare-pilots",
        fixed("compare"),
        "official",
        lambda w: {"pilots": [w.pilot.slug, w.foreign.slug], "action": "compare"},
        method="GET",
        wrong=lambda w: {"pilots": [w.pilot.slug] * 7, "action": ["search", "", "x"]},
    ),
    Target(
        "compare-indicator",
        fixed("compare"),
        "official",
        lambda w: {
            "indicator": w.indicator.definition.code,
            "area": "seved",
            "q": "läxhjälp",
            "page": "1",
        },
        method="GET",
        wrong=lambda w: {"area": ["herrgarden", "no-such-area"], "indicator": ["hostile-free"]},
    ),
    Target(
        "library",
        fixed("library"),
        "official",
        lambda w: {
            "q": "läxhjälp",
            "theme": w.theme.slug,
            "area": "seved",
            "target_group": "barn",
            "page": "1",
            "stopped_page": "1",
        },
        method="GET",
    ),
    Target(
        "library-export-json", fixed("library-export-json"), "official", lambda w: {}, method="GET"
    ),
    Target(
        "library-export-csv", fixed("library-export-csv"), "official", lambda w: {}, method="GET"
    ),
    Target("area-list", fixed("areas:list"), "staff", lambda w: {}, method="GET"),
    Target("accessibility", fixed("accessibility"), None, lambda w: {}, method="GET"),
    Target(
        "area-detail",
        lambda w, slug: reverse("areas:detail", args=[slug]),
        "official",
        lambda w: {},
        method="GET",
        path_variants=("seved", "seved", "no-such-area", "x" * 300),
    ),
    Target(
        "share-page",
        lambda w, which: reverse("share", args=[token(w, which)]),
        None,
        lambda w: {"language": "en"},
        method="GET",
        path_variants=("valid", "valid", "revoked", "shape", "long"),
    ),
    Target(
        "share-attachment",
        lambda w, v: reverse(
            "share-attachment",
            args=[w.link.token, _object_path(w, v, "attachment")],
        ),
        None,
        lambda w: {},
        method="GET",
        path_variants=PATH_VARIANTS,
    ),
    Target(
        "password-reset-confirm",
        lambda w, v: reverse("password_reset_confirm", args=["MQ", "set-password"]),
        None,
        lambda w: {},
        method="GET",
    ),
    Target(
        "admin-pilots",
        fixed("admin:pilots_pilot_changelist"),
        "admin",
        lambda w: {
            "q": "läxhjälp",
            "stage__exact": "pilot",
            "area__id__exact": str(w.seved.pk),
            "all": "",
        },
        method="GET",
        wrong=lambda w: {"o": ["1", "-2.3", "99", "x"], "p": ["0", "-1", "2"], "e": ["1"]},
    ),
)


# URLs that read nothing from the request but the user; each other URL is a target above.
NO_INPUT = {
    "password_change_done",
    "password_reset_done",
    "password_reset_complete",
    "healthz-live",
    "healthz-ready",
}


def _url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


# Sending -------------------------------------------------------------------------------------


@dataclass
class HostileRequest:
    method: str
    url: str
    pairs: list[tuple[str, str]] = field(default_factory=list)
    files: list[tuple[str, Upload]] = field(default_factory=list)
    shape: str = "multipart"
    raw_query: str = ""
    headers: dict[str, str] = field(default_factory=dict)


BOUNDARY = "hostile-boundary-7f3a9c"
MASS_ASSIGNMENT = (
    ("stage", "mainstreamed"),
    ("evidence_level", "5"),
    ("archived_at", "2020-01-01"),
    ("slug", "kapad"),
    ("id", "1"),
    ("pk", "1"),
    ("created_by", "1"),
    ("recorded_by", "1"),
    ("token", "abc"),
    ("revoked_at", "2020-01-01"),
    ("is_superuser", "on"),
    ("adapted_from", "1"),
    ("csrfmiddlewaretoken", "x"),
    ("_method", "DELETE"),
)
WRONG_SHAPES = (
    "json",
    "text",
    "xml",
    "multipart-no-boundary",
    "multipart-truncated",
    "flood",
    "empty",
)
POST_SHAPES = ("multipart",) * 5 + ("urlencoded",) * 4 + WRONG_SHAPES
GET_SHAPES = ("query",) * 9 + ("raw",)
RAW_QUERIES = (
    "%",
    "%zz=%",
    "%ff%fe=%c0%af",
    "&&&==&=",
    "q",
    "q=%00",
    "page=%ED%A0%80",
    "a=" * 2000,
)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "HTTP_ACCEPT_LANGUAGE": st.sampled_from(["en", "*", "x" * 5000, "sv;q=NaN,en;q=-1"]),
        "HTTP_REFERER": st.sampled_from(["https://evil.example/", f"javascript:{MARK}()", "%"]),
        "HTTP_X_FORWARDED_FOR": st.sampled_from(["1.2.3.4, 5.6.7.8", "<script>", "::1" * 100]),
        "HTTP_HX_REQUEST": st.just("true"),
    },
)


def _bytes(text: str) -> bytes:
    # Lone surrogates cannot be UTF-8; this sends the bytes a careless client would.
    return text.encode("utf-8", "surrogatepass")


def _header_text(text: str) -> bytes:
    return _bytes(text.replace('"', "%22").replace("\r", "").replace("\n", ""))


def _multipart(pairs: list[tuple[str, str]], files: list[tuple[str, Upload]]) -> bytes:
    parts = []
    for name, value in pairs:
        parts.append(
            b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
            % (BOUNDARY.encode(), _header_text(name), _bytes(value))
        )
    for name, upload in files:
        parts.append(
            b'--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
            b"Content-Type: %s\r\n\r\n%s\r\n"
            % (
                BOUNDARY.encode(),
                _header_text(name),
                _header_text(upload.name),
                upload.content_type.encode(),
                upload.content,
            )
        )
    return b"".join(parts) + b"--%s--\r\n" % BOUNDARY.encode()


def _urlencoded(pairs: list[tuple[str, str]]) -> str:
    return urlencode(pairs, encoding="utf-8", errors="surrogatepass")


def send(client: Client, request: HostileRequest):
    extra = dict(request.headers)
    if request.method in ("GET", "HEAD"):
        query = _urlencoded(request.pairs)
        if request.raw_query:
            query = f"{query}&{request.raw_query}" if query else request.raw_query
        return client.generic(
            request.method, f"{request.url}?{query}" if query else request.url, **extra
        )
    shape = request.shape
    if shape == "multipart":
        body = _multipart(request.pairs, request.files)
        content_type = f"multipart/form-data; boundary={BOUNDARY}"
    elif shape == "multipart-no-boundary":
        body, content_type = _multipart(request.pairs, request.files), "multipart/form-data"
    elif shape == "multipart-truncated":
        body = _multipart(request.pairs, request.files)[:-40]
        content_type = f"multipart/form-data; boundary={BOUNDARY}"
    elif shape == "json":
        payload: dict[str, list[str]] = {}
        for name, value in request.pairs:
            payload.setdefault(name, []).append(value)
        body = _bytes(json.dumps(payload, ensure_ascii=False))
        content_type = "application/json"
    elif shape == "flood":
        # More fields than Django parses (DATA_UPLOAD_MAX_NUMBER_FIELDS).
        body = _urlencoded(request.pairs + [("themes", "1")] * 1200).encode()
        content_type = "application/x-www-form-urlencoded"
    elif shape == "empty":
        body, content_type = b"", "application/x-www-form-urlencoded"
    elif shape == "xml":
        body, content_type = (
            b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'a'>]><x>&a;</x>",
            "text/xml",
        )
    else:  # "urlencoded" and "text": the same body, the second under a wrong content type
        body = _urlencoded(request.pairs).encode()
        content_type = (
            "application/x-www-form-urlencoded" if shape == "urlencoded" else "text/plain"
        )
    return client.generic(request.method, request.url, body, content_type, **extra)


def draw_request(data: st.DataObject, target: Target, world: World, valid: dict) -> HostileRequest:
    """Most fields valid, one to three spoiled: hostile, missing, repeated or wrong."""
    variant = data.draw(st.sampled_from(target.path_variants), label="path")
    request = HostileRequest(method=target.method, url=target.url(world, variant))
    wrong = target.wrong(world)
    names = sorted(set(valid) | set(wrong))
    spoiled = (
        data.draw(st.sets(st.sampled_from(names), min_size=1, max_size=min(3, len(names))))
        if names
        else set()
    )
    for name in names:
        value = valid.get(name)
        if name in spoiled:
            how = data.draw(
                st.sampled_from(["hostile"] * 5 + ["missing", "repeated"] + ["wrong"] * 2),
                label=f"{name}:how",
            )
            if how == "wrong" and wrong.get(name):
                value = data.draw(st.sampled_from(wrong[name]), label=name)
            elif how == "missing":
                continue
            elif how == "repeated":
                value = [*data.draw(st.lists(hostile_text, min_size=1, max_size=3)), value]
            elif isinstance(value, Upload):
                pool = (
                    HOSTILE_UPLOADS
                    if target.name != "import"
                    else hostile_import_files(world.indicator.definition.code)
                )
                value = data.draw(st.sampled_from(pool) | hostile_text, label=name)
            else:
                value = data.draw(hostile_text, label=name)
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Upload):
                request.files.append((name, item))
            elif item is not None:
                request.pairs.append((name, str(item)))
    if target.method == "POST":
        extras = data.draw(st.lists(st.sampled_from(MASS_ASSIGNMENT), max_size=2), label="extra")
        request.pairs.extend(extras)
        request.shape = data.draw(st.sampled_from(POST_SHAPES), label="shape")
        request.method = data.draw(
            st.sampled_from(["POST"] * 12 + ["PUT", "PATCH", "DELETE"]), label="method"
        )
        if request.files and request.shape != "multipart":
            # Files need multipart: most of the time keep them, otherwise they go missing.
            request.shape = data.draw(st.sampled_from(["multipart", request.shape]))
    else:
        request.shape = data.draw(st.sampled_from(GET_SHAPES), label="shape")
        if request.shape == "raw":
            request.raw_query = data.draw(st.sampled_from(RAW_QUERIES), label="raw")
        request.method = data.draw(st.sampled_from(["GET"] * 10 + ["HEAD", "POST"]))
    request.headers = data.draw(HEADERS, label="headers")
    return request


# Checks --------------------------------------------------------------------------------------

# Tables the portal writes outside of the forms' work: sessions and the login attempt log.
UNWATCHED_APPS = {"sessions", "axes"}


def watched_models() -> list[type]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in UNWATCHED_APPS and not model._meta.proxy
    ]


Snapshot = dict[type, dict[object, tuple]]


def snapshot() -> Snapshot:
    """Every row of every watched table, read with plain SQL (the ORM's compiling is the slow part
    of reading some thirty tables before and after each case)."""
    with connection.cursor() as cursor:
        tables = {}
        for model, sql in _snapshot_queries().items():
            cursor.execute(sql)
            tables[model] = {row[0]: row for row in cursor.fetchall()}
    return tables


@functools.cache
def _snapshot_queries() -> dict[type, str]:
    quote_name = connection.ops.quote_name
    return {
        # Table and column names from the models' metadata; no input reaches this SQL.
        model: "SELECT {}, {} FROM {}".format(  # noqa: S608
            quote_name(model._meta.pk.column),
            ", ".join(quote_name(f.column) for f in model._meta.concrete_fields),
            quote_name(model._meta.db_table),
        )
        for model in watched_models()
    }


def _columns(model: type) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def assert_no_live_markup(body: str, where: str) -> None:
    for fragment in LIVE_MARKUP:
        assert fragment not in body, f"{where} shows {fragment!r} as live HTML"
    assert not JAVASCRIPT_LINK.search(body), f"{where} has a javascript: link"


def assert_formulas_neutralised(text: str, where: str) -> None:
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        for cell in row:
            if MARK in cell:
                assert not cell.startswith(FORMULA_STARTS), f"{where} has a live formula {cell!r}"


def assert_answer_is_safe(response, where: str) -> str:
    """No server error, no redirect off the site, no live markup; returns the text shown."""
    assert response.status_code < 500, f"{where} answered {response.status_code}"
    location = response.get("Location")
    if location:
        assert url_has_allowed_host_and_scheme(location, {"testserver"}), (
            f"{where} redirects off the site: {location!r}"
        )
    content_type = response.get("Content-Type", "")
    if not content_type.startswith(("text/", "application/json")):
        return ""
    text = body_of(response).decode("utf-8", "replace")
    if content_type.startswith("text/html"):
        assert_no_live_markup(text, where)
    if content_type.startswith("text/csv"):
        assert_formulas_neutralised(text, where)
    return text


def _new_keys(before: Snapshot, after: Snapshot, model: type) -> set:
    return set(after[model]) - set(before[model])


def _changed(before: Snapshot, after: Snapshot) -> dict[type, list[tuple]]:
    rows: dict[type, list[tuple]] = {}
    for model, now in after.items():
        rows[model] = [row for key, row in now.items() if before[model].get(key) != row]
    return rows


def assert_consistent(world: World, target: Target, before: Snapshot, after: Snapshot) -> None:
    """What an accepted request must leave behind, whatever it stored."""
    changed = _changed(before, after)
    for model, rows in changed.items():
        for row in rows:
            for value in row:
                assert not (isinstance(value, str) and "\x00" in value), (
                    f"{model.__name__} stored a NUL character, which PostgreSQL refuses"
                )
    for indicator in Indicator.objects.select_related("definition"):
        outcome = progress.evaluate(
            list(indicator.measurements.values_list("period_end", "value")),
            aggregation=indicator.definition.aggregation,
            direction=indicator.definition.direction,
            baseline=indicator.baseline_value,
            target=indicator.target_value,
            baseline_date=indicator.baseline_date,
            target_date=indicator.target_date,
        )
        stored = (indicator.latest_period_end, indicator.measurement_count, indicator.status)
        assert stored == (outcome.latest_period_end, outcome.measurement_count, outcome.status)
        assert _same_number(indicator.current_value, outcome.current_value)
        assert _same_number(indicator.progress, outcome.progress)
    for pilot in Pilot.objects.all():
        decision = pilot.stage_decisions.order_by("-decided_at", "-pk").first()
        if decision is not None:
            assert pilot.stage == decision.to_stage, "the stage moved without a decision"
        record = pilot.evidence_records.order_by("-set_at", "-pk").first()
        if record is not None:
            assert pilot.evidence_level == record.level, "the level moved without a record"
        if pilot.start_date and pilot.end_date:
            assert pilot.end_date >= pilot.start_date
        assert pilot.title.strip()
        assert re.fullmatch(r"[-a-z0-9_]+", pilot.slug)
    for model in registered_models.values():
        if not hasattr(model, "history"):
            continue  # a many-to-many table, recorded with its pilot
        for pk in _new_keys(before, after, model):
            assert model.history.filter(id=pk).exists(), f"a new {model.__name__} has no history"
    for pk in _new_keys(before, after, Pilot):
        pilot = Pilot.objects.get(pk=pk)
        if pilot.adapted_from_id:
            mine = sorted(pilot.indicators.values_list("definition_id", flat=True))
            theirs = sorted(pilot.adapted_from.indicators.values_list("definition_id", flat=True))
            assert mine == theirs, "an adaptation lost the original's indicators"
    for measurement in Measurement.objects.all():
        assert abs(measurement.value) < Decimal("1e12")
        assert 1900 <= measurement.period_end.year <= 2100
    for pk in _new_keys(before, after, Attachment):
        _assert_stored_file_is_what_it_says(Attachment.objects.get(pk=pk))
    for pk in _new_keys(before, after, PilotUpdate):
        assert PilotUpdate.objects.get(pk=pk).body.strip()
    _assert_protected(world, target, before, after)


def _same_number(stored: object, computed: object) -> bool:
    if stored is None or computed is None:
        return stored is None and computed is None
    return math.isclose(float(stored), float(computed), rel_tol=1e-9, abs_tol=0.006)


def _assert_stored_file_is_what_it_says(attachment: Attachment) -> None:
    name = PurePath(attachment.file.name).name
    assert re.fullmatch(r"[\w-][\w.-]*", name), name
    path = Path(attachment.file.path)
    assert path.is_file()
    assert path.stat().st_size <= MAX_ATTACHMENT_SIZE
    with path.open("rb") as handle:
        validate_attachment(File(handle, name=name))


PROTECTED = ("stage", "evidence_level", "archived_at", "slug", "area_id", "adapted_from_id")


def _assert_protected(world: World, target: Target, before: Snapshot, after: Snapshot) -> None:
    """The user's own pilot changes only as the target allows; other areas' pilots never do."""
    columns = ["pk", *_columns(Pilot)]
    old = dict(zip(columns, before[Pilot][world.pilot.pk], strict=True))
    new = dict(zip(columns, after[Pilot][world.pilot.pk], strict=True))
    for name in PROTECTED:
        if name not in target.changes:
            assert old[name] == new[name], f"{target.name} changed the pilot's {name}"
    assert before[Pilot][world.foreign.pk] == after[Pilot][world.foreign.pk]
    for model, pk in (
        (Indicator, world.foreign_indicator.pk),
        (Measurement, world.foreign_measurement.pk),
        (Attachment, world.foreign_attachment.pk),
    ):
        assert before[model][pk] == after[model][pk], f"{target.name} changed a foreign row"


def assert_refusal_is_explained(response, text: str, where: str) -> None:
    """A form that refuses a post says why on the page it answers with."""
    if response.status_code == 200 and text:
        assert re.search(r"alert-danger|is-invalid|invalid-feedback|errorlist|text-danger", text), (
            f"{where} refused the post without a message"
        )


class Clients:
    """One test client per user for a whole test, signed in afresh for each case.

    A new client loads the middleware again, and WhiteNoise's start-up scan of the static files
    alone takes a tenth of a second; the sessions are made inside each case's savepoint.
    """

    def __init__(self, world: World) -> None:
        self.world = world
        self.by_user: dict[str | None, Client] = {}

    def get(self, user: str | None, language: str) -> Client:
        client = self.by_user.setdefault(user, Client())
        client.cookies.clear()
        if user is not None:
            client.force_login(self.world.users[user])
        client.cookies["django_language"] = language
        return client

    def show(self, page: str, user: str | None, language: str):
        """A page as the user sees it; a share page as anyone with the link does."""
        response = self.get(None if page.startswith("/s/") else user, language).get(page)
        assert response.status_code == 200 or page.startswith("/s/"), (page, response.status_code)
        return response


@pytest.fixture
def clients(world) -> Clients:
    return Clients(world)


def run_case(clients: Clients, target: Target, data: st.DataObject) -> None:
    cache.clear()
    with transaction.atomic():
        try:
            _run_case(clients, target, data)
        finally:
            transaction.set_rollback(True)
    CASES[target.name] += 1


def _run_case(clients: Clients, target: Target, data: st.DataObject) -> None:
    language = data.draw(st.sampled_from(["sv", "en"]), label="language")
    client = clients.get(target.user, language)
    valid = target.fields(clients.world)
    if target.prepare is not None:
        valid |= target.prepare(client, clients.world)
    request = draw_request(data, target, clients.world, valid)
    check(clients, client, target, request, language)


def check(
    clients: Clients, client: Client, target: Target, request: HostileRequest, language: str
) -> tuple[HttpResponseBase, str]:
    """Send the request and check the answer, the tables and the pages that show the data.

    Returns the answer and the text of the pages that show what it stored.
    """
    world = clients.world
    before = snapshot()

    response = send(client, request)

    where = f"{target.name} ({request.method} {request.url[:80]})"
    text = assert_answer_is_safe(response, where)
    if target.user is not None and target.name != "logout" and response.status_code == 302:
        assert not response["Location"].startswith(reverse("login")), "the session was lost"
    after = snapshot()
    if after == before:
        explains = target.writes and target.prepare is None and target.name != "import"
        if explains and request.method == "POST":
            assert_refusal_is_explained(response, text, where)
        return response, ""
    assert target.writes, f"{where} wrote on a read"
    assert request.method in ("POST", "PUT"), f"{where} wrote on a {request.method}"
    htmx_saved = response.status_code == 200 and "HTTP_HX_REQUEST" in request.headers
    assert response.status_code == 302 or htmx_saved, (
        f"{where} wrote rows but answered {response.status_code}: a half-write"
    )
    assert_consistent(world, target, before, after)
    pages = target.display(world)
    location = response.get("Location", "")
    if location.startswith("/pilots/") and location.count("/") == 3:
        pages.append(location.split("#")[0])
    shown = [
        assert_answer_is_safe(clients.show(page, target.user or "official", language), page)
        for page in pages
    ]
    return response, "\n".join(shown)


def valid_request(target: Target, world: World, valid: dict, **overrides: object) -> HostileRequest:
    request = HostileRequest(target.method, target.url(world, target.path_variants[0]))
    for name, value in (valid | overrides).items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Upload):
                request.files.append((name, item))
            else:
                request.pairs.append((name, str(item)))
    return request


# The tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS, ids=lambda target: target.name)
@HOSTILE
@given(data=st.data())
def test_hostile_requests_get_no_server_error_no_live_markup_and_no_half_write(
    clients, target, data
):
    run_case(clients, target, data)


def test_every_url_of_the_portal_is_a_hostile_input_target_or_takes_no_input(world):
    covered = set(NO_INPUT)
    for target in TARGETS:
        url = target.url(world, target.path_variants[0])
        covered.add(get_resolver().resolve(urlsplit(url).path).view_name)

    missing = _url_names(get_resolver()) - covered

    assert not missing, f"add these URLs to TARGETS or NO_INPUT: {sorted(missing)}"


@pytest.mark.parametrize(
    "target", [target for target in TARGETS if target.writes], ids=lambda target: target.name
)
def test_the_valid_request_of_every_form_is_accepted_so_the_hostile_ones_can_be(clients, target):
    client = clients.get(target.user, "sv")
    valid = target.fields(clients.world)
    if target.prepare is not None:
        valid |= target.prepare(client, clients.world)

    response = send(client, valid_request(target, clients.world, valid))

    assert response.status_code == (200 if target.name == "import" else 302)
    if target.name == "import":
        assert response.context["import_id"]


@pytest.mark.parametrize(
    "target", [target for target in TARGETS if target.texts], ids=lambda target: target.name
)
def test_markup_in_each_text_field_is_stored_as_text_and_a_nul_never_reaches_the_database(
    clients, target
):
    """Every text field, one at a time: markup is accepted and shown escaped on every page that
    shows it; a NUL is refused or removed (PostgreSQL cannot store it: a server error there)."""
    world = clients.world
    names = [name for name in target.fields(world) if name.rsplit("-", 1)[-1] in target.texts]
    for name in names:
        for value in ("".join(MARKUP[:5]), f"före\x00efter {MARKUP[3]}"):
            with transaction.atomic():
                client = clients.get(target.user, "en")
                valid = target.fields(world)
                if target.prepare is not None:
                    valid |= target.prepare(client, world)
                request = valid_request(target, world, valid, **{name: value})

                response, shown = check(clients, client, target, request, "en")

                if "\x00" not in value:
                    assert response.status_code == 302, f"{target.name}.{name} refused markup"
                    # The check for live markup means something only where the text is shown.
                    assert f"&lt;script&gt;{MARK}" in shown, f"{target.name}.{name} is not shown"
                transaction.set_rollback(True)
            CASES[target.name] += 1


@pytest.mark.parametrize("upload", HOSTILE_UPLOADS, ids=lambda upload: repr(upload.name[:30]))
def test_renamed_oversized_and_badly_named_files_never_store_what_their_names_deny(clients, upload):
    client = clients.get("staff", "en")
    before = Attachment.objects.count()

    response = client.post(
        reverse("pilots:attachment-create", args=[clients.world.pilot.slug]),
        _multipart([("title", "")], [("file", upload)]),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )

    # Django itself answers 400 to a part whose headers exceed 1,024 bytes (the long name).
    assert response.status_code in (200, 302, 400)
    if response.status_code != 302:
        assert response.status_code == 400 or response.context["form"].errors["file"]
        assert Attachment.objects.count() == before
    else:
        _assert_stored_file_is_what_it_says(Attachment.objects.latest("pk"))
    CASES["attachment-create"] += 1


# The classic sources of server errors: a NUL (PostgreSQL refuses it in text), an id beyond
# 64 bits (SQLite overflows) and a huge string (SQLite refuses LIKE patterns over 50,000 bytes).
CLASSICS = ("a\x00b", str(10**30), HUGE)


@pytest.mark.parametrize("target", TARGETS, ids=lambda target: target.name)
def test_each_field_alone_survives_a_nul_a_huge_id_and_a_huge_text(clients, target):
    """Every field and parameter of every target, one at a time, the others valid."""
    world = clients.world
    names = sorted(set(target.fields(world)) | set(target.wrong(world))) or ["page"]
    if target.prepare is not None:
        names.append("import_id")
    for name in names:
        for value in CLASSICS:
            with transaction.atomic():
                client = clients.get(target.user, "sv")
                valid = target.fields(world)
                if target.prepare is not None:
                    valid |= target.prepare(client, world)
                request = valid_request(target, world, valid, **{name: value})

                check(clients, client, target, request, "sv")

                transaction.set_rollback(True)
            CASES[target.name] += 1


@pytest.mark.parametrize(
    "target", [target for target in TARGETS if target.writes], ids=lambda target: target.name
)
def test_each_form_answers_a_wrong_content_type_with_a_message_or_a_client_error(clients, target):
    world = clients.world
    for shape in WRONG_SHAPES:
        with transaction.atomic():
            client = clients.get(target.user, "sv")
            valid = target.fields(world)
            if target.prepare is not None:
                valid |= target.prepare(client, world)
            request = valid_request(target, world, valid)
            request.shape = shape

            check(clients, client, target, request, "sv")

            transaction.set_rollback(True)
        CASES[target.name] += 1


# Regressions found by the tests above --------------------------------------------------------


@pytest.mark.parametrize("name", ["themes", "partners"])
def test_a_theme_or_partner_id_beyond_the_database_range_is_refused_not_a_server_error(
    clients, name
):
    # SQLite raised OverflowError on the IN list of a multiple choice: a 500 before the fix.
    client = clients.get("staff", "en")
    data = pilot_fields(clients.world) | {name: [str(clients.world.theme.pk), str(10**30)]}
    before = Pilot.objects.count()

    response = client.post(reverse("pilots:create"), data)

    assert response.status_code == 200
    assert name in response.context["form"].errors
    assert Pilot.objects.count() == before


def test_an_adaptation_with_a_theme_id_beyond_the_database_range_is_refused(clients):
    world = clients.world
    client = clients.get("adapter", "en")
    target = next(target for target in TARGETS if target.name == "adapt")
    data = target.fields(world) | {"themes": [str(-(10**30))]}

    response = client.post(reverse("pilots:adapt", args=[world.pilot.slug]), data)

    assert response.status_code == 200
    assert "themes" in response.context["form"].errors
    assert not Pilot.objects.filter(adapted_from=world.pilot).exists()


@pytest.mark.parametrize("url_name", ["pilots:create", "pilots:edit", "pilots:archive"])
def test_a_post_with_no_form_fields_gets_the_forms_messages_not_a_blank_form(clients, url_name):
    # A JSON body leaves request.POST empty; the form used to come back unbound, without a word.
    world = clients.world
    client = clients.get("lead", "en")
    args = [] if url_name == "pilots:create" else [world.pilot.slug]

    response = client.post(reverse(url_name, args=args), {"a": 1}, content_type="application/json")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "alert-danger" in response.content.decode()


# Server errors found by the sweeps above, each fixed where it arose -------------------------


def test_the_admin_search_with_a_huge_query_is_no_server_error(clients):
    client = clients.get("admin", "sv")

    response = client.get(reverse("admin:pilots_pilot_changelist"), {"q": HUGE})

    assert response.status_code == 400
    assert "The address could not be read" in response.content.decode()


def test_an_admin_list_filter_with_a_nul_is_no_server_error(clients):
    client = clients.get("admin", "sv")

    response = client.get(reverse("admin:pilots_pilot_changelist"), {"stage__exact": "a\x00b"})

    assert response.status_code == 400


def test_a_login_with_a_username_longer_than_any_account_is_refused_without_a_server_error(
    clients,
):
    client = clients.get(None, "sv")

    response = client.post(reverse("login"), {"username": "x" * 300, "password": "fel"})

    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.parametrize("bad_id", [str(10**30), "abc", "1e30", "9" * 5_000, "a\x00b"])
def test_an_admin_pilot_edit_with_ids_that_cannot_be_is_refused(clients, world, bad_id):
    client = clients.get("admin", "sv")

    response = client.post(
        reverse("admin:pilots_pilot_change", args=[world.pilot.pk]),
        {"title": "x", "themes": [bad_id], "partners": [bad_id]},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["themes"]


@pytest.mark.parametrize("bad_id", [str(10**30), "abc", "a\x00b", "-1"])
def test_an_admin_bulk_action_on_ids_that_cannot_be_is_refused(clients, world, bad_id):
    client = clients.get("admin", "sv")
    pilots_before = Pilot.objects.count()

    response = client.post(
        reverse("admin:pilots_pilot_changelist"),
        {"action": "delete_selected", "_selected_action": [str(world.pilot.pk), bad_id]},
    )

    assert response.status_code == 400
    assert Pilot.objects.count() == pilots_before


def test_the_live_markup_check_catches_a_payload_shown_unescaped_and_passes_an_escaped_one():
    escaped = '<p title="&quot;&gt;">&lt;script&gt;hx55(1)&lt;/script&gt;</p>'
    assert_no_live_markup(escaped, "an escaped page")

    for payload in (MARKUP[0], MARKUP[2], MARKUP[4], '<a href="javascript:void(0)">'):
        with pytest.raises(AssertionError):
            assert_no_live_markup(f"<p>{payload}</p>", "a page with live markup")
