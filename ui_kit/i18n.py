"""Every word the UI shows, in Bahasa Indonesia (the default) and English: one table, `t(key)`.

The language is the sidebar switch `lang` (kept in the URL, `?lang=en`). Domain words (roles,
statuses, priorities, stage names) are translated here too, so a page never holds a literal.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from pipeline_core.domain import JamaahStatus, KanbanColumn, Priority, Role, Severity, WorkStatus, formatting
from ui_kit.i18n_admin import ADMIN_TEXT
from ui_kit.i18n_documents import DOCUMENT_TEXT
from ui_kit.i18n_files import FILES_TEXT
from ui_kit.i18n_intake import INTAKE_TEXT
from ui_kit.i18n_pipeline import PIPELINE_TEXT
from ui_kit.i18n_scans import SCAN_TEXT
from ui_kit.i18n_system import SYSTEM_TEXT
from ui_kit.i18n_tokens import TOKEN_TEXT
from ui_kit.i18n_versions import VERSION_TEXT

LANGUAGES = {"id": "Indonesia", "en": "English"}

TEXT: dict[str, tuple[str, str]] = {
    # --- app, sidebar, navigation
    "app.title": ("Umrah Pipeline", "Umrah Pipeline"),
    "lang.label": ("Bahasa / Language", "Bahasa / Language"),
    "nav.overview": ("Ringkasan pipeline", "Pipeline overview"),
    "nav.queue": ("Antrean tugas", "Task queue"),
    "nav.departures": ("Keberangkatan", "Departures"),
    "nav.bottlenecks": ("Hambatan", "Bottlenecks"),
    "nav.jamaah": ("Jamaah", "Jamaah"),
    "nav.activity": ("Log aktivitas", "Activity log"),
    "nav.users": ("Pengguna", "Users"),
    "dataset.label": ("Dataset demo", "Demo dataset"),
    "dataset.help": (
        "Setiap dataset adalah ruang kerja tersendiri: berpindah membawa Anda ke akun demo peran yang "
        "sama di dataset itu, tanpa mengubah data lain.",
        "Each dataset is a workspace of its own: switching takes you to the same role's demo account "
        "in that dataset, and never changes other data.",
    ),
    "dataset.refused": (
        "Dataset ini tidak dapat dibuka dengan akun Anda; Anda tetap di {name}.",
        "This dataset cannot be opened with your account; you stay in {name}.",
    ),
    "dataset.badge": ("Demo: {n} jamaah", "Demo: {n} jamaah"),
    "dataset.none": (
        "Belum ada dataset demo. Jalankan `python -m pipeline_core seed demo-13`.",
        "No demo dataset yet. Run `python -m pipeline_core seed demo-13`.",
    ),
    "account.signed_in": ("Masuk sebagai **{name}** ({role})", "Signed in as **{name}** ({role})"),
    "account.workspace": ("Ruang kerja: {name}", "Workspace: {name}"),
    "account.sign_out": ("Keluar", "Sign out"),
    "account.expired": (
        "Sesi Anda telah berakhir. Silakan masuk lagi.",
        "Your session has ended. Please sign in again.",
    ),
    "signin.title": ("Masuk", "Sign in"),
    "signin.intro": (
        "Masuk dengan akun staf agensi Anda. Peran Anda menentukan apa yang dapat Anda lihat dan ubah.",
        "Sign in with your agency staff account. Your role decides what you can see and change.",
    ),
    "signin.username": ("Nama pengguna", "Username"),
    "signin.password": ("Kata sandi", "Password"),
    "signin.submit": ("Masuk", "Sign in"),
    "signin.refused": (
        "Nama pengguna atau kata sandi salah, atau akun terkunci sementara. Periksa lalu coba lagi; "
        "setelah 5 kali gagal akun dikunci 15 menit.",
        "Wrong username or password, or the account is temporarily locked. Check and try again; "
        "after 5 failed attempts the account is locked for 15 minutes.",
    ),
    "signin.unavailable": (
        "Layanan masuk sedang tidak dapat dihubungi. Coba lagi sebentar lagi.",
        "The sign-in service cannot be reached right now. Try again in a moment.",
    ),
    "outage.title": ("Basis data sedang tidak dapat dihubungi", "The database cannot be reached right now"),
    "outage.body": (
        "Tidak ada data yang hilang: semua yang sudah tersimpan tetap aman, dan perubahan yang belum "
        "tersimpan tidak dijalankan setengah. Halaman ini kembali normal sendiri begitu layanan pulih; "
        "Anda juga bisa mencoba lagi sekarang.",
        "Nothing was lost: everything saved is safe, and no change was half-made. This page comes back "
        "by itself once the service recovers; you can also try again now.",
    ),
    "outage.retry": ("Coba lagi", "Try again"),
    "signin.sso": ("Masuk dengan akun organisasi (SSO)", "Sign in with your organisation account (SSO)"),
    "signin.sso.no_account": (
        "Tidak ada akun aktif dengan e-mail {email} di sini. Minta super admin agensi Anda membuat atau "
        "mengaktifkan akun dengan e-mail itu, lalu masuk lagi.",
        "There is no active account with the e-mail {email} here. Ask your agency's super-admin to "
        "create or reactivate an account with that e-mail, then sign in again.",
    ),
    "signin.demo.title": ("Akun demo", "Demo accounts"),
    "signin.demo.intro": (
        "Data demo berisi jamaah fiktif. Setiap peran punya akun; kata sandinya `{password}`.",
        "The demo data holds fictional jamaah. Each role has an account; the password is `{password}`.",
    ),
    "signin.demo.as": ("Masuk", "Sign in"),
    "signin.none": (
        "Belum ada akun. Administrator membuat akun pertama dengan "
        "`python -m pipeline_core create-user --role super-admin …`.",
        "No accounts yet. An administrator creates the first one with "
        "`python -m pipeline_core create-user --role super-admin …`.",
    ),
    # --- shared
    "loading": ("Memuat…", "Loading…"),
    "section.failed": (
        "Bagian ini tidak dapat dimuat saat ini. Bagian lain tetap berfungsi.",
        "This section could not be loaded right now. The rest of the page still works.",
    ),
    "section.retry": ("Coba lagi", "Retry"),
    "pager.prev": ("Sebelumnya", "Previous"),
    "pager.next": ("Berikutnya", "Next"),
    "pager.status": ("Hal. {page}/{pages} · {total} total", "Page {page}/{pages} · {total} total"),
    "pager.size": ("Per halaman", "Per page"),
    "pager.page": ("Halaman", "Page"),
    "open_jamaah": ("Buka jamaah", "Open jamaah"),
    "days": ("{n} hari", "{n} days"),
    "none": ("—", "—"),
    "reload": ("Muat ulang", "Reload"),
    # --- overview
    "overview.title": ("Ringkasan pipeline", "Pipeline overview"),
    "kpi.total": ("Total jamaah", "Total jamaah"),
    "kpi.total.help": (
        "Semua jamaah terdaftar di ruang kerja ini, termasuk yang sudah selesai.",
        "Every jamaah registered in this workspace, completed ones included.",
    ),
    "kpi.on_track": ("Sesuai jadwal", "On track"),
    "kpi.on_track.help": (
        "Belum selesai, tidak terlambat, tidak diblokir, dan sisa SLA selesai sebelum H-3 keberangkatan.",
        "Not completed, not overdue, not blocked, and the remaining SLAs end before 3 days ahead of "
        "departure.",
    ),
    "kpi.at_risk": ("Berisiko", "At risk"),
    "kpi.at_risk.help": (
        "Tahap saat ini diblokir, atau sisa SLA semua tahap berakhir setelah H-3 keberangkatan.",
        "The current stage is blocked, or the remaining SLAs end later than 3 days before departure.",
    ),
    "kpi.overdue": ("Terlambat", "Overdue"),
    "kpi.overdue.help": (
        "Tahap saat ini melewati tenggatnya, atau tanggal keberangkatan sudah lewat.",
        "The current stage is past its due time, or the departure date has passed.",
    ),
    "kpi.health": ("Skor kesehatan", "Health score"),
    "kpi.health.help": (
        "Jamaah sesuai jadwal dibagi jamaah yang belum selesai (total − selesai).",
        "On-track jamaah divided by the jamaah not yet completed (total − completed).",
    ),
    "stages.title": ("Tahapan aktif", "Active stages"),
    "stages.overdue": ("{n} terlambat", "{n} overdue"),
    "stages.in_progress": ("{n} dikerjakan", "{n} in progress"),
    "stages.avg": ("Rata-rata {avg} hari · SLA {sla} hari", "Average {avg} days · SLA {sla} days"),
    "stages.avg_none": ("Belum ada yang selesai · SLA {sla} hari", "None completed yet · SLA {sla} days"),
    "stages.empty": ("Belum ada tahap aktif.", "No active stage yet."),
    "chart.title": ("Pipeline per tahap dan status", "Pipeline by stage and status"),
    "chart.alt": (
        "Jumlah jamaah per tahap: dikerjakan, menunggu, diblokir dan terlambat",
        "Jamaah per stage: in progress, pending, blocked and overdue",
    ),
    "chart.in_progress": ("Dikerjakan", "In progress"),
    "chart.pending": ("Menunggu", "Pending"),
    "chart.blocked": ("Diblokir", "Blocked"),
    "chart.overdue": ("Terlambat", "Overdue"),
    "chart.jamaah": ("Jamaah", "Jamaah"),
    "chart.failed": (
        "Grafik tidak dapat dimuat. Muat ulang halaman untuk mencoba lagi.",
        "The chart could not be loaded. Reload the page to try again.",
    ),
    "chart.empty": ("Belum ada jamaah yang sedang berjalan.", "No jamaah in progress yet."),
    "alerts.became_critical": ("Hambatan kini kritis: {stage}", "Bottleneck now critical: {stage}"),
    "live.table_changed": (
        "Rekan Anda mengubah tugas di antrean ini. Tekan **Muat ulang** untuk melihatnya; suntingan "
        "Anda yang belum disimpan tetap aman sampai itu.",
        "Colleagues changed tasks in this queue. Press **Reload** to see them; your unsaved edits "
        "stay safe until then.",
    ),
    # the live indicator (ui_kit/live.py), drawn by the browser in the language it is given
    "live.status.live": ("Langsung", "Live"),
    "live.status.reconnecting": ("Menyambung ulang…", "Reconnecting…"),
    "live.status.connecting": ("Menyambung…", "Connecting…"),
    "live.status.offline": ("Offline", "Offline"),
    "live.status.stale": ("Data mungkin sudah usang.", "The data may be out of date."),
    "live.status.reload": ("Muat ulang", "Reload"),
    # a colleague's change in a toast: "Rina menyelesaikan Pengajuan Visa — Ahmad Hidayat"
    "live.did.task.completed": ("menyelesaikan", "completed"),
    "live.did.task.blocked": ("memblokir", "blocked"),
    "live.did.task.unblocked": ("membuka blokir", "unblocked"),
    "live.did.task.updated": ("mengubah", "updated"),
    "live.did.task.reassigned": ("mengalihkan", "reassigned"),
    "live.did.jamaah.enrolled": ("mendaftarkan", "enrolled"),
    "live.a_task": ("tugas", "a task"),
    "alerts.title": ("Peringatan hambatan", "Bottleneck alerts"),
    "alerts.empty": ("Tidak ada hambatan", "No bottlenecks"),
    "alerts.empty.detail": (
        "Tidak ada tahap dengan jamaah tertahan melewati batas peringatan.",
        "No stage has enough stuck jamaah to raise an alert.",
    ),
    "alerts.all": ("Lihat semua hambatan", "See all bottlenecks"),
    "departures.upcoming": ("Keberangkatan 7 hari ke depan", "Departures in the next 7 days"),
    "departures.all": ("Lihat semua keberangkatan", "See all departures"),
    "queue.open": ("Buka antrean tugas", "Open the task queue"),
    # --- bottleneck alert
    "alert.stuck": ("Tertahan", "Stuck"),
    "alert.delay": ("Rata-rata keterlambatan", "Average delay"),
    "alert.impact": ("Berangkat ≤ 14 hari", "Departing ≤ 14 days"),
    "alert.impact.help": (
        "Jamaah tertahan yang berangkat dalam 14 hari.",
        "Stuck jamaah who depart within 14 days.",
    ),
    "alert.trend": ("vs 7 hari lalu", "vs 7 days ago"),
    "alert.summary": (
        "**{stuck}** tertahan {trend}· rata-rata **{delay}** hari terlambat · "
        "**{impact}** berangkat ≤ 14 hari",
        "**{stuck}** stuck {trend}· average **{delay}** days late · **{impact}** depart ≤ 14 days",
    ),
    "alert.trend_none": ("Belum ada data 7 hari lalu", "No data from 7 days ago"),
    "alert.reason": ("Alasan terbanyak: {reason}", "Top reason: {reason}"),
    "alert.reason_none": ("Tidak ada alasan tercatat", "No reason recorded"),
    "alert.role": ("Penanggung jawab: {role}", "Responsible: {role}"),
    # --- task queue
    "queue.title": ("Antrean tugas", "Task queue"),
    "queue.role": ("Peran", "Role"),
    "queue.all_roles": ("Semua", "All"),
    "queue.search": ("Cari jamaah", "Search jamaah"),
    "queue.search.placeholder": (
        "Nama, NIK, nomor paspor atau telepon",
        "Name, NIK, passport or phone number",
    ),
    "queue.search.invalid": (
        "Ketik nama, NIK (16 angka), nomor paspor atau nomor telepon.",
        "Type a name, a NIK (16 digits), a passport number or a phone number.",
    ),
    "queue.search.identity_refused": (
        "Pencarian dengan NIK atau nomor paspor lengkap hanya untuk peran yang boleh membuka data"
        " pribadi (Manajer Operasional). Cari dengan nama atau nomor telepon.",
        "Searching by a full NIK or passport number is only for roles that may reveal personal data"
        " (operations managers). Search by name or phone number.",
    ),
    "queue.view": ("Tampilan", "View"),
    "queue.view.kanban": ("Kanban", "Kanban"),
    "queue.view.table": ("Tabel", "Table"),
    "queue.column": ("Kolom", "Column"),
    "queue.column.all": ("Semua kolom", "All columns"),
    "queue.column.empty": ("Tidak ada tugas", "No tasks"),
    "queue.empty": ("Tidak ada tugas terbuka untuk pilihan ini.", "No open tasks for this choice."),
    "queue.searching": ("Hasil pencarian “{q}”", "Results for “{q}”"),
    "column.urgent": ("Urgent", "Urgent"),
    "column.today": ("Hari ini", "Today"),
    "column.upcoming": ("Mendatang", "Upcoming"),
    "column.blocked": ("Diblokir", "Blocked"),
    # --- task card
    "task.call": ("Telepon", "Call"),
    "task.whatsapp": ("WhatsApp", "WhatsApp"),
    "task.complete": ("Selesai", "Done"),
    "task.block": ("Blokir", "Block"),
    "task.unblock": ("Lanjutkan", "Unblock"),
    "task.block.title": ("Blokir tugas", "Block the task"),
    "task.block.reason": ("Alasan diblokir", "Reason for blocking"),
    "task.block.placeholder": ("mis. menunggu scan paspor", "e.g. waiting for the passport scan"),
    "task.block.submit": ("Blokir tugas", "Block task"),
    "task.block.required": (
        "Tulis alasan tugas diblokir, mis. “menunggu scan paspor”.",
        "Say why the task is blocked, e.g. “waiting for the passport scan”.",
    ),
    "task.completed": ("Tugas selesai: {title} — {name}", "Task done: {title} — {name}"),
    "task.blocked": ("Tugas diblokir: {title} — {name}", "Task blocked: {title} — {name}"),
    "task.unblocked": ("Tugas dilanjutkan: {title} — {name}", "Task unblocked: {title} — {name}"),
    "task.conflict": (
        "Tugas ini baru saja diubah orang lain. Muat ulang untuk melihat keadaan terbaru.",
        "Someone else just changed this task. Reload to see its current state.",
    ),
    "task.denied": (
        "Peran Anda tidak boleh mengubah tugas ini.",
        "Your role may not change this task.",
    ),
    "task.failed": ("Perubahan tidak tersimpan: {error}", "The change was not saved: {error}"),
    "task.assignee": ("Petugas: {name}", "Assignee: {name}"),
    # --- task table
    "table.jamaah": ("Jamaah", "Jamaah"),
    "table.task": ("Tugas", "Task"),
    "table.stage": ("Tahap", "Stage"),
    "table.status": ("Status", "Status"),
    "table.priority": ("Prioritas", "Priority"),
    "table.assignee": ("Petugas", "Assignee"),
    "table.due": ("Tenggat", "Due"),
    "table.notes": ("Catatan", "Notes"),
    "table.alt": ("Tabel tugas yang dapat diubah", "Editable table of tasks"),
    "table.help": (
        "Ubah status, prioritas, petugas, tenggat atau catatan, lalu simpan. Selesaikan atau blokir "
        "tugas dari kartu di tampilan Kanban.",
        "Edit status, priority, assignee, due date or notes, then save. Complete or block a task from "
        "its card in the Kanban view.",
    ),
    "table.save": ("Simpan perubahan", "Save changes"),
    "table.saved": ("{n} tugas tersimpan.", "{n} tasks saved."),
    "table.nothing": ("Belum ada perubahan.", "No changes yet."),
    "table.row_failed": ("{title} — {name}: {error}", "{title} — {name}: {error}"),
    "conflict.title": ("Diubah orang lain: {title} — {name}", "Changed by someone else: {title} — {name}"),
    "conflict.body": (
        "Tugas ini diubah orang lain saat Anda mengedit. Perubahan Anda belum disimpan; pilih "
        "nilai yang dipakai.",
        "Someone else changed this task while you were editing. Your change is not saved yet; "
        "choose which values to keep.",
    ),
    "conflict.field": ("Kolom", "Field"),
    "conflict.theirs": ("Nilai mereka (sekarang)", "Their value (now)"),
    "conflict.mine": ("Nilai Anda", "Your value"),
    "conflict.keep_theirs": ("Pakai nilai mereka", "Keep theirs"),
    "conflict.apply_mine": ("Terapkan nilai saya", "Apply mine"),
    "conflict.closed": (
        "Tugas ini sudah diselesaikan orang lain; perubahan Anda tidak dapat diterapkan.",
        "Someone else completed this task; your change cannot be applied.",
    ),
    "conflict.dismiss": ("Tutup", "Dismiss"),
    # --- departures
    "departures.title": ("Keberangkatan", "Departures"),
    "departures.window": ("Berangkat dalam (hari)", "Departing within (days)"),
    "departures.empty": (
        "Tidak ada keberangkatan dalam {n} hari ke depan.",
        "No departures in the next {n} days.",
    ),
    "departures.count": ("{n} rombongan berangkat dalam {days} hari", "{n} groups depart within {days} days"),
    "departures.jamaah": ("Jamaah", "Jamaah"),
    "departures.readiness": ("Kesiapan", "Readiness"),
    "departures.not_ready": ("Belum siap", "Not ready"),
    "departures.in": ("H-{n}", "in {n} days"),
    "departures.today": ("Hari ini", "Today"),
    "departures.counts": (
        "**{jamaah}** jamaah · **{ready}** siap · **{not_ready}** belum siap",
        "**{jamaah}** jamaah · **{ready}** ready · **{not_ready}** not ready",
    ),
    "departures.airline": ("{airline} · pulang {back}", "{airline} · returns {back}"),
    "departures.stages": ("Belum siap per tahap", "Not ready, by stage"),
    "departures.all_ready": ("Semua jamaah siap berangkat.", "Every jamaah is ready to depart."),
    "departures.show": ("Lihat jamaah belum siap", "Show the jamaah not ready"),
    "departures.hide": ("Tutup daftar", "Close the list"),
    "departures.csv": ("Unduh CSV", "Download CSV"),
    # --- jamaah lists
    "list.name": ("Nama", "Name"),
    "list.stage": ("Tahap saat ini", "Current stage"),
    "list.status": ("Status", "Status"),
    "list.due": ("Tenggat", "Due"),
    "list.delay": ("Terlambat (hari)", "Delay (days)"),
    "list.reason": ("Alasan / catatan", "Reason / notes"),
    "list.departure": ("Berangkat", "Departs"),
    "list.package": ("Paket", "Package"),
    "list.phone": ("Telepon", "Phone"),
    "list.nik": ("NIK", "NIK"),
    "list.open": ("Detail", "Detail"),
    "list.alt": ("Daftar jamaah", "List of jamaah"),
    # --- bottlenecks
    "bottlenecks.title": ("Hambatan", "Bottlenecks"),
    "bottlenecks.severity": ("Tingkat", "Severity"),
    "bottlenecks.all": ("Semua", "All"),
    "bottlenecks.empty_filtered": (
        "Tidak ada hambatan dengan tingkat ini.",
        "No bottlenecks of this severity.",
    ),
    "bottlenecks.stuck_list": ("Jamaah tertahan", "Stuck jamaah"),
    "bottlenecks.history": ("Jamaah tertahan, 30 hari terakhir", "Stuck jamaah, last 30 days"),
    "bottlenecks.history.alt": (
        "Jumlah jamaah tertahan per tahap per hari selama 30 hari terakhir",
        "Stuck jamaah per stage per day over the last 30 days",
    ),
    "bottlenecks.history.empty": (
        "Riwayat terisi setiap hari saat halaman hambatan dibuka.",
        "The history fills in each day the bottlenecks are viewed.",
    ),
    "bottlenecks.day": ("Tanggal", "Date"),
    "bottlenecks.stage": ("Tahap", "Stage"),
    # --- jamaah detail
    "jamaah.title": ("Detail jamaah", "Jamaah detail"),
    "jamaah.search": ("Cari jamaah", "Find a jamaah"),
    "jamaah.pick": (
        "Cari dengan nama, NIK, nomor paspor atau telepon.",
        "Search by name, NIK, passport or phone.",
    ),
    "jamaah.no_results": ("Tidak ada jamaah yang cocok.", "No matching jamaah."),
    "jamaah.not_found": ("Jamaah {id} tidak ada di dataset ini.", "Jamaah {id} is not in this dataset."),
    "jamaah.back": ("Cari jamaah lain", "Find another jamaah"),
    "jamaah.profile": ("Profil", "Profile"),
    "jamaah.gender": ("Jenis kelamin", "Gender"),
    "jamaah.gender.L": ("Laki-laki", "Male"),
    "jamaah.gender.P": ("Perempuan", "Female"),
    "jamaah.birth": ("Tanggal lahir", "Birth date"),
    "jamaah.nik": ("NIK", "NIK"),
    "jamaah.phone": ("Telepon", "Phone"),
    "jamaah.passport": ("Paspor", "Passport"),
    "jamaah.passport.value": ("{number} · berlaku s.d. {expiry}", "{number} · valid until {expiry}"),
    "jamaah.reveal": ("Tampilkan NIK & paspor", "Show NIK & passport"),
    "jamaah.reveal.help": (
        "Menampilkan nomor lengkap sekali ini saja; permintaan Anda dicatat di log aktivitas jamaah.",
        "Shows the full numbers this once; your request is recorded in the jamaah's activity log.",
    ),
    "jamaah.revealed": (
        "Nomor lengkap ditampilkan atas permintaan Anda dan dicatat. Tersembunyi lagi saat halaman berubah.",
        "Full numbers shown at your request, and logged. Hidden again when the page changes.",
    ),
    "jamaah.masked": (
        "NIK dan nomor paspor disamarkan. Manajer dapat menampilkannya (dicatat).",
        "NIK and passport numbers are masked. Managers can show them (logged).",
    ),
    "jamaah.package": ("Paket", "Package"),
    "jamaah.departure": ("Berangkat", "Departure"),
    "jamaah.return": ("Pulang", "Return"),
    "jamaah.airline": ("Maskapai", "Airline"),
    "jamaah.agent": ("Agen", "Agent"),
    "jamaah.companion": ("Mahram / pendamping", "Companion"),
    "jamaah.progress": ("Progres {p}", "Progress {p}"),
    "jamaah.notes": ("Catatan", "Notes"),
    "jamaah.notes.none": ("Tidak ada catatan.", "No notes."),
    "passport.ok": (
        "Paspor berlaku cukup lama untuk keberangkatan ini.",
        "The passport is valid long enough.",
    ),
    "passport.warning": (
        "Paspor berlaku kurang dari batas peringatan agen setelah keberangkatan. Sarankan perpanjangan.",
        "The passport expires within the agency's warning period after departure. Suggest renewal.",
    ),
    "passport.too-short": (
        "Paspor harus berlaku minimal 6 bulan setelah keberangkatan. Verifikasi dokumen akan ditolak.",
        "The passport must be valid at least 6 months after departure. Document verification will stop.",
    ),
    "passport.missing": ("Data paspor belum ada.", "No passport details yet."),
    "timeline.title": ("Linimasa tahapan", "Stage timeline"),
    "timeline.stage": ("Tahap", "Stage"),
    "timeline.status": ("Status", "Status"),
    "timeline.started": ("Mulai", "Started"),
    "timeline.due": ("Tenggat", "Due"),
    "timeline.completed": ("Selesai", "Completed"),
    "timeline.planned": ("Rencana", "Planned"),
    "timeline.alt": ("Linimasa tahapan jamaah", "The jamaah's stage timeline"),
    "timeline.chart.alt": (
        "Rencana dan realisasi tiap tahap jamaah",
        "Planned and actual time of each stage of the jamaah",
    ),
    "timeline.actual": ("Realisasi", "Actual"),
    "tasks.title": ("Tugas", "Tasks"),
    "activity.title": ("Aktivitas", "Activity"),
    "activity.empty": ("Belum ada aktivitas.", "No activity yet."),
    "activity.jamaah.enrolled": ("Jamaah terdaftar", "Jamaah registered"),
    "activity.jamaah.registered": ("Jamaah terdaftar", "Jamaah registered"),
    "activity.jamaah.personal_data_revealed": ("Data pribadi dibuka", "Personal data revealed"),
    "activity.jamaah.updated": ("Data jamaah diubah", "Jamaah data edited"),
    "activity.group.created": ("Rombongan dibuat", "Group created"),
    "activity.group.updated": ("Rombongan diubah", "Group edited"),
    "activity.group.deleted": ("Rombongan dihapus", "Group deleted"),
    "activity.stage.completed": ("Tahap selesai", "Stage completed"),
    "activity.stage.blocked": ("Tahap diblokir", "Stage blocked"),
    "activity.task.completed": ("Tugas selesai", "Task completed"),
    "activity.task.blocked": ("Tugas diblokir", "Task blocked"),
    "activity.task.unblocked": ("Tugas dilanjutkan", "Task unblocked"),
    "activity.task.updated": ("Tugas diubah", "Task edited"),
    "activity.task.reassigned": ("Tugas dialihkan", "Task reassigned"),
    "field.status": ("status", "status"),
    "field.priority": ("prioritas", "priority"),
    "field.due_at": ("tenggat", "due"),
    "field.notes": ("catatan", "notes"),
    "field.block_reason": ("alasan blokir", "block reason"),
    "field.assignee_id": ("petugas", "assignee"),
    "field.assigned_role": ("peran", "role"),
    "field.completed_at": ("selesai", "completed"),
    "field.current_stage": ("tahap", "stage"),
    "field.full_name": ("nama", "name"),
    "field.package_id": ("paket", "package"),
    # --- words of the domain
    "role.manager": ("Manajer Operasional", "Operations manager"),
    "role.document-admin": ("Admin Dokumen", "Document admin"),
    "role.siskopatuh-admin": ("Admin SISKOPATUH", "SISKOPATUH admin"),
    "role.visa-admin": ("Admin Visa", "Visa admin"),
    "role.logistics-admin": ("Admin Logistik", "Logistics admin"),
    "role.travel-admin": ("Admin Perjalanan", "Travel admin"),
    "role.super-admin": ("Super Admin", "Super admin"),
    "status.pending": ("Menunggu", "Pending"),
    "status.in-progress": ("Dikerjakan", "In progress"),
    "status.completed": ("Selesai", "Completed"),
    "status.blocked": ("Diblokir", "Blocked"),
    "jamaah_status.on-track": ("Sesuai jadwal", "On track"),
    "jamaah_status.at-risk": ("Berisiko", "At risk"),
    "jamaah_status.overdue": ("Terlambat", "Overdue"),
    "jamaah_status.completed": ("Selesai", "Completed"),
    "priority.urgent": ("Urgent", "Urgent"),
    "priority.high": ("Tinggi", "High"),
    "priority.normal": ("Normal", "Normal"),
    "priority.low": ("Rendah", "Low"),
    "severity.critical": ("Kritis", "Critical"),
    "severity.moderate": ("Sedang", "Moderate"),
    "severity.low": ("Rendah", "Low"),
}

TEXT.update(ADMIN_TEXT)  # the activity log and user management pages' words
TEXT.update(PIPELINE_TEXT)  # the Pipeline page's words (issue 17)
TEXT.update(VERSION_TEXT)  # stages of jamaah on several pipeline versions (issue 17)
TEXT.update(TOKEN_TEXT)  # the API tokens page's words (issue 16)
TEXT.update(SYSTEM_TEXT)  # the System page's words (operations issue)
TEXT.update(INTAKE_TEXT)  # the departure groups and enrolment pages' words (issue 19)
TEXT.update(FILES_TEXT)  # the Import & export page's words (issue 19)
TEXT.update(DOCUMENT_TEXT)  # the document checklist's words (issue 19)
TEXT.update(SCAN_TEXT)  # the document scans' words (issue 19)


def lang() -> str:
    """The language chosen in the sidebar: "id" (default) or "en"."""
    chosen = st.session_state.get("lang")
    return chosen if chosen in LANGUAGES else "id"


def t(key: str, **values: Any) -> str:
    """The text of `key` in the current language, with `{placeholders}` filled in."""
    return text_in(lang(), key, **values)


def text_in(language: str, key: str, **values: Any) -> str:
    """`t` in the language given ("en", else Indonesian): for words built outside the reader's run
    (the live listener's indicator, a change's summary)."""
    indonesian, english = TEXT[key]
    text = english if language == "en" else indonesian
    return text.format(**values) if values else text


# --- words of the domain and formatted values, in the current language ------------------------


def role_title(role: Role | str) -> str:
    return t(f"role.{Role(role).value}")


def status_label(status: WorkStatus | str) -> str:
    return t(f"status.{WorkStatus(status).value}")


def jamaah_status_label(status: JamaahStatus | str) -> str:
    return t(f"jamaah_status.{JamaahStatus(status).value}")


def priority_label(priority: Priority | str) -> str:
    return t(f"priority.{Priority(priority).value}")


def severity_label(severity: Severity | str) -> str:
    return t(f"severity.{Severity(severity).value}")


def column_label(column: KanbanColumn | str) -> str:
    return t(f"column.{KanbanColumn(column).value}")


def stage_name(item: Any) -> str:
    """The name of a stage in the current language (anything with name_id / name_en)."""
    return str(item.name_en if lang() == "en" else item.name_id)


def num(value: int) -> str:
    return formatting.number(value, lang())


def dec(value: float, digits: int = 1) -> str:
    return formatting.decimal(value, lang(), digits)


def pct(value: float) -> str:
    return formatting.percent(value, lang())


def day(value: Any) -> str:
    return formatting.day(value, lang())


def day_time(value: Any, tz: str) -> str:
    return formatting.day_time(value, tz, lang())
