"""The command line's accounts: `create-user` in a child process against the test servers, then a
real sign-in with the new account; and `seed --demo-accounts / --no-demo-accounts`.

The commands commit, so each test removes what it made (the workspace, with its users). The child
processes run on the real clock; the sign-ins made here are at the builders' NOW (nothing the CLI
writes depends on the day)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline_core import cli
from pipeline_core.commands import accounts, auth
from pipeline_core.commands.accounts import DEMO_PASSWORD
from pipeline_core.domain.errors import InvalidInput
from pipeline_core.domain.model import Role, WorkspaceKind
from pipeline_core.domain.permissions import ROLE_ORDER
from pipeline_core.seed import datasets
from pipeline_core.store import db
from pipeline_core.store.workspaces import delete_workspace, find_workspace
from tests.builders import NOW

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "kurma-ajwa-2026"
SLUG = "amanah-tour"


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m pipeline_core …` with this process's environment (PIPELINE_DATA_DIR or
    DATABASE_URL/REDIS_URL), so it reaches the same servers."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline_core", *args],
        cwd=ROOT,
        env=dict(os.environ),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def agency(servers: None) -> Iterator[str]:
    """The slug of an agency workspace the test may create; removed afterwards."""
    yield SLUG
    with db.transaction() as session:
        delete_workspace(session, SLUG)


def first_account(*extra: str, password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "create-user",
        "--workspace",
        SLUG,
        "--username",
        "rina@amanah-tour",
        "--full-name",
        "Rina  Wulandari",
        "--role",
        "super-admin",
        "--password-stdin",
        *extra,
        stdin=password + "\n",
    )


def test_first_account_of_a_new_install_signs_in(agency: str) -> None:
    made = first_account("--create-workspace", "--name", "Amanah Tour", "--email", "rina@amanah.co.id")
    assert made.returncode == 0, made.stderr
    assert "Created workspace amanah-tour (Amanah Tour)" in made.stdout
    assert "Created user rina@amanah-tour (Rina Wulandari), role super-admin" in made.stdout
    assert PASSWORD not in made.stdout + made.stderr
    with db.read_session() as session:
        workspace = find_workspace(session, agency)
    assert workspace is not None and workspace.kind is WorkspaceKind.AGENCY
    signed_in = auth.sign_in(username="rina@amanah-tour", password=PASSWORD, workspace_slug=agency, now=NOW)
    assert (signed_in.user.role, signed_in.user.workspace_id) == (Role.SUPER_ADMIN, workspace.id)
    auth.sign_out(signed_in.token, NOW)

    second = run_cli(
        "create-user",
        "--workspace",
        agency,
        "--username",
        "dewi@amanah-tour",
        "--full-name",
        "Dewi Lestari",
        "--role",
        "visa-admin",
        "--password-stdin",
        stdin="zamzam-water-77\n",
    )
    assert second.returncode == 0, second.stderr
    assert "Created workspace" not in second.stdout
    dewi = auth.sign_in(username="dewi@amanah-tour", password="zamzam-water-77", now=NOW)
    assert dewi.user.role is Role.VISA_ADMIN


@pytest.mark.parametrize(
    ("extra", "password", "says"),
    [
        ((), PASSWORD, "does not exist; to make it, add --create-workspace"),
        (("--create-workspace",), PASSWORD, "--name"),
        (("--create-workspace", "--name", "Amanah Tour"), "short", "at least 10 characters"),
        (("--create-workspace", "--name", "Amanah Tour"), DEMO_PASSWORD, "public demo password"),
        (("--create-workspace", "--name", "Amanah Tour", "--template", "umrah-1999"), PASSWORD, "umrah-2026"),
    ],
)
def test_refusals_are_one_line_and_leave_nothing(
    agency: str, extra: tuple[str, ...], password: str, says: str
) -> None:
    refused = first_account(*extra, password=password)
    assert refused.returncode == 2
    assert len(refused.stderr.strip().splitlines()) == 1 and says in refused.stderr, refused.stderr
    assert password not in refused.stdout + refused.stderr
    with db.read_session() as session:
        assert find_workspace(session, agency) is None  # the workspace went with the refused user


def test_an_existing_workspace_is_not_created_twice(agency: str) -> None:
    assert first_account("--create-workspace", "--name", "Amanah Tour").returncode == 0
    again = run_cli(
        "create-user",
        *("--workspace", agency, "--username", "budi@amanah-tour", "--full-name", "Budi Santoso"),
        *("--role", "manager", "--password-stdin", "--create-workspace", "--name", "Amanah Tour"),
        stdin=PASSWORD + "\n",
    )
    assert again.returncode == 2 and "exists" in again.stderr


def test_without_a_terminal_the_password_must_come_on_stdin(servers: None) -> None:
    refused = run_cli(
        *("create-user", "--workspace", SLUG, "--username", "x@amanah-tour", "--full-name", "X Y"),
        *("--role", "manager"),
        stdin="",
    )
    assert refused.returncode == 2 and "--password-stdin" in refused.stderr


class _Terminal:
    """Two answers typed at the prompt (getpass reads the terminal, which a test does not have)."""

    def __init__(self, *answers: str) -> None:
        self.answers, self.prompts = list(answers), list[str]()

    def __call__(self, prompt: str = "") -> str:
        self.prompts.append(prompt)
        return self.answers.pop(0)


def test_the_prompt_asks_twice_and_refuses_a_mismatch(monkeypatch: pytest.MonkeyPatch) -> None:
    import getpass

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    same = _Terminal(PASSWORD, PASSWORD)
    monkeypatch.setattr(getpass, "getpass", same)
    assert cli.create_user.read_password(False) == PASSWORD and len(same.prompts) == 2
    monkeypatch.setattr(getpass, "getpass", _Terminal(PASSWORD, PASSWORD + "x"))
    with pytest.raises(InvalidInput, match="differ"):
        cli.create_user.read_password(False)


@pytest.mark.slow
def test_seed_makes_demo_accounts_only_when_asked(servers: None) -> None:
    existed = datasets.dataset_exists("demo-13")
    try:
        without = run_cli("seed", "demo-13", "--reset", "--no-demo-accounts")
        assert without.returncode == 0, without.stderr
        assert "demo-13" not in {w.slug for w in accounts.demo_sign_ins()}
        with_accounts = run_cli("seed", "demo-13", "--reset", "--demo-accounts")
        assert with_accounts.returncode == 0, with_accounts.stderr
        [demo13] = [w for w in accounts.demo_sign_ins() if w.slug == "demo-13"]
        assert [a.role for a in demo13.accounts] == list(ROLE_ORDER)
    finally:  # as the other tests of this run found it
        if existed:  # on the real clock, as the UI tests load it: their pages read at the real today
            datasets.load_dataset("demo-13", reset=True, demo_accounts=True)
        else:
            datasets.delete_dataset("demo-13")


def test_backup_writes_an_archive_and_restore_refuses_a_database_in_use(
    servers: None, tmp_path: Path
) -> None:
    made = run_cli("backup", "--to", str(tmp_path))
    assert made.returncode == 0, made.stderr
    [archive] = tmp_path.glob("umrah-*.dump")
    assert (
        made.stdout.startswith(f"Backup written: {archive} (")
        and archive.with_name(archive.name + ".json").is_file()
    )
    refused = run_cli("restore", str(archive))
    assert refused.returncode == 2
    assert (
        refused.stderr.startswith("error: database: The target database is not empty")
        and refused.stderr.count("\n") == 1
    )
