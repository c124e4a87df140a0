"""``asdf-cli conformance``: write the validator conformance corpus."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..validation.conformance import MANIFEST, check_corpus, write_corpus
from .contract import refuse_existing, show_progress

__all__ = ["conformance"]


@click.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Then validate every file with asdfkit and report mismatches.")
@click.option("--overwrite", is_flag=True, help="Write into an existing OUTDIR (else refused).")
@click.option("--json", "as_json", is_flag=True,
              help='Print one JSON object: {"outdir", "manifest", "files", "valid", "invalid", "mismatches"}.')
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr (default: when stderr is a terminal).")
@click.pass_context
def conformance(ctx: click.Context, outdir: Path, check: bool, overwrite: bool = False,
                as_json: bool = False, progress: bool | None = None) -> None:
    """Write the conformance corpus to OUTDIR: valid files, one invalid file per
    validator rule, and manifest.json with the findings each must produce.

    Any ASDF validator can be checked against it: every file in valid/ must
    pass, every file in invalid/ must report exactly the (rule, path) pairs
    listed in the manifest.  Exit code 1 with --check if asdfkit disagrees;
    an existing OUTDIR is refused unless --overwrite (exit 2).
    """
    refuse_existing(outdir, overwrite)
    bar = show_progress(progress)
    manifest = write_corpus(outdir, progress=bar)
    cases = json.loads(manifest.read_text())["cases"]
    valid = sum(1 for c in cases if c["rule"] is None)
    problems = check_corpus(outdir, progress=bar) if check else []
    if as_json:
        click.echo(json.dumps({"outdir": str(outdir), "manifest": str(manifest), "files": len(cases),
                               "valid": valid, "invalid": len(cases) - valid,
                               "mismatches": problems if check else None}, indent=2))
        ctx.exit(1 if problems else 0)
    click.echo(f"wrote {len(cases)} files to {outdir} ({valid} valid, {len(cases) - valid} invalid) "
               f"and {MANIFEST}")
    if check:
        for line in problems:
            click.echo(f"mismatch: {line}")
        click.echo("asdfkit agrees with every case" if not problems else f"{len(problems)} mismatch(es)")
        ctx.exit(1 if problems else 0)
