"""Words of the document checklist (issue 19): the desk's table editor, the card, the jamaah detail."""

from __future__ import annotations

DOCUMENT_TEXT: dict[str, tuple[str, str]] = {
    "nav.documents": ("Dokumen jamaah", "Jamaah documents"),
    "docs.kind.passport": ("Paspor", "Passport"),
    "docs.kind.ktp": ("KTP", "KTP (identity card)"),
    "docs.kind.kk": ("KK", "KK (family card)"),
    "docs.kind.passport_photo": ("Pas foto", "Passport photo"),
    "docs.kind.meningitis_certificate": (
        "Sertifikat vaksin meningitis",
        "Meningitis vaccination certificate",
    ),
    "docs.kind.mahram_letter": ("Buku nikah / surat mahram", "Marriage book / mahram letter"),
    "docs.status.missing": ("Belum ada", "Missing"),
    "docs.status.received": ("Diterima", "Received"),
    "docs.status.verified": ("Terverifikasi", "Verified"),
    "docs.status.rejected": ("Ditolak", "Rejected"),
    "docs.title": ("Dokumen jamaah", "Jamaah documents"),
    "docs.caption": (
        "Tandai dokumen yang diterima, terverifikasi atau ditolak (dengan alasan) untuk banyak jamaah "
        "sekaligus; satu kali simpan = satu transaksi, setiap perubahan tercatat di log aktivitas.",
        "Mark documents received, verified or rejected (with a reason) for many jamaah at once; one "
        "save is one transaction and every change goes into the activity log.",
    ),
    "docs.group": ("Rombongan", "Departure group"),
    "docs.all_groups": ("Semua rombongan", "All groups"),
    "docs.desk_only": (
        "Hanya jamaah di tahap pengumpulan / verifikasi dokumen",
        "Only jamaah in document collection / verification",
    ),
    "docs.empty": ("Tidak ada jamaah untuk pilihan ini.", "No jamaah for this choice."),
    "docs.limit": ("Menampilkan {n} jamaah pertama (urut nama).", "Showing the first {n} jamaah (by name)."),
    "docs.col.jamaah": ("Jamaah", "Jamaah"),
    "docs.col.stage": ("Tahap", "Stage"),
    "docs.col.document": ("Dokumen", "Document"),
    "docs.col.status": ("Status", "Status"),
    "docs.col.reason": ("Alasan (jika ditolak)", "Reason (if rejected)"),
    "docs.col.updated": ("Diubah oleh", "Changed by"),
    "docs.save": ("Simpan perubahan", "Save changes"),
    "docs.saved": ("{n} dokumen disimpan.", "{n} documents saved."),
    "docs.nothing": ("Tidak ada perubahan.", "Nothing changed."),
    "docs.readonly": (
        "Hanya Admin Dokumen, Manajer Operasional dan Super Admin yang mengubah status dokumen.",
        "Only document admins, operations managers and super admins change document statuses.",
    ),
    "docs.problem": ("{name} — {document}: {message}", "{name} — {document}: {message}"),
    "docs.need_reason": ("tulis alasan penolakan", "write why it is rejected"),
    "docs.not_required": ("tidak wajib lagi", "no longer required"),
    "docs.card": ("Dokumen: {items}", "Documents: {items}"),
    "docs.card_all_ok": ("Dokumen lengkap", "Documents complete"),
    "docs.refused.document-collection": (
        "Pengumpulan dokumen belum bisa diselesaikan: masih belum ada / ditolak: {names}.",
        "Document collection cannot be completed yet: still missing or rejected: {names}.",
    ),
    "docs.refused.document-verification": (
        "Verifikasi dokumen belum bisa diselesaikan: belum terverifikasi: {names}.",
        "Document verification cannot be completed yet: not yet verified: {names}.",
    ),
    "docs.detail": ("Dokumen", "Documents"),
    "docs.edit_link": ("Ubah status dokumen", "Change document statuses"),
    "docs.settings": ("Dokumen yang diwajibkan agen", "Documents the agency requires"),
    "docs.settings.kinds": ("Dokumen wajib", "Required documents"),
    "docs.settings.help": (
        "Berlaku untuk daftar periksa dan tahap dokumen. Buku nikah / surat mahram hanya untuk perempuan "
        "di bawah 45 tahun tanpa pendamping. Dokumen yang dihapus menjadi 'tidak wajib lagi'; yang "
        "ditambah dianggap belum ada.",
        "Applies to the checklists and the document stages. The marriage book / mahram letter only for "
        "a woman under 45 without a companion. A document removed becomes 'no longer required'; one "
        "added reads as missing.",
    ),
    "docs.settings.save": ("Simpan dokumen wajib", "Save required documents"),
    "docs.settings.saved": ("Dokumen wajib disimpan.", "Required documents saved."),
    "activity.workspace.documents_changed": ("Dokumen wajib diubah", "Required documents changed"),
    "activity.document.updated": ("Status dokumen diubah", "Document status changed"),
}
