"""Words of the Pipeline page (issue 17), merged into `i18n.TEXT`."""

from __future__ import annotations

PIPELINE_TEXT: dict[str, tuple[str, str]] = {
    "nav.pipeline": ("Pipeline", "Pipeline"),
    "pipe.title": ("Mengatur pipeline", "Customizing the pipeline"),
    "pipe.caption": (
        "Versi {n} berlaku sejak {when}, oleh {who}. Jamaah baru mendaftar pada versi terbaru; "
        "jamaah lain tetap pada versinya sampai dimigrasikan.",
        "Version {n} is in force since {when}, by {who}. New jamaah enrol on the newest version; "
        "others stay on theirs until migrated.",
    ),
    "pipe.readonly": (
        "Hanya Manajer Operasional dan Super Admin yang dapat mengubah pipeline.",
        "Only operations managers and super admins can change the pipeline.",
    ),
    "pipe.tab.published": ("Versi berlaku", "Published version"),
    "pipe.tab.draft": ("Draf", "Draft"),
    "pipe.tab.history": ("Riwayat", "History"),
    "pipe.tab.migrate": ("Migrasi jamaah", "Migrate jamaah"),
    "pipe.col.position": ("#", "#"),
    "pipe.col.code": ("Kode", "Code"),
    "pipe.col.name": ("Nama tahap", "Stage"),
    "pipe.col.name_id": ("Nama (ID)", "Name (ID)"),
    "pipe.col.name_en": ("Nama (EN)", "Name (EN)"),
    "pipe.col.category": ("Kategori", "Category"),
    "pipe.col.sla_hours": ("SLA (jam)", "SLA (hours)"),
    "pipe.col.responsible_role": ("Peran", "Role"),
    "pipe.col.done_by_days": ("Selesai paling lambat (H-)", "Done by (H-)"),
    "pipe.col.is_active": ("Aktif", "Active"),
    "pipe.export": ("Ekspor JSON", "Export JSON"),
    "pipe.start": ("Mulai dari", "Start from"),
    "pipe.start.head": ("Versi berlaku", "The published version"),
    "pipe.start.template": ("Templat {code}", "Template {code}"),
    "pipe.start.button": ("Buat draf", "Create a draft"),
    "pipe.import": ("Atau impor JSON", "Or import JSON"),
    "pipe.draft.caption": (
        "Draf #{id} oleh {who}, dari versi {base}. Ubah tabel, lalu simpan; urutan baris adalah "
        "urutan tahap.",
        "Draft #{id} by {who}, from version {base}. Edit the table, then save; the row order is "
        "the stage order.",
    ),
    "pipe.draft.others": (
        "Draf lain yang sedang dikerjakan: {who}. Siapa pun yang menerbitkan lebih dulu, yang lain "
        "melihat perubahannya sebelum menerbitkan; tidak ada draf yang hilang.",
        "Other drafts in progress: {who}. Whoever publishes first, the other sees those changes "
        "before publishing; no draft is lost.",
    ),
    "pipe.save": ("Simpan draf", "Save draft"),
    "pipe.saved": ("Draf disimpan.", "Draft saved."),
    "pipe.discard": ("Buang draf", "Discard draft"),
    "pipe.discarded": ("Draf dibuang.", "Draft discarded."),
    "pipe.errors": (
        "{n} masalah harus diperbaiki sebelum terbit.",
        "{n} problem(s) to fix before publishing.",
    ),
    "pipe.ok": ("Draf valid.", "The draft is valid."),
    "pipe.where": ("Baris {row}, {field}: {message}", "Row {row}, {field}: {message}"),
    "pipe.preview": ("Pratinjau dampak", "Preview the effect"),
    "pipe.preview.caption": (
        "Jika {n} jamaah yang masih berjalan dipindahkan: {changed} berubah status; tugas tetap {kept}, "
        "pindah peran {moved}, diganti {replaced}, ditutup {closed}.",
        "If the {n} open jamaah moved: {changed} change status; tasks kept {kept}, moved to another role "
        "{moved}, replaced {replaced}, closed {closed}.",
    ),
    "pipe.pv.now": ("Jamaah kini", "Jamaah now"),
    "pipe.pv.tasks": ("Tugas terbuka", "Open tasks"),
    "pipe.pv.after": ("Jamaah sesudah", "Jamaah after"),
    "pipe.pv.changes": ("Berubah status", "Status changes"),
    "pipe.pv.removed": ("(dihapus)", "(removed)"),
    "pipe.note": ("Catatan versi", "Version note"),
    "pipe.publish": ("Terbitkan", "Publish"),
    "pipe.published": ("Versi {n} terbit.", "Version {n} published."),
    "pipe.conflict": (
        "{who} menerbitkan versi {n} lebih dulu. Draf Anda tetap tersimpan; lihat perubahannya "
        "lalu terbitkan lagi.",
        "{who} published version {n} first. Your draft is kept; look at what changed, then publish again.",
    ),
    "pipe.refused": ("Tidak dapat dilakukan", "Could not be done"),
    "pipe.conflict.changes": (
        "Yang diubah di versi {n} dibanding versi awal draf Anda:",
        "What version {n} changed from the version your draft began from:",
    ),
    "pipe.import.too_large": ("Berkas lebih dari 200 kB.", "The file is larger than 200 kB."),
    "pipe.import.not_json": (
        "Berkas bukan JSON; ekspor sebuah pipeline untuk melihat bentuk yang diharapkan.",
        "The file is not JSON; export a pipeline to see the expected form.",
    ),
    "pipe.import.no_stages": (
        'Berkas tidak berisi daftar tahap di bawah "stages".',
        'The file holds no list of stages under "stages".',
    ),
    "pipe.history.version": ("Versi", "Version"),
    "pipe.history.by": ("Oleh", "By"),
    "pipe.history.when": ("Waktu", "When"),
    "pipe.history.note": ("Catatan", "Note"),
    "pipe.history.jamaah": ("Jamaah", "Jamaah"),
    "pipe.compare": ("Bandingkan", "Compare"),
    "pipe.compare.old": ("Versi lama", "Older version"),
    "pipe.compare.new": ("Versi baru", "Newer version"),
    "pipe.compare.kind": ("Perubahan", "Change"),
    "pipe.compare.fields": ("Rincian", "Details"),
    "pipe.kind.added": ("ditambah", "added"),
    "pipe.kind.removed": ("dihapus", "removed"),
    "pipe.kind.changed": ("diubah", "changed"),
    "pipe.kind.same": ("sama", "same"),
    "pipe.kind.moved": ("dipindah", "moved"),
    "pipe.rollback": ("Kembalikan ke versi ini", "Roll back to this version"),
    "pipe.rolled_back": (
        "Versi {n} terbit dengan tahap versi {old}.",
        "Version {n} published with version {old}'s stages.",
    ),
    "pipe.migrate.from": ("Dari versi", "From version"),
    "pipe.migrate.group": ("Rombongan", "Departure group"),
    "pipe.migrate.all": ("Semua rombongan", "All groups"),
    "pipe.migrate.none": (
        "Semua jamaah yang berjalan sudah pada versi terbaru.",
        "Every open jamaah is on the newest version.",
    ),
    "pipe.migrate.button": ("Migrasikan ke versi {n}", "Migrate to version {n}"),
    "pipe.migrated": ("{n} jamaah dipindahkan ke versi {v}.", "{n} jamaah moved to version {v}."),
    "pipe.migrate.running": ("Memindahkan {n} jamaah ke versi {v}…", "Moving {n} jamaah to version {v}…"),
    "pipe.migrate.starting": ("Memulai…", "Starting…"),
    "pipe.migrate.batch": (
        "Batch {k}: {done} dari {total} jamaah sudah dipindahkan",
        "Batch {k}: {done} of {total} jamaah moved",
    ),
    "pipe.migrate.done": ("Migrasi selesai", "Migration complete"),
    "pipe.migrate.stopped": ("Migrasi berhenti", "Migration stopped"),
    "pipe.migrate.result": (
        "{n} jamaah dipindahkan dari versi {old} ke versi {v} dalam {batches} batch. Tugas terbuka: "
        "{moved} dipindahkan ke tahap baru, {created} dibuat, {closed} ditutup.",
        "{n} jamaah moved from version {old} to version {v} in {batches} batch(es). Open tasks: "
        "{moved} moved to the new stage, {created} created, {closed} closed.",
    ),
    "pipe.migrate.failed": (
        "{message} {n} jamaah sudah dipindahkan dan tetap di versi baru; jalankan migrasi lagi untuk "
        "melanjutkan sisanya.",
        "{message} {n} jamaah were moved already and stay on the new version; run the migration again "
        "to move the rest.",
    ),
    "pipe.migrate.head_moved": (
        "Versi {n} terbit sementara Anda melihat pemetaan ke versi {old}; belum ada jamaah yang "
        "dipindahkan. Periksa pemetaan dan pratinjau ke versi {n}, lalu migrasikan.",
        "Version {n} was published while you looked at the mapping to version {old}; nobody was "
        "moved. Check the mapping and preview for version {n}, then migrate.",
    ),
    "pipe.map.title": ("Pemetaan tahap", "Stage mapping"),
    "pipe.map.caption": (
        "Untuk setiap tahap lama yang berisi jamaah: tahap versi {n} tempat mereka melanjutkan. Tahap "
        "dengan kode yang sama berlanjut dengan waktu mulainya dan tugasnya; tahap lain dimulai "
        'sekarang dengan tugas baru; "Selesai" menutup pipeline jamaah itu.',
        "For each old stage holding jamaah: the stage of version {n} they continue in. The same code "
        "continues with its start time and its task; another stage starts now with a new task; "
        '"Done" completes those jamaah\'s pipeline.',
    ),
    "pipe.map.stage": ("{name} ({code}) · {n} jamaah →", "{name} ({code}) · {n} jamaah →"),
    "pipe.map.removed": ("tidak ada lagi di versi baru", "no longer in the new version"),
    "pipe.map.choose": ("Pilih tahap tujuan", "Choose the new stage"),
    "pipe.map.finish": ("Selesai (tidak ada tahap lagi)", "Done (no stage left)"),
    "pipe.map.missing": (
        "Tahap {stages} tidak ada di versi {n}. Pilih ke tahap mana jamaahnya pindah, lalu migrasikan.",
        "Stage(s) {stages} do not exist in version {n}. Choose where their jamaah go, then migrate.",
    ),
    "pipe.preview.moves": ("Perubahan status: {moves}.", "Status changes: {moves}."),
    "pipe.preview.no_moves": ("Tidak ada jamaah yang berubah status.", "No jamaah changes status."),
}

