/**
 * The lunacm runner against small stand-in programs (the emulated lunacm itself is exercised in
 * test/emulator/luna): argv shape, the password typed at each prompt and redacted, deadlines,
 * a binary that does not start, output without a trailer.
 */
import { describe, expect, it } from '@jest/globals';
import { CommandTimeoutError, TransportError } from '#core/errors.ts';
import { Secret } from '#core/secret.ts';
import { LunacmCommandError } from '#drivers/luna/errors.ts';
import { commandOutcome, recoverGroup, runLunacm, synchronizeGroup } from '#drivers/luna/lunacm.ts';
import { promptGroup } from '#drivers/luna/parse/parse-listgroups.ts';

/** A program that prints its argv, asks for the password twice, and echoes what it read (to test redaction). */
const ECHO_PROGRAM = `
const rl = require('node:readline').createInterface({ input: process.stdin });
const it = rl[Symbol.asyncIterator]();
(async () => {
  process.stdout.write('argv=' + JSON.stringify(process.argv.slice(1)) + '\\n');
  for (let i = 0; i < 2; i++) {
    process.stdout.write('        Enter the password: ');
    const line = (await it.next()).value;
    process.stdout.write('********\\nread=' + line + '\\n');
  }
  process.stdout.write('Command Result : No Error\\n');
  rl.close();
})();
`;

const node = (source: string) => ({ command: process.execPath, args: ['-e', source, '--'] });

/** Prompts like `hagroup listgroups` for two groups; echoes what was typed at each, and its own environment. */
const TWO_GROUPS = `
const rl = require('node:readline').createInterface({ input: process.stdin });
const it = rl[Symbol.asyncIterator]();
(async () => {
  for (const g of ['groupA', 'groupB']) {
    process.stdout.write(' \\n        If you would like to see synchronization data for group ' + g + ',\\n' +
      '        please enter the password for the group members. Sync info\\n' +
      '        not available in HA Only mode.\\n \\n \\n        Enter the password: ');
    const line = (await it.next()).value;
    process.stdout.write((line ? '********' : '') + '\\n' + g + ' got ' + (line === 'pw-for-B-123' ? 'the password' : JSON.stringify(line)) + '\\n');
  }
  const leaked = Object.entries(process.env).filter(([, v]) => v === 'pw-for-B-123').map(([k]) => k);
  process.stdout.write('env with it: ' + JSON.stringify(leaked) + '\\n');
  rl.close();
})();
`;

describe('runLunacm', () => {
  it('runs `<util> -q <words>`, types the password at each prompt, and redacts it from the output', async () => {
    const { stdout, exitCode } = await runLunacm(node(ECHO_PROGRAM), ['hagroup', 'listgroups'], {
      password: new Secret('s3cret-Pa55'),
    });

    expect(exitCode).toBe(0);
    expect(stdout).toContain('argv=["-q","hagroup","listgroups"]');
    expect(stdout.match(/read=<redacted>/g)).toHaveLength(2);
    expect(stdout).not.toContain('s3cret-Pa55');
  });

  it('types an empty line when no password is given', async () => {
    const { stdout } = await runLunacm(node(ECHO_PROGRAM), ['slot', 'list']);

    expect(stdout.match(/read=\n/g)).toHaveLength(2);
  });

  it('kills a lunacm that does not finish before the deadline (CommandTimeoutError)', async () => {
    const started = performance.now();

    await expect(
      runLunacm(node('setInterval(() => {}, 1000)'), ['slot', 'list'], { timeoutMs: 300 }),
    ).rejects.toThrow(CommandTimeoutError);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('reports a binary that cannot start as a TransportError', async () => {
    await expect(runLunacm({ command: '/nonexistent/lunacm' }, ['slot', 'list'])).rejects.toThrow(
      TransportError,
    );
  });
});

describe('commandOutcome and the undocumented commands', () => {
  it('needs the Command Result trailer as the last line', () => {
    expect(
      commandOutcome('hagroup recover', 'Member 1 recovered.\n\nCommand Result : No Error\n').result.ok,
    ).toBe(true);
    expect(() => commandOutcome('hagroup recover', 'Member 1 recovered.\n')).toThrow(TransportError);
    expect(() => commandOutcome('hagroup recover', '')).toThrow(
      /output ends empty without 'Command Result :'/,
    );
  });

  it('turns a failure trailer of synchronize / recover into LunacmCommandError', async () => {
    const failing = node(
      "process.stdout.write('Error: no\\n\\nCommand Result : 0x00300101 (LUNA_RET_HA_GROUP_NOT_FOUND)\\n')",
    );
    const fine = node("process.stdout.write('        Synchronizing...\\nCommand Result : No Error\\n')");

    await expect(synchronizeGroup(failing, 'g', { password: new Secret('partition-pw-1') })).rejects.toThrow(
      LunacmCommandError,
    );
    await expect(recoverGroup(failing, 'g')).rejects.toThrow(/LUNA_RET_HA_GROUP_NOT_FOUND/);
    expect((await synchronizeGroup(fine, 'g', { password: new Secret('partition-pw-1') })).body).toEqual([
      'Synchronizing...',
    ]);
  });
});

describe('runLunacm: passwords reach one prompt only, never the environment', () => {
  it('types the password only at the prompt of the group `answer` picks, an empty line elsewhere', async () => {
    const password = new Secret('pw-for-B-123');
    const { stdout } = await runLunacm(node(TWO_GROUPS), ['hagroup', 'listgroups'], {
      password,
      answer: (text) => (promptGroup(text) === 'groupB' ? password : null),
    });

    expect(stdout).toContain('groupA got ""');
    expect(stdout).toContain('groupB got the password');
  });

  it('drops from the child environment any variable that holds the password', async () => {
    const password = new Secret('pw-for-B-123');
    const { stdout } = await runLunacm(
      {
        ...node(TWO_GROUPS),
        baseEnv: { ...process.env, LUNA_PARTITION_PASSWORD: 'pw-for-B-123', KEEP: 'x' },
      },
      ['hagroup', 'listgroups'],
      { password, answer: () => null },
    );

    expect(stdout).toContain('env with it: []');
  });

  it('promptGroup reads the group from the documented prompt, and nothing from other text', () => {
    const prompt =
      '        If you would like to see synchronization data for group my group,\n        please enter the password for the group members. Sync info\n        not available in HA Only mode.\n \n        Enter the password: ';

    expect(promptGroup(prompt)).toBe('my group');
    expect(promptGroup('        Enter the password: ')).toBeNull();
    expect(
      promptGroup('If you would like to see synchronization data for group x,\nEnter the password:'),
    ).toBeNull();
  });
});
