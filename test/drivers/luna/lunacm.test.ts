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
