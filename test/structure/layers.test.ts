/**
 * The layering rules of docs/ARCHITECTURE.md, checked on the source tree:
 * - the core, the workflow and the function handlers name no node-access tool (its commands,
 *   its binaries, its folder): a tool is one folder under src/drivers;
 * - the core imports only itself (and node: builtins): it has no I/O of its own;
 * - a tool folder imports no other tool's folder, and only the registry imports a tool's module;
 * - no file re-exports another (no barrels): a module is imported from the file that defines it;
 * - `index.ts` is only a tool module's entry, the workflow's step list or the Azure app's entry.
 * Each rule is also shown to catch a planted violation, so none of them passes by finding nothing.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { PROJECT_ROOT } from '../support/cli/run-cli.ts';

interface SourceFile {
  /** Relative to the project root, with `/`. */
  path: string;
  text: string;
}

async function sourcesUnder(folder: string): Promise<SourceFile[]> {
  const root = join(PROJECT_ROOT, folder);
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && e.name.endsWith('.ts'));
  return Promise.all(
    files.map(async (e) => {
      const full = join(e.parentPath, e.name);
      return { path: relative(PROJECT_ROOT, full).split(sep).join('/'), text: await readFile(full, 'utf8') };
    }),
  );
}

/** The issue's own grep, plus the tools' folder names as import paths. */
const TOOL_WORDS =
  /cloudhsm_mgmt_util|azcloudhsm_mgmt_util|syncUser|syncKey|findAllKeys|listUsers|loginHSM|drivers\/(mgmt-util|cloudhsm-cli|luna)\//;

function toolWordsIn(files: readonly SourceFile[]): string[] {
  return files.flatMap((f) =>
    f.text
      .split('\n')
      .flatMap((line, i) => (TOOL_WORDS.test(line) ? [`${f.path}:${i + 1}: ${line.trim()}`] : [])),
  );
}

/** Every module specifier a file imports or re-exports. */
function importsOf(file: SourceFile): string[] {
  return [...file.text.matchAll(/^\s*(?:import|export)\b[^'";]*?from\s+'([^']+)'/gms)].map((m) => m[1] ?? '');
}

/** Specifiers in the core that leave it (anything but its own files and node builtins). */
function coreImportsOutside(files: readonly SourceFile[]): string[] {
  return files.flatMap((f) =>
    importsOf(f)
      .filter((spec) => !(spec.startsWith('./') || spec.startsWith('#core/') || spec.startsWith('node:')))
      .map((spec) => `${f.path} imports ${spec}`),
  );
}

const TOOL_FOLDER = /^src\/drivers\/([^/]+)\//;

/** A tool folder importing another tool's folder, or a file outside the drivers importing a tool's module. */
function crossToolImports(files: readonly SourceFile[], tools: readonly string[]): string[] {
  return files.flatMap((f) => {
    const own = TOOL_FOLDER.exec(f.path)?.[1];
    return importsOf(f).flatMap((spec) => {
      const named = tools.find((t) => spec.includes(`drivers/${t}/`) || (own && spec.startsWith(`../${t}/`)));
      if (!named || named === own) return [];
      return own && tools.includes(own) ? [`${f.path} (tool ${own}) imports ${spec}`] : [];
    });
  });
}

const REEXPORT = /^\s*export\s+(?:type\s+)?(?:\*|\{[^}]*\})\s+from\s+'/m;

function barrels(files: readonly SourceFile[]): string[] {
  return files.filter((f) => REEXPORT.test(f.text)).map((f) => f.path);
}

const ALLOWED_INDEX = [
  /^src\/drivers\/[^/]+\/index\.ts$/,
  /^src\/workflow\/steps\/index\.ts$/,
  /^functions\/azure\/index\.ts$/,
];

function strayIndexFiles(files: readonly SourceFile[]): string[] {
  return files
    .filter((f) => f.path.endsWith('/index.ts') && !ALLOWED_INDEX.some((rule) => rule.test(f.path)))
    .map((f) => f.path);
}

describe('the layers of the source tree', () => {
  let core: SourceFile[];
  let workflow: SourceFile[];
  let handlers: SourceFile[];
  let all: SourceFile[];
  let tools: string[];

  beforeAll(async () => {
    [core, workflow, handlers] = await Promise.all([
      sourcesUnder('src/core'),
      sourcesUnder('src/workflow'),
      sourcesUnder('functions'),
    ]);
    all = (await Promise.all(['src', 'functions', 'infra', 'bin', 'bench'].map(sourcesUnder))).flat();
    const driverEntries = await readdir(join(PROJECT_ROOT, 'src/drivers'), { withFileTypes: true });
    tools = driverEntries.filter((e) => e.isDirectory()).map((e) => e.name);
  });

  it('reads the tree it checks', () => {
    expect(core.length).toBeGreaterThan(10);
    expect(workflow.length).toBeGreaterThan(10);
    expect(handlers.length).toBeGreaterThan(5);
    expect(tools).toEqual(expect.arrayContaining(['mgmt-util', 'cloudhsm-cli', 'luna']));
  });

  it('no tool is named in src/core, src/workflow or functions/', () => {
    expect(toolWordsIn([...core, ...workflow, ...handlers])).toEqual([]);
    expect(toolWordsIn([{ path: 'src/core/planted.ts', text: "const c = 'syncKey';" }])).toHaveLength(1);
    expect(
      toolWordsIn([{ path: 'src/workflow/planted.ts', text: "import { X } from '#drivers/luna/rules.ts';" }]),
    ).toHaveLength(1);
  });

  it('the core imports only itself and node builtins', () => {
    expect(coreImportsOutside(core)).toEqual([]);
    expect(
      coreImportsOutside([{ path: 'src/core/planted.ts', text: "import { z } from '#workflow/x.ts';" }]),
    ).toEqual(['src/core/planted.ts imports #workflow/x.ts']);
  });

  it('a tool folder imports no other tool', () => {
    expect(crossToolImports(all, tools)).toEqual([]);
    const planted = {
      path: 'src/drivers/luna/planted.ts',
      text: "import { a } from '../mgmt-util/rules.ts';",
    };
    expect(crossToolImports([planted], tools)).toEqual([
      'src/drivers/luna/planted.ts (tool luna) imports ../mgmt-util/rules.ts',
    ]);
  });

  it('no file re-exports another (no barrels)', () => {
    expect(barrels(all)).toEqual([]);
    expect(barrels([{ path: 'src/x/index.ts', text: "export { a } from './a.ts';" }])).toEqual([
      'src/x/index.ts',
    ]);
    expect(
      barrels([{ path: 'src/x/t.ts', text: "export type {\n  A,\n  B,\n} from './a.ts';" }]),
    ).toHaveLength(1);
  });

  it('index.ts is only a tool module, the step list or the Azure entry', () => {
    expect(strayIndexFiles(all)).toEqual([]);
    expect(strayIndexFiles([{ path: 'src/core/index.ts', text: '' }])).toEqual(['src/core/index.ts']);
  });
});
