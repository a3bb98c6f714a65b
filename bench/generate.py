"""Deterministic synthetic U-CAP collections for the benchmark.

Writes COUNT records of about 10 KB each, in nested folders (`programme/start-year/id.toml`),
with accented European city names, CJK and other scripts, and long summaries. Every record is
valid under `ucap validate --strict` unless it was chosen as one of the `--invalid` share, which
gets exactly one fault: an unknown key, a bad date, an unknown country or a TOML syntax error.

Record `i` depends only on the seed and `i`, so a 1,000-record collection is the first 1,000
records of the 10,000-record one (the invalid files aside).

    python bench/generate.py OUT_DIR --count N [--invalid 0.05] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

GENERATOR_VERSION = 1
TARGET_BYTES = 10_000
FAULTS = ("unknown-key", "bad-date", "unknown-country", "toml-syntax")
# Each fault and the problem code `ucap validate` reports for it.
FAULT_CODES = {
    "unknown-key": "E102",
    "bad-date": "E105",
    "unknown-country": "E109",
    "toml-syntax": "E002",
}


@dataclass(frozen=True)
class City:
    """A city as a record writes it; `roman` is the Latin-script form used in ids."""

    name: str
    short: str | None
    region: str | None
    country: str
    roman: str
    government: str | None = None


# Lead cities outside the EU: (programme, folder) by world region.
LEADS: tuple[tuple[str, str, tuple[City, ...]], ...] = (
    (
        "IUC Asia",
        "iuc-asia",
        (
            City("郑州", "Zhengzhou", "河南", "China", "zhengzhou", "郑州市人民政府"),
            City("成都", "Chengdu", "四川", "CN", "chengdu", "成都市人民政府"),
            City("青岛", "Qingdao", "山东", "CHN", "qingdao", "青岛市人民政府"),
            City("Wuhan", "武汉", "Hubei", "China", "wuhan", "武汉市人民政府"),
            City("Xi'an", "西安", "Shaanxi", "China", "xian", "西安市人民政府"),
            City("Hángzhōu", "杭州", "Zhejiang", "China", "hangzhou", "杭州市人民政府"),
            City("名古屋", "Nagoya", "愛知県", "Japan", "nagoya", "名古屋市役所"),
            City("Kitakyūshū", "北九州", "Fukuoka", "JP", "kitakyushu", "北九州市役所"),
            City("富山", "Toyama", "富山県", "Japan", "toyama", "富山市役所"),
            City("부산", "Busan", None, "South Korea", "busan", "부산광역시청"),
            City("대구", "Daegu", None, "KOR", "daegu", "대구광역시청"),
            City(
                "Đà Nẵng",
                "Da Nang",
                None,
                "Viet Nam",
                "da-nang",
                "Ủy ban nhân dân thành phố Đà Nẵng",
            ),
            City("Pune", "पुणे", "Maharashtra", "India", "pune", "पुणे महानगरपालिका"),
            City("Chiang Mai", "เชียงใหม่", None, "Thailand", "chiang-mai", "เทศบาลนครเชียงใหม่"),
        ),
    ),
    (
        "IURC Asia and Australasia",
        "iurc-asia-australasia",
        (
            City("Surabaya", None, "Jawa Timur", "Indonesia", "surabaya"),
            City("Kuala Lumpur", "KL", None, "Malaysia", "kuala-lumpur"),
            City("Hồ Chí Minh City", "HCMC", None, "VN", "ho-chi-minh-city"),
            City("Bengaluru", "ಬೆಂಗಳೂರು", "Karnataka", "India", "bengaluru"),
            City("Wellington", "Te Whanganui-a-Tara", None, "New Zealand", "wellington"),
        ),
    ),
    (
        "IUC Latin America and Caribbean",
        "iuc-lac",
        (
            City("São Paulo", "SP", "São Paulo", "Brazil", "sao-paulo", "Prefeitura de São Paulo"),
            City("Bogotá", None, "Cundinamarca", "Colombia", "bogota", "Alcaldía Mayor de Bogotá"),
            City("Medellín", None, "Antioquia", "COL", "medellin", "Alcaldía de Medellín"),
            City(
                "Ciudad de México",
                "CDMX",
                None,
                "Mexico",
                "cdmx",
                "Gobierno de la Ciudad de México",
            ),
            City("Querétaro", None, "Querétaro", "MX", "queretaro"),
            City("Valparaíso", None, "Valparaíso", "Chile", "valparaiso"),
        ),
    ),
    (
        "IUC North America",
        "iuc-north-america",
        (
            City("Montréal", None, "Québec", "Canada", "montreal", "Ville de Montréal"),
            City(
                "Trois-Rivières", None, "Québec", "CA", "trois-rivieres", "Ville de Trois-Rivières"
            ),
        ),
    ),
)

PARTNERS: tuple[City, ...] = tuple(
    City(name, None, region, country, roman)
    for name, region, country, roman in (
        ("Málaga", "Andalucía", "Spain", "malaga"),
        ("A Coruña", "Galicia", "ES", "a-coruna"),
        ("Logroño", "La Rioja", "Spain", "logrono"),
        ("Cádiz", "Andalucía", "Spain", "cadiz"),
        ("Kraków", "Małopolska", "Poland", "krakow"),
        ("Łódź", "Łódzkie", "PL", "lodz"),
        ("Gdańsk", "Pomorskie", "POL", "gdansk"),
        ("Poznań", "Wielkopolska", "Poland", "poznan"),
        ("Győr", "Győr-Moson-Sopron", "Hungary", "gyor"),
        ("Pécs", "Baranya", "HU", "pecs"),
        ("Székesfehérvár", "Fejér", "Hungary", "szekesfehervar"),
        ("Plzeň", "Plzeňský kraj", "Czechia", "plzen"),
        ("České Budějovice", "Jihočeský kraj", "CZE", "ceske-budejovice"),
        ("Košice", "Košický kraj", "Slovakia", "kosice"),
        ("Ljubljana", "Osrednjeslovenska", "Slovenia", "ljubljana"),
        ("Timișoara", "Timiș", "Romania", "timisoara"),
        ("Iași", "Iași", "RO", "iasi"),
        ("Plovdiv", "Пловдив", "Bulgaria", "plovdiv"),
        ("Thessaloníki", "Κεντρική Μακεδονία", "Greece", "thessaloniki"),
        ("Agii Anargiri-Kamatero", "Attica", "GR", "aak"),
        ("Düsseldorf", "Nordrhein-Westfalen", "Germany", "dusseldorf"),
        ("München", "Bayern", "DE", "munchen"),
        ("Nürnberg", "Bayern", "Germany", "nurnberg"),
        ("Jyväskylä", "Keski-Suomi", "Finland", "jyvaskyla"),
        ("Örebro", "Örebro län", "Sweden", "orebro"),
        ("Malmö", "Skåne", "Sweden", "malmo"),
        ("Århus", "Midtjylland", "Denmark", "arhus"),
        ("Liège", "Wallonie", "Belgium", "liege"),
        ("Besançon", "Bourgogne-Franche-Comté", "France", "besancon"),
        ("Saint-Étienne", "Auvergne-Rhône-Alpes", "FR", "saint-etienne"),
        ("Nice", "Provence-Alpes-Côte d'Azur", "France", "nice"),
        ("Nîmes", "Occitanie", "France", "nimes"),
        ("Guimarães", "Norte", "Portugal", "guimaraes"),
        ("Évora", "Alentejo", "PRT", "evora"),
        ("Forlì", "Emilia-Romagna", "Italy", "forli"),
        ("Cagliari", "Sardegna", "Italy", "cagliari"),
        ("Pärnu", "Pärnumaa", "Estonia", "parnu"),
        ("Jūrmala", None, "Latvia", "jurmala"),
        ("Šiauliai", None, "LT", "siauliai"),
        ("Rijeka", "Primorsko-goranska", "Croatia", "rijeka"),
        ("Esch-sur-Alzette", None, "Luxembourg", "esch-sur-alzette"),
        ("Cork", "Munster", "Ireland", "cork"),
        ("Graz", "Steiermark", "Austria", "graz"),
        ("Limassol", "Λεμεσός", "Cyprus", "limassol"),
    )
)

THEMES = (
    "Logistics",
    "Mobility",
    "Smart Cities & Digital Transition",
    "Innovation / Start-Ups",
    "Circular Economy",
    "Climate Adaptation",
    "Energy Efficiency",
    "Urban Regeneration",
    "Tourism & Cultural Heritage",
    "Water Management",
    "Green Infrastructure",
    "Social Inclusion",
)
TOPICS = (
    "Digital Transition",
    "Urban Mobility",
    "Jobs & Skills in Local Economy",
    "Circular Economy",
    "Climate Adaptation",
    "Energy Transition",
    "Culture and cultural heritage",
    "Air Quality",
    "Housing",
    "Sustainable land use",
)
KINDS = ("visit", "mission", "meeting", "workshop", "conference", "seminar", "forum", "training")
RESULT_STATUSES = ("planned", "in-progress", "achieved", "dropped")
ORGANISATION_KINDS = ("government", "company", "university", "cluster", "agency", "ngo")
BAD_COUNTRIES = ("Atlantis", "Chnia", "Itlay", "Grece", "Narnia", "Fraance")

SENTENCES = (
    "Delegations from {a} and {b} met to discuss {theme_lc} and agreed on next steps.",
    "The partners reviewed pilot projects on {theme_lc} presented by {org}.",
    "Workshops with local government, universities and companies explored how {a} could adapt "
    "the approach of {b} to its own districts.",
    "A study visit to {b} showed {org}'s work on {theme_lc}, including field visits to "
    "demonstration sites and meetings with residents' associations.",
    "Both cities committed to exchange data, share procurement practice and prepare a joint "
    "proposal for co-funding under the programme.",
    "Representatives of {org} presented the results of the first year and the indicators used to "
    "track progress on {theme_lc}.",
    "The exchange covered governance, financing models and the involvement of small and "
    "medium-sized enterprises from {a} and {b}.",
    "Press coverage in {a} and {b} followed the signing, and a short video was published.",
)


def _date(year: int, month: int, day: int | None = None) -> str:
    return f"{year:04d}-{month:02d}" if day is None else f"{year:04d}-{month:02d}-{day:02d}"


def _text(value: str) -> str:
    """A TOML basic string: the pools hold no quotes, backslashes or control characters."""
    if '"' in value or "\\" in value or not value.isprintable():
        # JSON's escapes (\", \\, \n, \uXXXX) are TOML's too.
        return json.dumps(value, ensure_ascii=False)
    return f'"{value}"'


def _array(values: list[str]) -> str:
    return "[" + ", ".join(_text(v) for v in values) + "]"


def _city_table(header: str, city: City, rng: random.Random, fault: str | None) -> str:
    country = rng.choice(BAD_COUNTRIES) if fault == "unknown-country" else city.country
    lines = [header, f"name = {_text(city.name)}"]
    if city.short:
        lines.append(f"short = {_text(city.short)}")
    if city.region:
        lines.append(f"region = {_text(city.region)}")
    lines.append(f"country = {_text(country)}")
    if rng.random() < 0.7:
        lines.append(f"population = {rng.randint(20, 20_000) * 1000}")
        lines.append(f"area_km2 = {rng.randint(30, 9000)}.{rng.randint(0, 9)}")
    return "\n".join(lines) + "\n"


def _sentences(rng: random.Random, count: int, **names: str) -> str:
    return " ".join(rng.choice(SENTENCES).format(**names) for _ in range(count))


def _months(year: int, month: int) -> int:
    return year * 12 + month - 1


def _ym(months: int) -> tuple[int, int]:
    return months // 12, months % 12 + 1


def record_text(index: int, seed: int, fault: str | None = None) -> tuple[str, str, str]:
    """Record `index` of the collection for `seed`: (folder, id, TOML text)."""
    rng = random.Random(f"{seed}:{index}")
    programme, folder, leads = rng.choice(LEADS)
    lead = rng.choice(leads)
    partners = rng.sample(PARTNERS, rng.randint(2, 4))
    record_id = f"{lead.roman}-{partners[0].roman}-{index:05d}"
    themes = rng.sample(THEMES, rng.randint(2, 4))
    lead_alias = lead.short or lead.name
    orgs = [
        lead.government or f"{lead.name} City Government",
        f"{lead.name} Development Agency",
        *(f"{p.name} City Council" for p in partners),
        f"University of {partners[0].name}",
        f"{rng.choice(partners).name} Innovation Agency",
        f"{lead.name} Chamber of Commerce",
    ]

    start = _months(rng.randint(2016, 2020), rng.randint(1, 12))
    end = start + rng.randint(12, 36)
    ongoing = rng.random() < 0.1
    start_text = _date(*_ym(start))
    if fault == "bad-date":
        start_text = f"{_ym(start)[0]}-13"

    head = [
        "# Synthetic U-CAP record for the ucap benchmark (bench/generate.py).",
        "schema_version = 1",
        f'id = "{record_id}"',
    ]
    if fault == "unknown-key":
        head.append("sdg = [11]")
    title = f"{lead.name} – {', '.join(p.name for p in partners)}"  # noqa: RUF001
    head.append(
        f"title = {_text(title)}" if fault != "toml-syntax" else f'title = "{title}'
    )  # an unterminated string
    head += [
        f"programme = {_text(programme)}",
        f"themes = {_array(themes)}",
        f"sdgs = [{', '.join(str(n) for n in sorted(rng.sample(range(1, 18), 3)))}]",
        f"urban_agenda = {_array(rng.sample(TOPICS, 2))}",
        f'contact = "ucap-{index:05d}@iuc-example.eu"',
    ]
    names = {"a": lead.name, "b": partners[0].name, "org": orgs[0], "theme_lc": themes[0].lower()}
    head.append(f"summary = {_text(_sentences(rng, 5, **names))}")
    head.append(f"challenges = {_array([_sentences(rng, 1, **names) for _ in range(2)])}")
    head.append(f"objectives = {_array([_sentences(rng, 1, **names) for _ in range(2)])}")
    head.append(f'sources = ["U-CAP summary {lead.roman} {index}", "https://example.org/u-cap"]')
    parts = ["\n".join(head) + "\n", f'\n[period]\nstart = "{start_text}"\n']
    if not ongoing:
        parts[-1] += f'end = "{_date(*_ym(end))}"\n'
    parts.append("\n" + _city_table("[city]", lead, rng, fault))
    for partner in partners:
        parts.append("\n" + _city_table("[[partners]]", partner, rng, None))
    for theme in themes[:2]:
        text = _sentences(rng, 2, **names)
        parts.append(f"\n[[focus]]\ntheme = {_text(theme)}\ntext = {_text(text)}\n")

    size = sum(len(p.encode()) for p in parts)
    target = rng.randint(TARGET_BYTES - 1500, TARGET_BYTES + 500)
    number = 0
    # Activities until the record is about 10 KB; every partner takes part in one.
    while number < len(partners) or size < target - 1500:
        partner = partners[number % len(partners)]
        year, month = _ym(rng.randint(start, end))
        day = rng.randint(1, 20) if rng.random() < 0.4 else None
        kind = rng.choice(KINDS)
        names = {
            "a": lead.name,
            "b": partner.name,
            "org": rng.choice(orgs),
            "theme_lc": rng.choice(themes).lower(),
        }
        lines = [
            "\n[[activities]]",
            f'date = "{_date(year, month, day)}"',
        ]
        if day is not None and rng.random() < 0.5:
            lines.append(f'end = "{_date(year, month, day + rng.randint(1, 8))}"')
        lines += [
            f'kind = "{kind}"',
            f"title = {_text(f'{kind.capitalize()} of {lead.name} and {partner.name}')}",
        ]
        if rng.random() < 0.1:
            lines.append('status = "cancelled"')
        lines += [
            f"where = {_text(partner.name if number % 2 else lead.name)}",
            f"cities = {_array([lead_alias if number % 3 == 1 else lead.name, partner.name])}",
            f"organisations = {_array(rng.sample(orgs, 2))}",
            f"themes = {_array(rng.sample(themes, 1))}",
            f"summary = {_text(_sentences(rng, rng.randint(2, 4), **names))}",
            f"outputs = {_array([_sentences(rng, 1, **names)])}",
        ]
        if rng.random() < 0.3:
            lines.append(f'links = ["https://example.org/{record_id}/{number + 1}"]')
        if rng.random() < 0.2:
            lines += [
                "\n[[activities.agreements]]",
                'kind = "mou"',
                f"parties = {_array([orgs[0], f'{partner.name} City Council'])}",
                f"fields = {_array(rng.sample(themes, 1))}",
            ]
        block = "\n".join(lines) + "\n"
        parts.append(block)
        size += len(block.encode())
        number += 1

    for _ in range(2):
        theme = rng.choice(themes)
        text = _sentences(rng, 1, **names)
        block = (
            f"\n[[expected_results]]\ntext = {_text(text)}\ntheme = {_text(theme)}\n"
            f'status = "{rng.choice(RESULT_STATUSES)}"\norganisations = {_array(orgs[:1])}\n'
        )
        parts.append(block)
    for name in orgs[:3]:
        kind = rng.choice(ORGANISATION_KINDS)
        parts.append(
            f'\n[[organisations]]\nname = {_text(name)}\nkind = "{kind}"\n'
            f"note = {_text(_sentences(rng, 1, **names))}\n"
        )
    return f"{folder}/{start // 12}", record_id, "".join(parts)


def invalid_indexes(count: int, share: float, seed: int) -> dict[int, str]:
    """Which records get a fault, and which: round(count * share) of them, faults in turn."""
    chosen = sorted(random.Random(f"{seed}:invalid").sample(range(count), round(count * share)))
    return {index: FAULTS[n % len(FAULTS)] for n, index in enumerate(chosen)}


@dataclass(frozen=True)
class Generated:
    """What `generate` wrote."""

    files: int
    invalid: int
    total_bytes: int
    seconds: float


def _write(out_dir: Path, indexes: range, seed: int, faults: dict[int, str]) -> int:
    """Write the records `indexes`; returns the bytes written."""
    folders: set[str] = set()
    total = 0
    for index in indexes:
        folder, record_id, text = record_text(index, seed, faults.get(index))
        if folder not in folders:
            (out_dir / folder).mkdir(parents=True, exist_ok=True)
            folders.add(folder)
        data = text.encode()
        (out_dir / folder / f"{record_id}.toml").write_bytes(data)
        total += len(data)
    return total


def generate(out_dir: Path, count: int, *, invalid: float = 0.0, seed: int = 1) -> Generated:
    """Write `count` records under `out_dir` (which must be empty or missing).

    Large collections are written by one process per core: each record depends only on its
    index, so the result is the same.
    """
    began = time.perf_counter()
    if out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} is not empty")
    out_dir.mkdir(parents=True, exist_ok=True)
    faults = invalid_indexes(count, invalid, seed)
    workers = min(os.cpu_count() or 1, 8) if count >= 2000 else 1
    if workers == 1:
        total = _write(out_dir, range(count), seed, faults)
    else:
        slices = [range(start, count, workers) for start in range(workers)]
        with ProcessPoolExecutor(workers) as pool:
            futures = [pool.submit(_write, out_dir, part, seed, faults) for part in slices]
            total = sum(future.result() for future in futures)
    return Generated(count, len(faults), total, time.perf_counter() - began)


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="empty or new folder")
    parser.add_argument("--count", type=int, required=True, help="number of records")
    parser.add_argument(
        "--invalid", type=float, default=0.0, help="share of files with one fault (0-1)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.count < 0 or not 0 <= args.invalid <= 1:
        parser.error("--count must be >= 0 and --invalid between 0 and 1")
    try:
        done = generate(args.out_dir, args.count, invalid=args.invalid, seed=args.seed)
    except FileExistsError as error:
        print(f"generate.py: {error}", file=sys.stderr)
        return 2
    print(
        f"wrote {done.files} records ({done.invalid} invalid, {done.total_bytes / 1e6:.1f} MB) "
        f"to {args.out_dir} in {done.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
