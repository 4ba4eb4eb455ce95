"""The System page's words (super-admins; operations issue)."""

SYSTEM_TEXT: dict[str, tuple[str, str]] = {
    "nav.system": ("Sistem", "System"),
    "system.denied": ("Halaman Sistem hanya untuk Super Admin.", "The System page is for super admins only."),
    "system.title": ("Sistem", "System"),
    "system.caption": (
        "Kesiapan layanan, angka satu jam terakhir (semua proses) dan peringatan. Muat ulang halaman "
        "untuk angka terbaru.",
        "Readiness, the last hour's figures (all processes) and the alerts. Reload the page for the "
        "newest figures.",
    ),
    "system.ready": ("Siap", "Ready"),
    "system.down": ("Tidak tersedia", "Unavailable"),
    "system.database": ("PostgreSQL", "PostgreSQL"),
    "system.redis": ("Redis", "Redis"),
    "system.schema": ("Skema basis data", "Database schema"),
    "system.schema.old": ("Perlu migrasi", "Needs migrating"),
    "system.uptime": ("Proses ini berjalan", "This process up for"),
    "system.streams": ("Aliran langsung terbuka (proses ini)", "Open live streams (this process)"),
    "system.hit_rate": ("Cache hit rate", "Cache hit rate"),
    "system.error_rate": ("Tingkat galat (5xx)", "Error rate (5xx)"),
    "system.api_p95": ("Latensi API p95", "API latency p95"),
    "system.requests": ("{n} permintaan dalam satu jam", "{n} requests in the hour"),
    "system.none": ("belum ada", "none yet"),
    "system.no_figures": (
        "Redis tidak terjangkau: angka satu jam terakhir tidak dapat dibaca.",
        "Redis is unreachable: the last hour's figures cannot be read.",
    ),
    "system.alerts": ("Peringatan", "Alerts"),
    "system.alert.firing": ("AKTIF", "FIRING"),
    "system.alert.ok": ("normal", "ok"),
    "system.alert.error_rate": ("Tingkat galat > 1 %", "Error rate > 1 %"),
    "system.alert.api_latency": ("Latensi API p95 > 1 dtk", "API latency p95 > 1 s"),
    "system.alert.slow_query": ("Kueri basis data > 1 dtk", "A database query > 1 s"),
    "system.alert.cache_hit_rate": ("Cache hit rate < 70 %", "Cache hit rate < 70 %"),
    "system.alert.live_disconnects": (
        "Putus sambungan langsung di atas normal",
        "Live disconnects above normal",
    ),
    "system.alert.value": ("nilai {value} · batas {threshold}", "value {value} · threshold {threshold}"),
    "system.slowest": ("Kueri paling lambat (> 0,1 dtk)", "Slowest queries (> 0.1 s)"),
    "system.slowest.none": ("Tidak ada kueri di atas 0,1 dtk.", "No query above 0.1 s."),
    "system.slowest.name": ("Kueri", "Query"),
    "system.slowest.seconds": ("Terlama (dtk)", "Slowest (s)"),
}
