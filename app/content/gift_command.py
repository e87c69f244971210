"""The `flask content import-gift` command: turn a Moodle GIFT file into a quiz file under quizzes/."""

import dataclasses
import shutil
import tempfile
from collections.abc import Collection
from pathlib import Path
from typing import Any

import click
import yaml
from flask import current_app
from flask.cli import with_appcontext

from app.content.gift import parse_gift
from app.content.gift_convert import convert_gift, default_title, quiz_document, quiz_yaml
from app.content.loader import load_course, load_facts, load_modules
from app.content.schema import SLUG, Problem

SYNC = "flask --app app content sync"


def _slug_option(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not SLUG.match(value):
        raise click.BadParameter(f"{value!r} is not a slug: use lowercase letters and digits joined by single hyphens, e.g. coding-basics")
    return value


def _known(root: Path, load) -> Collection[str]:
    """Module slugs or fact ids, read by the content loader, for checking options before anything is written."""
    problems: list[Problem] = []
    found = load(root, problems)
    if problems:
        raise click.ClickException(f"Fix the content first ({problems[0]}); nothing was written.")
    return found


def _existing(target: Path, force: bool) -> dict[str, Any] | None:
    """The quiz file about to be replaced (read for its module and kind), or None; refuses without --force."""
    if not target.exists():
        return None
    if not force:
        raise click.ClickException(f"{target} already exists and was left unchanged; use --force to replace it, "
                                   "or choose another --quiz slug or --output path.")
    try:
        data = yaml.safe_load(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        data = None
    return data if isinstance(data, dict) else {}


def _read_gift(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise click.ClickException(f"Cannot read {path}: {error.strerror or error}; nothing was written.") from None
    try:
        return data.decode("utf-8-sig")  # Moodle and Windows editors often start the file with a BOM
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{path} is not UTF-8 text (invalid byte at offset {error.start}); "
                                   "save it as UTF-8 and try again. Nothing was written.") from None


def _problems(root: Path, target: Path, content: str | None) -> list[Problem]:
    """The content problems with the quiz file at quizzes/<target name> (absent when content is None)."""
    with tempfile.TemporaryDirectory() as folder:
        # A copy, so the check also works for an --output outside the content root and never touches it.
        copy = Path(folder)
        for name in ("lessons", "quizzes"):
            if (root / name).is_dir():
                shutil.copytree(root / name, copy / name)
        placed = copy / "quizzes" / target.name
        placed.parent.mkdir(exist_ok=True)
        if content is None:
            placed.unlink(missing_ok=True)
        else:
            placed.write_text(content, encoding="utf-8")
        return load_course(copy)[1]


def _report_validation(root: Path, target: Path, before: list[Problem], content: str) -> None:
    """Print the problems the new file has (and any it causes elsewhere), and what the author must still do."""
    rel = f"quizzes/{target.name}"
    after = _problems(root, target, content)
    own = [dataclasses.replace(p, file=str(target)) for p in after if p.file == rel]
    caused = [p for p in after if p.file != rel and p not in before]
    for problem in own + caused:
        click.echo(str(problem), err=True)
    if not own and not caused:
        click.echo(f"The quiz passes `flask --app app content validate`; load it with `{SYNC}`.")
        return
    messages = " ".join(p.message for p in own + caused)
    click.echo(f"The file was written (exit status 0), but {len(own) + len(caused)} content problem(s) remain; "
               f"`{SYNC}` will not load the course until they are fixed:")
    if "explanation: missing" in messages:
        click.echo("  - add an `explanation:` to each question listed (GIFT general feedback, ####text, becomes the explanation);")
    if "source: missing" in messages or "is not an id in lessons/facts.yaml" in messages:
        click.echo("  - add a `source:` fact id (an id in lessons/facts.yaml) to each question, or run again with --source FACT_ID --force;")
    if "quiz for this module" in messages:
        click.echo("  - each module has one quiz: use --kind exercise, or replace the module's quiz file with --output and --force;")
    click.echo("  - then run `flask --app app content validate`.")


@click.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--quiz", "slug", required=True, callback=_slug_option, help="Slug of the new quiz; the file is quizzes/SLUG.yaml.")
@click.option("--module", help="Slug of its module in lessons/modules.yaml (required unless --force replaces a file that names one).")
@click.option("--kind", type=click.Choice(["quiz", "exercise"]),
              help="quiz (a module has one) or exercise; default: the replaced file's kind, else exercise.")
@click.option("--title", help="Quiz title; default: the last $CATEGORY's last segment, else 'Imported quiz'.")
@click.option("--source", "fact", metavar="FACT_ID", help="Fact id from lessons/facts.yaml to cite in every question.")
@click.option("--pass-mark", type=click.IntRange(1, 100), default=80, show_default=True, help="Percentage needed to pass.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of quizzes/SLUG.yaml.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@with_appcontext
def import_gift(file: Path, slug: str, module: str | None, kind: str | None, title: str | None, fact: str | None,
                pass_mark: int, output: Path | None, force: bool) -> None:
    """Convert the Moodle GIFT questions in FILE into a quiz file; list what could not be converted as FILE:LINE."""
    root = Path(current_app.config["CONTENT_DIR"])
    target = output or root / "quizzes" / f"{slug}.yaml"
    existing = _existing(target, force)
    modules = [spec.slug for spec in _known(root, load_modules)]
    module = module or (existing or {}).get("module")
    if not module:
        raise click.UsageError(f"--module is required for a new quiz file; modules in lessons/modules.yaml: {', '.join(modules)}")
    if module not in modules:
        raise click.BadParameter(f"{module!r} is not a module in lessons/modules.yaml (known: {', '.join(modules)})", param_hint="--module")
    if fact and fact not in _known(root, load_facts):
        raise click.BadParameter(f"{fact!r} is not a fact id in lessons/facts.yaml", param_hint="--source")
    replaced_kind = (existing or {}).get("kind", "quiz") if existing is not None else None
    kind = kind or (replaced_kind if replaced_kind in ("quiz", "exercise") else "exercise")

    parsed = parse_gift(_read_gift(file))
    result = convert_gift(parsed, fact)
    for issue in result.issues:
        click.echo(f"{file}:{issue.line}: {issue.message}", err=True)
    if not result.questions:
        raise click.ClickException(f"No question in {file} could be converted; nothing was written.")

    document = quiz_document(slug, kind, module, title or default_title(parsed.categories), pass_mark, result.questions)
    content = quiz_yaml(document, header=f"Imported from {file.name} (Moodle GIFT) by `flask --app app content import-gift`.")
    before = _problems(root, target, None)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"Cannot write {target}: {error.strerror or error}") from None

    counts = ", ".join(f"{number} {name}" for name, number in sorted(result.counts().items()))
    skipped = sum(issue.skipped for issue in result.issues)
    click.echo(f"Converted {len(result.questions)} question(s): {counts}.")
    if result.issues:
        click.echo(f"{len(result.issues)} construct(s) could not be converted ({skipped} question(s) skipped, "
                   f"{len(result.issues) - skipped} part(s) of converted questions not kept); each is listed as {file}:LINE.")
    if parsed.categories:
        click.echo(f"GIFT categories (used only for the default title): {'; '.join(parsed.categories)}.")
    click.echo(f"Wrote {target}.")
    _report_validation(root, target, before, content)
