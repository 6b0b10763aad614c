"""Command-line helpers: `flask demo load`, `flask serve-info`, `flask create-admin`,
`flask backup`, `flask restore` and `flask retention`."""
import os
import socket

import click
import sqlalchemy as sa
from flask import Flask

from .demo import DEMO_LOGINS, DEMO_PASSWORD
from .extensions import db


def lan_address() -> str | None:
    """The address a phone on the same Wi-Fi would use; no packet is sent (UDP connect)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def register_cli(app: Flask) -> None:
    @app.cli.group()
    def demo():
        """Demo data."""

    @demo.command("load")
    @click.option("--if-empty", is_flag=True, help="Only when the database has no people yet.")
    @click.option("--seed", default=20240805, help="Random seed, for repeatable demo data.")
    def demo_load(if_empty, seed):
        from .auth.models import User
        from .demo.loader import load_demo

        if if_empty and db.session.scalar(sa.select(sa.func.count(User.id))):
            click.echo("Database already has data; demo not loaded.")
            return
        summary = load_demo(seed=seed)
        click.echo("Demo loaded: " + ", ".join(f"{k} {v}" for k, v in summary.items()))

    @app.cli.command("serve-info")
    @click.option("--port", default=lambda: int(os.environ.get("PORT", 5000)))
    def serve_info(port):
        """Print where the app is served and the demo logins."""
        click.echo("")
        click.echo(f"  福新外勤 Fuxin Field  →  http://127.0.0.1:{port}/")
        lan = lan_address()
        if lan:
            click.echo(f"  On a phone on the same Wi-Fi: http://{lan}:{port}/")
        click.echo(f"  Demo logins (password {DEMO_PASSWORD}): " + ", ".join(DEMO_LOGINS))
        click.echo("")

    @app.cli.command("create-admin")
    @click.argument("username")
    @click.password_option()
    def create_admin(username, password):
        """Create (or reset) an admin account."""
        from .auth.models import ADMIN, User
        from .auth.passwords import password_problem

        problem = password_problem(password)
        if problem:
            raise click.ClickException(problem)
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            user = User(username=username, name=username, role=ADMIN)
            db.session.add(user)
        user.set_password(password)
        user.active = True
        db.session.commit()
        click.echo(f"Admin {username} ready.")

    @app.cli.command("backup")
    @click.option("--keep", type=click.IntRange(min=1), default=None,
                  help="How many archives to keep, newest first (default BACKUP_KEEP, 14).")
    def backup(keep):
        """Write a backup archive (database, photos, uploads) to BACKUP_DIR."""
        from .backup import BackupError
        from .backup.services import create_backup

        try:
            result = create_backup(keep=keep)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        for line in result.lines():
            click.echo(line)

    @app.cli.command("restore")
    @click.argument("archive", type=click.Path(dir_okay=False))
    @click.option("--force", is_flag=True, help="Replace what the database and the upload folders hold.")
    def restore(archive, force):
        """Restore a backup archive into an empty database and empty upload folders."""
        from .backup import BackupError
        from .backup.services import restore_backup

        try:
            result = restore_backup(archive, force=force)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        for line in result.lines():
            click.echo(line)

    @app.cli.command("retention")
    @click.option("--days", type=click.IntRange(min=1), default=None,
                  help="Erase after this many days (default RETENTION_REQUEST_PHONE_DAYS, 1095).")
    def retention(days):
        """Erase residents' phone numbers from requests closed longer ago than the limit."""
        from .privacy.retention import erase_old_request_phones

        days = days or app.config["RETENTION_REQUEST_PHONE_DAYS"]
        erased = erase_old_request_phones(days)
        click.echo(f"Erased {erased} resident phone number(s) from requests closed more than {days} days ago.")
