"""The words and prices of generated datasets: package types, block reasons, task titles, notes.

Indonesian, as the agency's staff write them. Block reasons are per stage code of the default
templates; a custom stage gets the generic ones.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple


class PackageType(NamedTuple):
    code: str  # prefix of the package code, e.g. REG9-261215-01
    name: str
    days: int
    price_low: int  # Rupiah
    price_high: int
    airlines: tuple[str, ...]
    weight: int  # how often an agency sells it


JUTA = 1_000_000  # prices are quoted in millions of Rupiah
SV, GA, JT, EK, QR = "Saudia", "Garuda Indonesia", "Lion Air", "Emirates", "Qatar Airways"  # IATA codes

PACKAGE_TYPES = (
    PackageType("REG9", "Umroh Reguler 9 Hari", 9, 28 * JUTA, 34 * JUTA, (SV, JT, GA), 5),
    PackageType("REG12", "Umroh Reguler 12 Hari", 12, 30 * JUTA, 37 * JUTA, (SV, GA, JT), 4),
    PackageType("TRK12", "Umroh Plus Turki 12 Hari", 12, 42 * JUTA, 52 * JUTA, (QR, EK, SV), 2),
    PackageType("DXB10", "Umroh Plus Dubai 10 Hari", 10, 38 * JUTA, 46 * JUTA, (EK,), 1),
    PackageType("VIP9", "Umroh VIP 9 Hari", 9, 45 * JUTA, 55 * JUTA, (GA, SV), 1),
)
#: Sold only for departures from 5 days before Ramadan to its 20th day, and then most of all.
RAMADHAN = PackageType("RMD15", "Umroh Ramadhan 15 Hari", 15, 40 * JUTA, 55 * JUTA, (SV, GA), 12)
#: First day of Ramadan (Umm al-Qura calendar).
RAMADAN_STARTS = (date(2026, 2, 18), date(2027, 2, 8), date(2028, 1, 28), date(2029, 1, 16), date(2030, 1, 5))

#: Task titles: what the responsible admin does in that stage (the jamaah's name follows).
TASK_VERBS = {
    "document-collection": "Kumpulkan dokumen",
    "document-verification": "Verifikasi dokumen",
    "siskopatuh-submission": "Input data SISKOPATUH",
    "siskopatuh-approval": "Pantau persetujuan SISKOPATUH",
    "hotel-booking": "Booking hotel & kontrak Nusuk Masar",
    "visa-application": "Ajukan visa umrah",
    "visa-approval": "Pantau persetujuan visa",
    "equipment-preparation": "Siapkan perlengkapan",
    "flight-booking": "Booking tiket pesawat",
    "departure-ready": "Cek akhir siap berangkat",
}

#: Why a stage is blocked, as the admins write it.
BLOCK_REASONS = {
    "document-collection": (
        "Menunggu scan paspor dari jamaah",
        "Menunggu fotokopi KTP dan Kartu Keluarga",
        "Pas foto latar putih belum dikirim",
        "Kartu vaksin meningitis belum ada",
    ),
    "document-verification": (
        "Nama di paspor berbeda dengan KTP",
        "Scan paspor buram, jamaah diminta kirim ulang",
        "Buku nikah belum dilampirkan untuk mahram",
    ),
    "siskopatuh-submission": ("NIK belum padan dengan data Dukcapil", "Menunggu data mahram jamaah"),
    "siskopatuh-approval": ("Data SISKOPATUH ditolak, perlu revisi", "Menunggu verifikasi Kanwil Kemenag"),
    "hotel-booking": ("Menunggu kontrak hotel di Nusuk Masar", "Hotel Makkah penuh, mencari alternatif"),
    "visa-application": (
        "Menunggu kontrak hotel tercatat di Nusuk Masar",
        "Jadwal biometrik Saudi Visa Bio belum ada",
    ),
    "visa-approval": ("Visa ditolak, perlu pengajuan ulang", "Menunggu e-visa dari provider"),
    "equipment-preparation": ("Stok koper ukuran besar habis", "Menunggu ukuran seragam batik dari jamaah"),
    "flight-booking": ("Menunggu konfirmasi seat grup dari maskapai", "Pelunasan biaya belum diterima"),
    "departure-ready": ("Pelunasan biaya belum diterima", "Jamaah sakit, menunggu surat keterangan dokter"),
}
GENERIC_REASONS = ("Menunggu kelengkapan data dari jamaah", "Menunggu konfirmasi pihak ketiga")
#: The hard stop at document verification (DOMAIN.md): the passport must outlast departure by 6 months.
PASSPORT_TOO_SHORT = "Masa berlaku paspor kurang dari 6 bulan setelah keberangkatan, menunggu perpanjangan"
#: Where blocks gather (documents, and stages waiting on the ministry, Nusuk or the embassy).
BLOCK_PRONE = {
    "document-collection": 3,
    "document-verification": 3,
    "siskopatuh-approval": 2,
    "hotel-booking": 2,
    "visa-application": 2,
    "visa-approval": 2,
}

NOTES = (
    "Pakai kursi roda saat tawaf dan sa'i",
    "Minta sekamar dengan keluarga",
    "Riwayat hipertensi, membawa obat sendiri",
    "Pelunasan dicicil tiga kali",
    "Umrah pertama kali",
    "Minta menu rendah garam",
)
