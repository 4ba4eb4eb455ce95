"""Words of the document scans on the jamaah detail page (issue 19)."""

from __future__ import annotations

SCAN_TEXT: dict[str, tuple[str, str]] = {
    "scans.title": ("Pindaian dokumen", "Document scans"),
    "scans.none": ("Belum ada pindaian.", "No scans yet."),
    "scans.facts": ("{type} · {size} · {who} · {when}", "{type} · {size} · {who} · {when}"),
    "scans.view": ("Lihat", "View"),
    "scans.view.help": (
        "Membuka pindaian tercatat di log aktivitas jamaah ini.",
        "Opening a scan is recorded in this jamaah's activity log.",
    ),
    "scans.view_restricted": (
        "Pindaian hanya dapat dibuka oleh peran yang boleh melihat data pribadi (Manajer Operasional).",
        "Scans can be opened only by roles that may see personal data (operations managers).",
    ),
    "scans.download": ("Unduh {name}", "Download {name}"),
    "scans.remove": ("Hapus", "Remove"),
    "scans.remove.confirm": (
        "Hapus pindaian {document}? Status dokumen tidak berubah.",
        "Remove the scan of the {document}? The document's status does not change.",
    ),
    "scans.remove.yes": ("Ya, hapus", "Yes, remove"),
    "scans.removed": ("Pindaian {document} dihapus.", "Scan of the {document} removed."),
    "scans.document": ("Dokumen", "Document"),
    "scans.file": ("Berkas pindaian", "Scan file"),
    "scans.file.help": (
        "PDF, JPEG atau PNG, paling besar {limit}. Pindaian yang sudah ada akan diganti.",
        "PDF, JPEG or PNG, at most {limit}. An existing scan is replaced.",
    ),
    "scans.upload": ("Unggah pindaian", "Upload scan"),
    "scans.pick_file": ("Pilih berkas pindaian dulu.", "Choose the scan file first."),
    "scans.saved": ("Pindaian {document} disimpan.", "Scan of the {document} saved."),
    "scans.not_saved": (
        "Pindaian tidak disimpan: data jamaah berubah atau Anda tidak berhak. Muat ulang halaman.",
        "The scan was not saved: the jamaah changed or you may not do this. Reload the page.",
    ),
    "scans.refused.empty": (
        "Berkas kosong. Pilih berkas pindaian yang benar.",
        "The file is empty. Choose the right scan file.",
    ),
    "scans.refused.too_large": (
        "Berkas lebih besar dari {limit}. Pindai dengan resolusi lebih rendah (150–300 dpi) atau simpan "
        "sebagai JPEG.",
        "The file is larger than {limit}. Scan at a lower resolution (150–300 dpi) or save it as JPEG.",
    ),
    "scans.refused.wrong_type": (
        "Berkas bukan PDF, JPEG atau PNG (isi berkas yang diperiksa, bukan namanya). Simpan pindaian "
        "dalam salah satu format itu.",
        "The file is not a PDF, JPEG or PNG (its content is checked, not its name). Save the scan in "
        "one of these formats.",
    ),
    "scans.refused.damaged": (
        "Gambar rusak atau tidak lengkap dan tidak bisa dibuka. Pindai ulang.",
        "The image is damaged or incomplete and does not open. Scan it again.",
    ),
    "scans.denied": (
        "Anda tidak berhak membuka pindaian dokumen.",
        "You may not open document scans.",
    ),
    "scans.gone": (
        "Pindaian ini sudah tidak ada (dihapus orang lain). Muat ulang halaman.",
        "This scan is no longer there (someone removed it). Reload the page.",
    ),
    "scans.unreadable": (
        "Pindaian tidak dapat dibuka dengan kunci data pribadi saat ini. Hubungi admin sistem.",
        "The scan cannot be opened with the current personal-data key. Contact the system admin.",
    ),
    "field.file_type": ("jenis berkas", "file type"),
    "field.size": ("ukuran", "size"),
    "activity.document.scan_uploaded": ("Pindaian dokumen diunggah", "Document scan uploaded"),
    "activity.document.scan_replaced": ("Pindaian dokumen diganti", "Document scan replaced"),
    "activity.document.scan_removed": ("Pindaian dokumen dihapus", "Document scan removed"),
    "activity.document.scan_viewed": ("Pindaian dokumen dibuka", "Document scan viewed"),
}
