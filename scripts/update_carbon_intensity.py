"""Regenerate ``catalogue/data/carbon_intensity.csv`` from the data bundled in a CodeCarbon wheel.

CodeCarbon is read, never imported or installed: fetch the wheel once, then point this script at
it (a ``.whl`` file or an unpacked folder)::

    pip download --no-deps codecarbon -d /tmp/codecarbon
    python scripts/update_carbon_intensity.py /tmp/codecarbon/codecarbon-*.whl

Rows written, each with its own source, year and licence:

* one per country, from ``data/private_infra/global_energy_mix.json`` (Our World in Data's
  carbon intensity of electricity generation, adapted from Ember and the Energy Institute);
* one per US state, from ``data/private_infra/2023/usa_emissions.json`` (US EPA eGRID, converted
  from lb/MWh to g/kWh).

CodeCarbon keys countries by ISO 3166-1 alpha-3; the catalogue uses alpha-2. The conversion uses
the CLDR territory aliases shipped with Babel (installed with mkdocs-material), so no list of
country codes is typed by hand. Update ``catalogue/data/README.md`` if the sources change.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parent.parent / "catalogue" / "data" / "carbon_intensity.csv"
COLUMNS = ("country", "region", "name", "gco2_per_kwh", "year", "source", "license")
GRAMS_PER_POUND = 453.59237
COUNTRY_FILE = "codecarbon/data/private_infra/global_energy_mix.json"
US_STATES_FILE = "codecarbon/data/private_infra/2023/usa_emissions.json"


def reader_for(path: Path) -> tuple[Callable[[str], Any], str]:
    """A function that reads a JSON member of the wheel, and the CodeCarbon version."""
    if path.is_dir():
        version = next((m.group(1) for p in path.glob("codecarbon-*.dist-info")
                        if (m := re.match(r"codecarbon-(.+)\.dist-info", p.name))), "unknown")
        return (lambda member: json.loads((path / member).read_text(encoding="utf-8"))), version
    match = re.match(r"codecarbon-([^-]+)-", path.name)
    archive = zipfile.ZipFile(path)
    return (lambda member: json.loads(archive.read(member))), (match.group(1) if match
                                                                else "unknown")


def alpha2_codes() -> dict[str, str]:
    from babel.core import get_global

    aliases = get_global("territory_aliases")
    return {code: targets[0] for code, targets in aliases.items()
            if len(code) == 3 and code.isalpha() and len(targets) == 1}


def country_rows(read: Callable[[str], Any], version: str) -> list[dict[str, Any]]:
    source = ("Our World in Data, Energy dataset: carbon intensity of electricity generation "
              f"(adapted from Ember and Energy Institute), via CodeCarbon {version}")
    to_alpha2 = alpha2_codes()
    rows = []
    for alpha3, entry in read(COUNTRY_FILE).items():
        if alpha3 not in to_alpha2:
            raise SystemExit(f"{COUNTRY_FILE}: no ISO alpha-2 code for '{alpha3}' "
                             f"({entry.get('country_name')}); add it by hand")
        rows.append({"country": to_alpha2[alpha3], "region": "", "name": entry["country_name"],
                     "gco2_per_kwh": round(float(entry["carbon_intensity"]), 3),
                     "year": int(entry["year"]), "source": source, "license": "CC-BY-4.0"})
    return rows


def us_state_rows(read: Callable[[str], Any], version: str) -> list[dict[str, Any]]:
    data = read(US_STATES_FILE)
    meta = data["_source"]
    if data["_unit"]["emissions"] != "lbs/MWh":
        raise SystemExit(f"{US_STATES_FILE}: expected emissions in lbs/MWh, found "
                         f"{data['_unit']['emissions']}")
    source = f"US {meta['name']} ({meta['field']}), via CodeCarbon {version}"
    rows = []
    for name, entry in data.items():
        if name.startswith("_") or name == "usa":
            continue  # the national figure comes from the country table
        rows.append({"country": "US", "region": entry["regionCode"],
                     "name": name.title().replace(" Of ", " of "),
                     "gco2_per_kwh": round(entry["emissions"] * GRAMS_PER_POUND / 1000, 3),
                     "year": int(meta["year"]), "source": source, "license": "public-domain"})
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(sorted(rows, key=lambda r: (r["country"], r["region"])))
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="a codecarbon .whl file or unpacked wheel folder")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    read, version = reader_for(args.wheel)
    rows = country_rows(read, version) + us_state_rows(read, version)
    args.output.write_text(render(rows), encoding="utf-8")
    print(f"wrote {len(rows)} rows to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
