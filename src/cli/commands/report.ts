/**
 * `hsm-sentinel report <report.json> [--html FILE] [--text] [--json]`: renders a stored run
 * report again, as the page every run writes beside it (report.html: `--html FILE`, `-` for
 * stdout), the text report (`--text`, the default when no --html is given), or JSON. The alert
 * shown is the one the run stored; a report written before alerts were stored gets it rebuilt.
 * A file that cannot be read is a usage error (2); one that is not a run report exits 1 with
 * one line naming the first field that is wrong.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { alertOfReport } from '#core/alert.ts';
import { InvalidInputError } from '#core/errors.ts';
import { renderReport } from '#core/render-report.ts';
import { renderReportHtml } from '#core/render-report-html.ts';
import { outcomeOf, type RunReport } from '#core/report.ts';
import { toolModule } from '#drivers/registry.ts';
import { type CommandContext, flagOf, type ParsedArgs, stringOf } from '../command-spec.ts';
import { UsageError } from '../io.ts';
import { textStyleOf } from '../style.ts';

const matrixSchema = z.looseObject({
  nodeIds: z.array(z.string()),
  rows: z.array(z.looseObject({ objectId: z.string(), label: z.string(), cells: z.array(z.string()) })),
});

const auditSchema = z.looseObject({
  nodeIds: z.array(z.string()),
  readableNodeIds: z.array(z.string()),
  objects: z.array(z.looseObject({ objectId: z.string(), label: z.string(), status: z.string() })),
  nodes: z.array(z.looseObject({ nodeId: z.string(), kind: z.string() })),
  matrix: matrixSchema,
  counts: z.record(z.string(), z.number()),
});

const actionSchema = z.looseObject({ objectId: z.string(), label: z.string(), description: z.string() });

/** What the renderers read: enough to refuse a file that is not a run report, loose about the rest. */
const runReportSchema = z.looseObject({
  runId: z.string(),
  clusterId: z.string(),
  provider: z.string(),
  tool: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string(),
  policy: z.looseObject({
    dryRun: z.boolean(),
    maxActionsPerRun: z.number(),
    allowedKinds: z.array(z.string()),
  }),
  before: auditSchema.nullable(),
  plan: z
    .looseObject({
      dryRun: z.boolean(),
      actions: z.array(actionSchema),
      skipped: z.array(z.looseObject({ objectId: z.string(), label: z.string(), reason: z.string() })),
    })
    .nullable(),
  results: z.array(z.looseObject({ action: actionSchema, outcome: z.string(), detail: z.string() })),
  after: auditSchema.nullable(),
  verification: z.looseObject({ ok: z.boolean(), unrecovered: z.array(z.unknown()) }).nullable(),
  backup: z.looseObject({ state: z.string(), detail: z.string() }).nullable(),
  failure: z.looseObject({ step: z.string(), errorName: z.string(), message: z.string() }).nullable(),
  trigger: z.looseObject({ kind: z.string(), detail: z.string() }).nullable(),
  alert: z
    .looseObject({ subject: z.string(), items: z.array(z.unknown()) })
    .nullable()
    .optional(),
  steps: z.array(z.looseObject({ name: z.string(), startedAt: z.string(), outcome: z.string() })).optional(),
});

export async function reportCommand(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const [file] = args.positionals;
  if (!file) throw new UsageError('expected one report.json');
  const path = await reportPathOf(resolve(io.cwd, file), file);
  const report = await readReport(path, path === resolve(io.cwd, file) ? file : path);
  // An older report without its alert: rebuilt with the runbook of its tool (as the registry knows it).
  const alert = alertOfReport(report, (tool) => toolModule(tool).runbook({ settings: io.env }));
  const html = stringOf(args, 'html');
  if (html !== undefined) {
    const page = renderReportHtml(report, alert);
    if (html === '-') {
      if (ctx.json) throw new UsageError('--html - writes the page on stdout: not with --json');
      io.stdout(page);
    } else await writeFile(resolve(io.cwd, html), page);
  }
  if (ctx.json) io.stdout(`${JSON.stringify({ ...report, outcome: outcomeOf(report), alert }, null, 2)}\n`);
  else if (flagOf(args, 'text') || html === undefined)
    io.stdout(`${renderReport(report, alert, textStyleOf(ctx.style.stdout))}\n`);
  return 0;
}

/**
 * A report.json, a run folder (its report.json), or a report folder (the report.json of its
 * newest run): `hsm-sentinel report .runs/emulator/reports` renders the last run.
 */
async function reportPathOf(path: string, shown: string): Promise<string> {
  const info = await stat(path).catch((cause: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${shown} (${cause.code ?? 'error'})`, { cause });
  });
  if (!info.isDirectory()) return path;
  const own = join(path, 'report.json');
  if (await stat(own).catch(() => null)) return own;
  const runs = join(path, 'runs');
  const folders = await readdir(runs, { withFileTypes: true }).catch(() => []);
  const reports = await Promise.all(
    folders
      .filter((f) => f.isDirectory())
      .map(async (f) => {
        const candidate = join(runs, f.name, 'report.json');
        const found = await stat(candidate).catch(() => null);
        return found ? { candidate, at: found.mtimeMs } : null;
      }),
  );
  const newest = reports.filter((r) => r !== null).sort((a, b) => b.at - a.at)[0];
  if (!newest) throw new UsageError(`${shown} is a folder with no report.json and no runs/<run>/report.json`);
  return newest.candidate;
}

async function readReport(path: string, shown: string): Promise<RunReport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`cannot read ${shown} (${code})`, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new InvalidInputError(`${shown} is not JSON, so not a run report (report.json)`, { cause });
  }
  const parsed = runReportSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'the document';
    throw new InvalidInputError(
      `${shown} is not a run report (report.json): ${where}: ${oneLine(issue?.message ?? 'invalid')}`,
    );
  }
  // The schema checks what the renderers read; the rest is the report model as stored.
  return value as RunReport;
}

function oneLine(message: string): string {
  return message.replace(/\s+/g, ' ').trim();
}
