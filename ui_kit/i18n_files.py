"""Words of the Import & export page (issue 19, files in and out), merged into `i18n.TEXT`."""

from __future__ import annotations

FILES_TEXT: dict[str, tuple[str, str]] = {
    "nav.files": ("Impor & ekspor", "Import & export"),
    "activity.jamaah.imported": ("Jamaah diimpor dari file", "Jamaah imported from a file"),
    "activity.group.exported": ("Data rombongan diekspor", "Group data exported"),
    "files.title": ("Impor & ekspor data jamaah", "Import & export jamaah data"),
    "files.caption": (
        "Masukkan jamaah dari Excel/CSV (template SISKOPATUH atau kolom sendiri) dan unduh file SISKOPATUH, "
        "manifest, dan daftar jamaah per rombongan.",
        "Bring jamaah in from Excel/CSV (the SISKOPATUH template or your own columns) and download each "
        "group's SISKOPATUH workbook, manifest and jamaah list.",
    ),
    "files.group": ("Rombongan", "Departure group"),
    "files.no_groups": (
        "Belum ada rombongan: buat dulu di halaman Rombongan.",
        "No group yet: create one on Departure groups.",
    ),
    "files.import": ("Impor jamaah", "Import jamaah"),
    "files.template": ("Unduh template kosong", "Download the blank template"),
    "files.upload": ("File .xlsx, .xlsm atau .csv", ".xlsx, .xlsm or .csv file"),
    "files.limits": (
        "Paling besar {mb} MB dan {rows} baris. Makro tidak pernah dijalankan; rumus dibaca nilainya.",
        "At most {mb} MB and {rows} rows. Macros never run; a formula is read as its value.",
    ),
    "files.check": ("Periksa (uji coba)", "Check (dry run)"),
    "files.unknown": (
        "Kolom ini tidak dikenal. Pilih isinya, atau '-' untuk melewatinya:",
        "These columns are not known. Choose what each holds, or '-' to skip it:",
    ),
    "files.new": ("Baru", "New"),
    "files.updated": ("Diperbarui", "Updated"),
    "files.unchanged": ("Tidak berubah", "Unchanged"),
    "files.errors": ("Baris salah", "Rows in error"),
    "files.error_table": ("Perbaiki baris ini di file Anda:", "Fix these rows in your file:"),
    "files.error_download": ("Unduh daftar kesalahan", "Download the errors"),
    "files.row": ("Baris", "Row"),
    "files.column": ("Kolom", "Column"),
    "files.message": ("Pesan", "Message"),
    "files.warnings": ("Peringatan (tetap disimpan)", "Warnings (saved anyway)"),
    "files.valid_only": ("Impor baris yang benar saja", "Import the valid rows only"),
    "files.commit": ("Impor sekarang", "Import now"),
    "files.all_or_nothing": (
        "Ada baris salah: tanpa pilihan di atas, tidak ada yang diimpor.",
        "Some rows are in error: without the option above, nothing is imported.",
    ),
    "files.progress": ("Menyimpan {done} dari {total} jamaah…", "Saving {done} of {total} jamaah…"),
    "files.done": (
        "{file}: {new} jamaah baru, {updated} diperbarui, {unchanged} tidak berubah.",
        "{file}: {new} new jamaah, {updated} updated, {unchanged} unchanged.",
    ),
    "files.refused": (
        "Tidak ada yang diimpor: perbaiki baris yang salah dulu.",
        "Nothing imported: fix the rows in error first.",
    ),
    "files.export": ("Ekspor rombongan", "Export a group"),
    "files.export_note": (
        "File berisi NIK dan nomor paspor lengkap; setiap unduhan tercatat di log aktivitas.",
        "The files hold full NIK and passport numbers; every download is recorded in the activity log.",
    ),
    "files.kind.siskopatuh.xlsx": ("SISKOPATUH (.xlsx)", "SISKOPATUH (.xlsx)"),
    "files.kind.manifest.xlsx": ("Manifest (.xlsx)", "Manifest (.xlsx)"),
    "files.kind.jamaah.xlsx": ("Daftar jamaah (.xlsx)", "Jamaah list (.xlsx)"),
    "files.kind.jamaah.csv": ("Daftar jamaah (.csv)", "Jamaah list (.csv)"),
    "files.gaps": (
        "{count} jamaah belum lengkap untuk SISKOPATUH:",
        "{count} jamaah lack a value SISKOPATUH requires:",
    ),
    "files.no_gaps": ("Semua kolom wajib SISKOPATUH terisi.", "Every required SISKOPATUH column is filled."),
    "files.gap_name": ("Nama", "Name"),
    "files.gap_missing": ("Belum diisi", "Missing"),
    "files.cannot_import": (
        "Impor hanya untuk Admin Dokumen, Manajer Operasional dan Super Admin.",
        "Importing is for document admins, operations managers and super admins.",
    ),
}
