"""Words of the departure-groups and enrolment pages (issue 19), merged into `i18n.TEXT`.

`form.<name>` labels every jamaah and group field; `rule.<code>` says a rule of
`domain.jamaah_rules` in Indonesian and English (a problem without a known code shows the core's
English sentence).
"""

from __future__ import annotations

INTAKE_TEXT: dict[str, tuple[str, str]] = {
    "nav.groups": ("Rombongan", "Departure groups"),
    "nav.enrol": ("Daftarkan jamaah", "Enrol jamaah"),
    # --- departure groups ------------------------------------------------------------------------
    "groups.title": ("Rombongan keberangkatan", "Departure groups"),
    "groups.caption": (
        "Paket dan rombongan {name}: tanggal, penerbangan, kuota, kursi terisi dan sisa.",
        "{name}'s packages and departure groups: dates, flights, quota, seats taken and left.",
    ),
    "groups.empty": ("Belum ada rombongan.", "No departure group yet."),
    "groups.readonly": (
        "Hanya Manajer Operasional, Admin Perjalanan dan Super Admin yang mengubah rombongan.",
        "Only operations managers, travel admins and super admins change departure groups.",
    ),
    "groups.new": ("Rombongan baru", "New group"),
    "groups.edit": ("Ubah rombongan", "Edit a group"),
    "groups.pick": ("Rombongan", "Group"),
    "groups.create": ("Buat rombongan", "Create group"),
    "groups.save": ("Simpan perubahan", "Save changes"),
    "groups.created": ("Rombongan {name} dibuat.", "Group {name} created."),
    "groups.saved": ("Rombongan {name} disimpan.", "Group {name} saved."),
    "groups.delete": ("Hapus rombongan kosong", "Delete the empty group"),
    "groups.deleted": ("Rombongan {name} dihapus.", "Group {name} deleted."),
    "groups.not_empty": (
        "Rombongan berisi jamaah tidak dapat dihapus: tutup saja (status Ditutup).",
        "A group with jamaah cannot be deleted: close it instead (status Closed).",
    ),
    "groups.preview": (
        "Tanggal berangkat baru: tenggat {moved} tahap dari {jamaah} jamaah bergeser, dan status "
        "{changes} jamaah berubah ({detail}). Simpan untuk menerapkan.",
        "New departure date: the deadlines of {moved} stages of {jamaah} jamaah move, and {changes} "
        "jamaah change status ({detail}). Save to apply.",
    ),
    "groups.confirm": ("Ya, ubah tanggal berangkat", "Yes, change the departure date"),
    "groups.moved": (
        "Tenggat {moved} tahap dihitung ulang; {changes} jamaah berubah status.",
        "{moved} stage deadlines recomputed; {changes} jamaah changed status.",
    ),
    "groups.status.open": ("Dibuka", "Open"),
    "groups.status.closed": ("Ditutup", "Closed"),
    "groups.problem": ("{field}: {message}", "{field}: {message}"),
    "form.code": ("Kode", "Code"),
    "form.name": ("Nama rombongan", "Group name"),
    "form.departure_date": ("Tanggal berangkat", "Departure date"),
    "form.return_date": ("Tanggal pulang", "Return date"),
    "form.airline": ("Maskapai", "Airline"),
    "form.flight_numbers": ("Nomor penerbangan", "Flight numbers"),
    "form.quota": ("Kuota", "Quota"),
    "form.price_idr": ("Harga (Rp)", "Price (Rp)"),
    "form.seats_used": ("Terisi", "Taken"),
    "form.seats_left": ("Sisa", "Left"),
    "form.group_status": ("Status", "Status"),
    # --- enrolment ------------------------------------------------------------------------------------
    "enrol.title": ("Daftarkan jamaah", "Enrol a jamaah"),
    "enrol.edit_title": ("Ubah data jamaah", "Edit a jamaah's data"),
    "enrol.caption": (
        "Isi sesuai KTP dan paspor. Kolom bertanda * wajib; sisanya untuk SISKOPATUH.",
        "Fill in as on the KTP and passport. Fields marked * are required; the rest are for SISKOPATUH.",
    ),
    "enrol.denied": (
        "Pendaftaran jamaah hanya untuk Admin Dokumen, Manajer Operasional dan Super Admin.",
        "Enrolment is for document admins, operations managers and super admins only.",
    ),
    "enrol.no_group": (
        "Belum ada rombongan yang dibuka dengan kursi tersisa: buat dulu di halaman Rombongan.",
        "No open departure group with seats left: create one on the Departure groups page first.",
    ),
    "enrol.group": ("Rombongan *", "Departure group *"),
    "enrol.group_option": ("{name} · {date} · sisa {left} kursi", "{name} · {date} · {left} seats left"),
    "enrol.identity": ("Identitas", "Identity"),
    "enrol.passport": ("Paspor", "Passport"),
    "enrol.address": ("Alamat", "Address"),
    "enrol.more": ("Data SISKOPATUH lainnya", "Other SISKOPATUH data"),
    "enrol.submit": ("Daftarkan", "Enrol"),
    "enrol.save": ("Simpan perubahan", "Save changes"),
    "enrol.done": (
        "{name} terdaftar; tugas pertamanya sudah di antrean.",
        "{name} enrolled; the first task is queued.",
    ),
    "enrol.saved": (
        "Perubahan data {name} disimpan ({count} kolom).",
        "{name}'s data saved ({count} fields).",
    ),
    "enrol.unchanged": ("Tidak ada yang berubah.", "Nothing changed."),
    "enrol.fix": ("Perbaiki dulu:", "Please fix first:"),
    "enrol.duplicate": (
        "NIK ini sudah terdaftar atas nama {name}.",
        "This NIK is already registered to {name}.",
    ),
    "enrol.open_existing": ("Buka jamaah {name}", "Open jamaah {name}"),
    "enrol.warning": ("Perhatian:", "Note:"),
    "enrol.keep_secret": (
        "Tersimpan: {mask}. Kosongkan untuk tidak mengubah.",
        "Stored: {mask}. Leave blank to keep it.",
    ),
    "enrol.edit_link": ("Ubah data jamaah", "Edit the jamaah's data"),
    "form.title": ("Sapaan", "Title"),
    "form.full_name": ("Nama lengkap (sesuai paspor) *", "Full name (as on the passport) *"),
    "form.gender": ("Jenis kelamin *", "Gender *"),
    "form.birth_date": ("Tanggal lahir *", "Birth date *"),
    "form.birth_place": ("Tempat lahir", "Birthplace"),
    "form.nik": ("NIK *", "NIK *"),
    "form.identity_type": ("Jenis identitas", "Identity type"),
    "form.nationality": ("Kewarganegaraan", "Nationality"),
    "form.phone": ("No HP *", "Mobile phone *"),
    "form.home_phone": ("No telepon rumah", "Home phone"),
    "form.father_name": ("Nama ayah", "Father's name"),
    "form.marital_status": ("Status pernikahan", "Marital status"),
    "form.education": ("Pendidikan", "Education"),
    "form.occupation": ("Pekerjaan", "Occupation"),
    "form.address": ("Alamat", "Address"),
    "form.province": ("Provinsi", "Province"),
    "form.regency": ("Kabupaten/kota", "Regency/city"),
    "form.district": ("Kecamatan", "District"),
    "form.village": ("Kelurahan/desa", "Village"),
    "form.passport_name": ("Nama di paspor", "Name in the passport"),
    "form.passport_number": ("No paspor", "Passport number"),
    "form.passport_issue_date": ("Tanggal terbit paspor", "Passport issue date"),
    "form.passport_expiry_date": ("Tanggal habis paspor", "Passport expiry date"),
    "form.passport_city": ("Kota penerbit paspor", "Passport issuing city"),
    "form.visa_provider": ("Provider visa", "Visa provider"),
    "form.visa_number": ("No visa", "Visa number"),
    "form.visa_valid_from": ("Visa berlaku dari", "Visa valid from"),
    "form.visa_valid_until": ("Visa berlaku sampai", "Visa valid until"),
    "form.insurance_provider": ("Asuransi", "Insurer"),
    "form.insurance_policy_number": ("No polis", "Policy number"),
    "form.insurance_input_date": ("Tanggal input polis", "Policy entry date"),
    "form.insurance_start_date": ("Polis mulai", "Policy start"),
    "form.insurance_end_date": ("Polis berakhir", "Policy end"),
    "form.bpjs_number": ("No BPJS", "BPJS number"),
    "form.agent_name": ("Agen", "Agent"),
    "form.notes": ("Catatan", "Notes"),
    "form.package_id": ("Rombongan", "Departure group"),
    "gender.L": ("Laki-laki", "Male"),
    "gender.P": ("Perempuan", "Female"),
    # --- the rules, by code (domain/jamaah_rules.py) ----------------------------------------------
    "rule.required": ("Wajib diisi.", "Required: fill it in."),
    "rule.date_format": (
        "{value} bukan tanggal: tulis sebagai yyyy-mm-dd (mis. 1970-05-01).",
        "{value} is not a date: write it as yyyy-mm-dd (e.g. 1970-05-01).",
    ),
    "rule.gender": ("{value} bukan jenis kelamin: pakai L atau P.", "{value} is not a gender: use L or P."),
    "rule.phone_format": (
        "{value} bukan nomor telepon: tulis 08…, 628… atau +628….",
        "{value} is not a phone number: write it as 08…, 628… or +628….",
    ),
    "rule.phone_invalid": (
        "{value} bukan nomor Indonesia yang valid (08…, 628… atau +628…).",
        "{value} is not a valid Indonesian number (08…, 628… or +628…).",
    ),
    "rule.phone_landline": (
        "{value} nomor telepon rumah: isi nomor HP (08…) untuk telepon dan WhatsApp.",
        "{value} is a landline: give a mobile number (08…) for calls and WhatsApp.",
    ),
    "rule.name_two_words": (
        "Tulis nama seperti di paspor: minimal dua kata.",
        "Write the name as on the passport: at least two words.",
    ),
    "rule.passport_number": (
        "Nomor paspor 6–9 huruf dan angka, mis. C1234567.",
        "A passport number has 6 to 9 letters and digits, e.g. C1234567.",
    ),
    "rule.bpjs_digits": ("Nomor kartu BPJS 13 digit.", "A BPJS card number has 13 digits."),
    "rule.nik_digits": ("NIK harus tepat 16 digit.", "The NIK must be exactly 16 digits."),
    "rule.vocabulary": (
        "{value} bukan salah satu nilai templat: {allowed}.",
        "{value} is not one of the template's values: {allowed}.",
    ),
    "rule.nik_birth_date": (
        "NIK memuat tanggal lahir {encoded} (DD-MM-YY), tetapi tanggal lahir {birth}: periksa keduanya.",
        "The NIK encodes the birth date {encoded} (DD-MM-YY), but the birth date is {birth}: check both.",
    ),
    "rule.nik_female_day": (
        "Untuk perempuan, tanggal di NIK = tanggal lahir + 40 ({expected}); NIK ini {day}, milik laki-laki. "
        "Periksa NIK atau jenis kelamin.",
        "For a woman the NIK's day is the birth day + 40 ({expected}); this NIK has {day}, a man's. "
        "Check the NIK or the gender.",
    ),
    "rule.nik_male_day": (
        "Tanggal {day} di NIK ini milik perempuan (tanggal lahir + 40); untuk laki-laki {expected}. "
        "Periksa NIK atau jenis kelamin.",
        "This NIK's day {day} is a woman's (birth day + 40); for a man it is {expected}. "
        "Check the NIK or the gender.",
    ),
    "rule.nik_no_date": (
        "Digit 7–12 NIK bukan tanggal lahir DDMMYY.",
        "Digits 7–12 of the NIK are not a birth date DDMMYY.",
    ),
    "rule.nik_region_unknown": (
        "Kode wilayah NIK {code} tidak ada di daftar kecamatan 2024; periksa enam digit pertama.",
        "The NIK's region code {code} is not in the 2024 list of districts; check the first six digits.",
    ),
    "rule.birth_date_past": ("Tanggal lahir harus di masa lalu.", "The birth date must be in the past."),
    "rule.title_gender": (
        "Sapaan {title} tidak cocok dengan jenis kelamin.",
        "The title {title} does not match the gender.",
    ),
    "rule.passport_short": (
        "Paspor habis {expiry}, kurang dari {months} bulan setelah keberangkatan ({departure}): harus "
        "diperpanjang sebelum verifikasi dokumen.",
        "The passport expires on {expiry}, less than {months} months after departure ({departure}): it "
        "must be renewed before document verification.",
    ),
    "rule.visa_lapses": (
        "Visa berlaku lebih dari 30 hari sebelum keberangkatan: hangus bila jamaah belum masuk Arab Saudi "
        "dalam 30 hari.",
        "The visa is valid from more than 30 days before departure: it lapses unless the jamaah enters "
        "Saudi Arabia within 30 days.",
    ),
    "rule.issue_future": (
        "Tanggal terbit paspor tidak boleh di masa depan.",
        "The passport issue date cannot be in the future.",
    ),
    "rule.date_order": (
        "Tanggal akhir harus sesudah tanggal awal.",
        "The end date must be after the start date.",
    ),
}
