"""`interviewer bank import|check|list|show`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from interviewer.commands import CommandError, is_database
from interviewer.core.bank.loading import (
    bank_files,
    dump_bank_yaml,
    duplicate_id,
    load_bank,
    load_banks,
    unique_bank_id,
)
from interviewer.core.bank.schema import Bank, Question
from interviewer.core.bank.seed_format import SeedFormatError, import_seed_file
from interviewer.core.problems import FileProblems, Problem
from interviewer.core.safe_text import json_text, one_line
from interviewer.paths import Paths


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bank = subparsers.add_parser("bank", help="import, check, list and show question banks")
    verbs = bank.add_subparsers(dest="verb", required=True, metavar="VERB")

    imp = verbs.add_parser("import", help="import a bank in the seed's text format into YAML")
    imp.add_argument("source", type=Path)
    imp.add_argument("--out", type=Path, help="YAML file to write (default: stdout)")
    imp.add_argument(
        "--id",
        dest="bank_id",
        help="bank id (default: from the bank title, made unique among the known banks)",
    )
    imp.add_argument("--first-category", help="category of questions before any section heading")
    imp.set_defaults(handler=_import)

    check = verbs.add_parser("check", help="validate banks and rubrics (default: all known)")
    check.add_argument("paths", nargs="*", type=Path)
    check.set_defaults(handler=_check)

    listing = verbs.add_parser("list", help="list questions")
    listing.add_argument("--bank", help="bank id (default: every bank)")
    listing.add_argument("--category", action="append", help="keep this category (repeatable)")
    listing.add_argument("--difficulty", action="append", help="Junior, Mid or Senior (repeatable)")
    listing.add_argument("--json", action="store_true", help="one JSON document")
    listing.set_defaults(handler=_list)

    show = verbs.add_parser("show", help="show one question in full")
    show.add_argument("ref", help="question id, or its number in the bank")
    show.add_argument("--bank", help="bank id (default: the first bank that has it)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)


def _import(args: argparse.Namespace) -> int:
    try:
        bank = import_seed_file(
            args.source, bank_id=args.bank_id, first_category=args.first_category
        )
    except SeedFormatError as error:
        print(one_line(f"{args.source}: {error}"), file=sys.stderr)
        return 1
    except (OSError, UnicodeDecodeError) as error:
        print(one_line(f"{args.source}: cannot read: {error}"), file=sys.stderr)
        return 1
    bank = _unclashed(bank, args)
    text = dump_bank_yaml(bank)
    if args.out is None:
        sys.stdout.write(text)
    else:
        if is_database(args.out, Paths.from_env().database):
            raise CommandError(f"{args.out}: refusing to overwrite the transcript database", 2)
        if args.out.is_dir():
            raise CommandError(f"{args.out}: is a folder; give a file name", 2)
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{args.out}: cannot write: {error.strerror}") from None
        print(
            one_line(
                f"{args.out}: {_count(len(bank.questions), 'question')} from {args.source.name}"
            ),
            file=sys.stderr,
        )
    return 0


def _unclashed(bank: Bank, args: argparse.Namespace) -> Bank:
    """The bank with an id no other known bank uses: a second bank with the same page title would
    otherwise be skipped when loaded. Writing over the file that holds the id keeps it, and so
    does the same source imported outside the bank folders; an `--id` that is taken is an error
    naming the file that has it."""
    dirs = Paths.from_env().bank_dirs()
    known = load_banks(dirs)
    owner, existing = known.files.get(bank.id), known.get(bank.id)
    if owner is None or existing is None:
        return bank
    # realpath, not Path.resolve: on Python 3.11 a symbolic link loop makes resolve raise
    out = Path(os.path.realpath(args.out)) if args.out is not None else None
    if out == owner.resolve():
        return bank
    same_source = existing.source is not None and existing.source == bank.source
    if same_source and not (out is not None and any(out.is_relative_to(d.resolve()) for d in dirs)):
        return bank  # the same file imported again, elsewhere: it keeps its id
    if args.bank_id is not None:
        raise CommandError(f"bank id {bank.id!r} is already used by {owner}; choose another --id")
    new_id = unique_bank_id(bank.id, known.files)
    print(
        one_line(f"note: bank id {bank.id!r} is used by {owner}; this bank is {new_id!r} (--id)"),
        file=sys.stderr,
    )
    return bank.model_copy(update={"id": new_id})


def _check(args: argparse.Namespace) -> int:
    from interviewer.core.rubric.loading import check_rubric_paths

    paths = Paths.from_env()
    targets: list[Path] = args.paths or [
        *paths.bank_dirs(),
        paths.project_rubrics,
        paths.user_rubrics,
    ]
    problems: list[Problem] = []
    banks: list[Bank] = []
    rubric_targets: list[Path] = []
    checked = 0
    # bank ids already taken: by the known banks when files are named, as `bank list` would load them
    owners = dict(load_banks(paths.bank_dirs()).files) if args.paths else {}
    for target in targets:
        if (target.is_dir() and target.name == "rubrics") or "rubrics" in target.parts:
            rubric_targets.append(target)
            continue
        if not target.exists():
            if args.paths:
                problems.append(Problem(str(target), "file", "path", "no such file or directory"))
            continue
        for file in bank_files([target]):
            checked += 1
            try:
                bank = load_bank(file)
            except FileProblems as error:
                problems.extend(error.problems)
                continue
            if (clash := duplicate_id(file, bank, owners)) is not None:
                problems.append(clash)  # `bank list` warns and skips it: check says so too
                continue
            owners.setdefault(bank.id, file)
            banks.append(bank)
    if not banks and not args.paths:
        banks = load_banks(paths.bank_dirs()).banks
    rubric_problems, rubric_count = check_rubric_paths(rubric_targets, banks)
    problems.extend(rubric_problems)
    for problem in problems:
        print(one_line(str(problem)), file=sys.stderr)
    if problems:
        return 1
    print(f"ok: {checked} bank file(s), {rubric_count} rubric file(s)")
    return 0


def _known_banks() -> list[Bank]:
    loaded = load_banks(Paths.from_env().bank_dirs())
    for problem in loaded.problems:
        print(one_line(f"warning: {problem}"), file=sys.stderr)
    return loaded.banks


def _matches(question: Question, args: argparse.Namespace) -> bool:
    categories = {c.lower() for c in args.category or []}
    difficulties = {d.lower() for d in args.difficulty or []}
    return (not categories or question.category.lower() in categories) and (
        not difficulties or question.difficulty.value.lower() in difficulties
    )


def _list(args: argparse.Namespace) -> int:
    banks = [b for b in _known_banks() if args.bank in (None, b.id)]
    if args.bank and not banks:
        raise CommandError(f"no bank {args.bank!r} (see `interviewer bank list`)")
    rows = [(bank, q) for bank in banks for q in bank.questions if _matches(q, args)]
    if args.json:
        payload = [
            {"bank": b.id, **q.model_dump(mode="json", exclude={"answer"}, exclude_none=True)}
            for b, q in rows
        ]
        print(json_text(json.dumps(payload, indent=2, ensure_ascii=False)))
        return 0
    from rich.console import Console
    from rich.table import Table

    from interviewer.views.safe import cell

    table = Table("#", "id", "category", "difficulty", "title", title=_count(len(rows), "question"))
    for _bank, question in rows:
        table.add_row(
            str(question.number),
            cell(question.id),
            cell(question.category),
            question.difficulty.value,
            cell(question.title),
        )
    Console().print(table)
    return 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def find_question(ref: str, bank_id: str | None = None) -> tuple[Bank, Question] | None:
    for bank in _known_banks():
        if bank_id in (None, bank.id) and (question := bank.get(ref)) is not None:
            return bank, question
    return None


def _show(args: argparse.Namespace) -> int:
    if args.bank is not None and not any(b.id == args.bank for b in _known_banks()):
        raise CommandError(f"no bank {args.bank!r} (see `interviewer bank list`)")
    found = find_question(args.ref, args.bank)
    if found is None:
        raise CommandError(
            f"no question {args.ref!r} (use an id, a unique start of one, or a number; "
            "see `interviewer bank list`)"
        )
    bank, question = found
    if args.json:
        payload = {"bank": bank.id, **question.model_dump(mode="json", exclude_none=True)}
        print(json_text(json.dumps(payload, indent=2, ensure_ascii=False)))
        return 0
    from rich.console import Console

    from interviewer.views.safe import markdown, one_line, safe_text, styled

    # Bank text is data: it goes in as Text (a `[/]` in a title is shown, not read as markup).
    console = Console(highlight=False)
    console.print(
        styled(
            (one_line(f"{question.number}. {question.title}"), "bold"),
            "  ",
            (one_line(f"{question.category} · {question.difficulty.value} · {question.id}"), "dim"),
        )
    )
    console.print(safe_text(question.prompt), "")
    console.print(markdown(question.answer))
    console.print(safe_text("\nKey points", style="bold"))
    for point in question.key_points:
        console.print(safe_text(f"  • {point}"))
    if question.follow_up:
        console.print(styled(("\nFollow-up:", "bold"), " ", question.follow_up))
    return 0