#: One sentence per `pipeline.Problem.code`, with the same placeholders as its English message.
PROBLEM_TEXT: dict[str, tuple[str, str]] = {
    "pipe.problem.code_missing": (
        "Beri kode tahap (huruf kecil, angka, tanda hubung).",
        "Give the stage a code.",
    ),
    "pipe.problem.code_format": (
        "Kode {value!r} hanya boleh huruf kecil, angka dan tanda hubung.",
        "The code {value!r} may hold only lower-case letters, digits and dashes.",
    ),
    "pipe.problem.code_duplicate": (
        "Kode {value!r} juga dipakai tahap {other}; kode harus unik.",
        "The code {value!r} is used by stage {other} too; codes must be unique.",
    ),
    "pipe.problem.name_missing": ("Beri nama tahap.", "Give the stage a name."),
    "pipe.problem.name_long": (
        "Nama tahap paling banyak {limit} karakter.",
        "A stage name has at most {limit} characters.",
    ),
    "pipe.problem.category_unknown": (
        "{value!r} bukan kategori; pilih {choices}.",
        "{value!r} is not a category; choose {choices}.",
    ),
    "pipe.problem.sla_whole": (
        "SLA harus bilangan bulat jam, bukan {value!r}.",
        "The SLA is a whole number of hours, not {value!r}.",
    ),
    "pipe.problem.sla_range": (
        "SLA harus lebih dari 0 dan paling banyak {limit} jam, bukan {value}.",
        "The SLA must be more than 0 and at most {limit} hours, not {value}.",
    ),
    "pipe.problem.role_unknown": (
        "{value!r} bukan peran yang mengerjakan antrean; pilih {choices}.",
        "{value!r} is not a role that works a queue; choose {choices}.",
    ),
    "pipe.problem.done_by_whole": (
        "'Selesai paling lambat' harus bilangan bulat hari.",
        "'Done by' is a whole number of days.",
    ),
    "pipe.problem.done_by_range": (
        "'Selesai paling lambat' antara H-0 dan H-{limit}.",
        "'Done by' is from H-0 to H-{limit}.",
    ),
    "pipe.problem.done_by_order": (
        "H-{value} jatuh lebih awal dari H-{earlier} tahap {other} melebihi SLA tahap itu, padahal "
        "tahap ini sesudahnya.",
        "H-{value} falls before stage {other}'s H-{earlier} by more than that stage's SLA, though "
        "it comes after it.",
    ),
    "pipe.problem.no_active_stage": ("Minimal satu tahap harus aktif.", "At least one stage must be active."),
    "pipe.problem.too_many": (
        "Pipeline paling banyak {limit} tahap.",
        "A pipeline has at most {limit} stages.",
    ),
    "pipe.problem.visa_before_hotel": (
        "Pengajuan visa sebelum booking hotel: sejak 10 Juni 2025 visa Umrah baru terbit setelah "
        "kontrak hotel tercatat di Nusuk Masar.",
        "The visa application comes before the hotel booking: since 10 June 2025 an Umrah visa is "
        "issued only once the hotel contract is recorded in Nusuk Masar.",
    ),
    "pipe.problem.verification_before_collection": (
        "Verifikasi dokumen sebelum pengumpulan dokumen.",
        "Document verification comes before document collection.",
    ),
    "pipe.problem.approval_before_submission": (
        "Persetujuan SISKOPATUH sebelum pengajuannya.",
        "SISKOPATUH approval comes before its submission.",
    ),
    "pipe.problem.approval_before_application": (
        "Persetujuan visa sebelum pengajuan visa.",
        "Visa approval comes before the visa application.",
    ),
    "pipe.problem.ready_not_last": (
        "'Siap Berangkat' bukan tahap aktif terakhir.",
        "'Ready to depart' is not the last active stage.",
    ),
}
PIPELINE_TEXT.update(PROBLEM_TEXT)
