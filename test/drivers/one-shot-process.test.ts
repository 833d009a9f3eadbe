/**
 * The bounded one-process-per-command runner both one-shot tools use, on real child
 * processes (this Node running small scripts): it returns what the program printed, types at
 * its prompt, gives a program that would wait for input end-of-input, and kills a program that
 * runs past its deadline or floods stdout.
 */
import { describe, expect, it } from '@jest/globals';
import { CommandTimeoutError, ParseError, TransportError } from '#core/errors.ts';
import { type OneShotCommand, runOneShot } from '#drivers/one-shot-process.ts';

function script(source: string, more: Partial<OneShotCommand> = {}): OneShotCommand {
  return {
    tool: 'tool',
    command: 'do thing',
    program: process.execPath,
    args: ['-e', source],
    env: {},
    timeoutMs: 10000,
    maxReplyBytes: 1024 * 1024,
    ...more,
  };
}

describe('runOneShot', () => {
  it('returns stdout, the end of stderr and the exit code', async () => {
    const result = await runOneShot(
      script("process.stdout.write('out\\n'); process.stderr.write('err\\n'); process.exit(3)"),
    );

    expect(result).toEqual({ stdout: 'out\n', stderrTail: 'err\n', exitCode: 3 });
  });

  it('writes stdin and closes it, so a program reading to the end finishes', async () => {
    const echo =
      "let s=''; process.stdin.on('data', d => s += d).on('end', () => process.stdout.write('got:' + s))";

    const typed = await runOneShot(script(echo, { stdin: 'secret-line\n' }));
    const none = await runOneShot(script(echo));

    expect(typed.stdout).toBe('got:secret-line\n');
    expect(none.stdout).toBe('got:');
  });

  it('answers a prompt with what respond returns, once', async () => {
    const prompting =
      "process.stdout.write('Enter: '); process.stdin.once('data', d => { process.stdout.write('[' + String(d).trim() + ']'); process.exit(0); })";
    const seen: string[] = [];

    const result = await runOneShot(
      script(prompting, {
        respond: (soFar) => {
          seen.push(soFar);
          return soFar.endsWith('Enter: ') ? 'answer\n' : null;
        },
      }),
    );

    expect(result.stdout).toBe('Enter: [answer]');
    expect(seen[0]).toBe('Enter: ');
  });

  it('kills a program past its deadline: CommandTimeoutError naming the tool and command', async () => {
    const started = Date.now();
    const error = await runOneShot(script('setInterval(() => {}, 1000)', { timeoutMs: 300 })).catch((e) => e);

    expect(error).toBeInstanceOf(CommandTimeoutError);
    expect(error.message).toBe('tool do thing did not finish within 300 ms');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('kills a program that prints more than the reply limit: ParseError naming the command', async () => {
    const flood = "const b = 'x'.repeat(65536); const w = () => process.stdout.write(b, w); w()";

    const error = await runOneShot(script(flood, { maxReplyBytes: 100000 })).catch((e) => e);

    expect(error).toBeInstanceOf(ParseError);
    expect(error.message).toContain('do thing');
    expect(error.message).toContain('reply is more than the 100000 bytes accepted');
  });

  it('a program that cannot start is a TransportError naming it', async () => {
    const error = await runOneShot(script('', { program: '/nonexistent/vendor-binary' })).catch((e) => e);

    expect(error).toBeInstanceOf(TransportError);
    expect(error.message).toMatch(/^tool do thing: cannot run \/nonexistent\/vendor-binary: .*ENOENT/);
  });
});
