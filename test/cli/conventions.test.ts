/**
 * Every command and every action in the registry gets the same conventions (main.ts): --help
 * with every flag, its default and the exit codes; --version; --json that leaves stdout one
 * JSON document; an unknown flag is one line and exit 2. A command added to the registry is
 * checked here with no new test.
 */
import { describe, expect, it } from '@jest/globals';
import { COMMANDS } from '#cli/command-registry.ts';
import { allOptions, type CommandSpec } from '#cli/command-spec.ts';
import { main, version } from '#cli/main.ts';
import { memoryIo } from '../support/cli/memory-io.ts';

/** Every command, and every action of those with actions, as the words that name it. */
function everyCommand(): { words: string[]; spec: CommandSpec }[] {
  return COMMANDS.flatMap((c) => [
    { words: [c.name], spec: c },
    ...Object.entries(c.actions ?? {}).map(([action, spec]) => ({ words: [c.name, action], spec })),
  ]);
}

describe('the conventions of every command', () => {
  const all = everyCommand();

  it('covers every command of the README and every emulator action', () => {
    expect(all.map((c) => c.words.join(' '))).toEqual(
      expect.arrayContaining([
        'demo',
        'audit',
        'sync',
        'run',
        'parse',
        'report',
        'emulator',
        'emulator start',
        'emulator stop',
        'emulator status',
        'emulator fault',
      ]),
    );
  });

  it.each(all.map((c) => [c.words.join(' '), c] as const))(
    '%s --help: every flag, its default, the exit codes',
    async (_, c) => {
      const { io, out } = memoryIo();

      const code = await main([...c.words, '--help'], io);

      expect(code).toBe(0);
      expect(out.stderr).toBe('');
      expect(out.stdout).toContain(`usage:\n  hsm-sentinel ${c.words.join(' ')}`);
      for (const [name, option] of Object.entries(allOptions(c.spec))) {
        const line = out.stdout.split('\n').find((l) => l.startsWith(`  --${name} `) || l === `  --${name}`);
        expect(line).toBeDefined();
        const shown = option.defaultText ?? (option.type === 'string' ? option.default : undefined);
        if (shown !== undefined) expect(line).toContain(`(default: ${shown})`);
      }
      const exits = out.stdout.split('exit codes:\n')[1] ?? '';
      expect(Object.keys(c.spec.exitCodes).length).toBeGreaterThan(0);
      for (const code of Object.keys(c.spec.exitCodes))
        expect(exits).toMatch(new RegExp(`^  ${code}  \\S`, 'm'));
    },
  );

  it.each(all.map((c) => [c.words.join(' '), c] as const))(
    '%s --help --json and --version --json: JSON only',
    async (_, c) => {
      const help = memoryIo();
      const ver = memoryIo();

      expect(await main([...c.words, '--help', '--json'], help.io)).toBe(0);
      expect(await main([...c.words, '--version', '--json'], ver.io)).toBe(0);

      expect(JSON.parse(help.out.stdout)).toMatchObject({
        command: c.spec.name,
        exitCodes: c.spec.exitCodes,
      });
      expect(JSON.parse(ver.out.stdout)).toEqual({
        name: 'hsm-sentinel',
        version: version(),
        node: process.versions.node,
      });
    },
  );

  it.each(all.map((c) => [c.words.join(' '), c] as const))(
    '%s --no-such-flag: exit 2, one line; with --json, JSON on stdout',
    async (_, c) => {
      const plain = memoryIo();
      const json = memoryIo();

      expect(await main([...c.words, '--no-such-flag'], plain.io)).toBe(2);
      expect(await main([...c.words, '--no-such-flag', '--json'], json.io)).toBe(2);

      expect(plain.out.stdout).toBe('');
      expect(plain.out.stderr).toMatch(
        new RegExp(`^hsm-sentinel ${c.spec.name}: Unknown option '--no-such-flag'[^\\n]*\\n$`),
      );
      expect(JSON.parse(json.out.stdout)).toMatchObject({ exitCode: 2, error: { name: 'UsageError' } });
    },
  );

  it('hsm-sentinel --version, --help; no command is usage (exit 2); an unknown one too', async () => {
    const ver = memoryIo();
    const help = memoryIo();
    const none = memoryIo();
    const unknown = memoryIo();

    expect(await main(['--version'], ver.io)).toBe(0);
    expect(await main(['--help'], help.io)).toBe(0);
    expect(await main([], none.io)).toBe(2);
    expect(await main(['frobnicate', '--json'], unknown.io)).toBe(2);

    expect(ver.out.stdout).toBe(`hsm-sentinel ${version()} (Node ${process.versions.node})\n`);
    expect(help.out.stdout).toMatch(/^usage: hsm-sentinel <command>/);
    for (const c of COMMANDS) expect(help.out.stdout).toContain(`  ${c.name} `);
    expect(help.out.stdout).toMatch(
      /exit codes:\n {2}0 {2}clean or repaired\n {2}1 {2}the run failed\n {2}2 {2}wrong usage/,
    );
    expect(none.out.stderr).toMatch(/^usage: hsm-sentinel/);
    expect(unknown.out.stderr).toBe(
      `hsm-sentinel: unknown command 'frobnicate': one of ${COMMANDS.map((c) => c.name).join(', ')}\n`,
    );
    expect(JSON.parse(unknown.out.stdout)).toMatchObject({ exitCode: 2 });
  });

  it('an unknown action is one line and exit 2; no action at all too', async () => {
    const unknown = memoryIo();
    const none = memoryIo();

    expect(await main(['emulator', 'restart'], unknown.io)).toBe(2);
    expect(await main(['emulator'], none.io)).toBe(2);

    expect(unknown.out.stderr).toBe(
      "hsm-sentinel emulator: unknown action 'restart': one of start, status, fault, stop (see hsm-sentinel emulator --help)\n",
    );
    expect(none.out.stderr).toBe('hsm-sentinel emulator: expected an action: start, status, fault, stop\n');
  });

  it('--json on the emulator actions that find nothing running: still JSON only', async () => {
    const status = memoryIo({ cwd: '/nonexistent-hsm-sentinel-dir' });
    const stop = memoryIo({ cwd: '/nonexistent-hsm-sentinel-dir' });

    expect(await main(['emulator', 'status', '--json'], status.io)).toBe(0);
    expect(await main(['emulator', 'stop', '--json'], stop.io)).toBe(0);

    expect(JSON.parse(status.out.stdout)).toMatchObject({ running: false });
    expect(JSON.parse(stop.out.stdout)).toEqual({ stopped: false });
  });
});
