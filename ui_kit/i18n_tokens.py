"""Words of the API tokens page (issue 16)."""

from __future__ import annotations

TOKEN_TEXT: dict[str, tuple[str, str]] = {
    "nav.tokens": ("Token API", "API tokens"),
    "tokens.title": ("Token API", "API tokens"),
    "tokens.caption": (
        "Token pribadi untuk program yang memakai API (/api/v1): situs pemesanan, bot WhatsApp, ekspor "
        "malam. Token bertindak sebagai Anda, dengan peran Anda, di ruang kerja ini saja.",
        "Personal tokens for programs that use the API (/api/v1): a booking site, a WhatsApp bot, a "
        "nightly export. A token acts as you, with your role, in this workspace only.",
    ),
    "tokens.new": ("Token baru", "New token"),
    "tokens.name": ("Nama (untuk apa token ini)", "Name (what the token is for)"),
    "tokens.name.example": ("mis. ekspor malam", "e.g. nightly export"),
    "tokens.days": ("Berlaku (hari)", "Valid for (days)"),
    "tokens.create": ("Buat token", "Create token"),
    "tokens.shown_once": (
        "Token dibuat. Salin sekarang: token ini hanya ditampilkan sekali ini dan tidak bisa dilihat lagi.",
        "Token created. Copy it now: it is shown this once and cannot be seen again.",
    ),
    "tokens.refused": ("Tidak bisa: {why}", "Not possible: {why}"),
    "tokens.none": ("Belum ada token.", "No tokens yet."),
    "tokens.col.owner": ("Pemilik", "Owner"),
    "tokens.col.name": ("Nama", "Name"),
    "tokens.col.prefix": ("Awalan", "Prefix"),
    "tokens.col.created": ("Dibuat", "Created"),
    "tokens.col.expires": ("Berakhir", "Expires"),
    "tokens.col.used": ("Terakhir dipakai", "Last used"),
    "tokens.col.state": ("Status", "State"),
    "tokens.state.active": ("aktif", "active"),
    "tokens.state.expired": ("kedaluwarsa", "expired"),
    "tokens.state.revoked": ("dicabut", "revoked"),
    "tokens.revoke.which": ("Cabut token", "Revoke a token"),
    "tokens.revoke": ("Cabut", "Revoke"),
    "tokens.revoked": (
        "Token {name} dicabut: program yang memakainya ditolak mulai sekarang.",
        "Token {name} revoked: programs using it are refused from now on.",
    ),
}
