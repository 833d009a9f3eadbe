import { describe, expect, it } from '@jest/globals';
import { MAX_JSON_DEPTH, MAX_REPLY_BYTES, readEnvelope } from '#drivers/cloudhsm-cli/parse/envelope.ts';
import { hasUnsafeChar, printable } from '#drivers/cloudhsm-cli/parse/fields.ts';
import { commandErrorOf } from '../../support/cloudhsm-cli/replies.ts';
import { parseErrorOf } from '../../support/core/errors.ts';

const OK = '{"error_code": 0, "data": {"users": []}}\n';
const read = (text: string | Uint8Array) => readEnvelope('user list', text);

describe('readEnvelope: the preamble', () => {
  it('accepts the echoed command in every documented form, and the password prompts', () => {
    const echoes = [
      'aws-cloudhsm > user list',
      'admin-user@cluster-1234abcdefg > user list',
      '$ cloudhsm-cli user list',
      '$ /opt/cloudhsm/bin/cloudhsm-cli user list --cluster-id cluster-1234567',
      'sudo /opt/cloudhsm/bin/cloudhsm-cli --config /tmp/c.cfg user list',
      'cloudhsm-cli --cluster-id=cluster-1 user list',
    ];
    for (const echo of echoes) expect(read(`${echo}\n${OK}`)).toEqual({ users: [] });
    expect(read(`\n  \nEnter password:\nConfirm password:\n${OK}\n\n`)).toEqual({ users: [] });
  });

  it('accepts CRLF line ends and a reply without a final newline', () => {
    expect(read(`aws-cloudhsm > user list\r\n${OK.trim().replace(/ /g, '\r\n')}`)).toEqual({ users: [] });
    expect(read(OK.trim())).toEqual({ users: [] });
  });

  it('refuses an echo of another command, a second echo, and any other line', () => {
    expect(parseErrorOf(() => read(`aws-cloudhsm > user delete --username bob\n${OK}`)).message).toBe(
      `user list: line 1: the echoed command "user delete --username bob" is not 'user list'`,
    );
    expect(parseErrorOf(() => read(`aws-cloudhsm > user list\naws-cloudhsm > user list\n${OK}`)).line).toBe(
      2,
    );
    expect(parseErrorOf(() => read(`Warning: something\n${OK}`)).message).toBe(
      'user list: line 1: unrecognised line "Warning: something" (expected the JSON reply, an echoed command or a password prompt)',
    );
    expect(parseErrorOf(() => read(`aws-cloudhsm > user listing\n${OK}`)).line).toBe(1);
  });

  it('refuses a preamble line with an escape sequence or a bidi override, printing it escaped', () => {
    const error = parseErrorOf(() => read(`\u001b[2Kaws-cloudhsm > user list\n${OK}`));
    expect(error.message).toBe(
      'user list: line 1: line "\\u001b[2Kaws-cloudhsm > user list" holds a control or non-printable character',
    );
    expect(parseErrorOf(() => read(`aws-cloudhsm > user list\u202e\n${OK}`)).message).toContain('\\u{202e}');
  });

  it('refuses empty input, text after the JSON, and a reply cut short', () => {
    expect(parseErrorOf(() => read('')).message).toBe(
      'user list: line 0: no JSON reply (empty or cut before the opening brace)',
    );
    expect(parseErrorOf(() => read(`${OK}aws-cloudhsm > `)).message).toBe(
      'user list: line 2: text after the JSON reply at column 1',
    );
    expect(parseErrorOf(() => read('{"error_code": 0, "data": {"users": [')).message).toBe(
      'user list: line 0: the JSON reply ends early (cut short?)',
    );
    expect(parseErrorOf(() => read('{"error_code": 0, "data": {"users": ["ad')).message).toMatch(
      /ends early|not valid JSON/,
    );
  });
});

describe('readEnvelope: the envelope', () => {
  it('turns any non-zero error_code with a message into an error naming the command', () => {
    const error = commandErrorOf(() => read('{"error_code": 2, "data": "Something failed"}'));
    expect([error.name, error.command, error.errorCode, error.toolMessage]).toEqual([
      'CloudHsmCliCommandError',
      'user list',
      2,
      'Something failed',
    ]);
    expect(error.message).toBe('cloudhsm-cli user list failed (error_code 2): Something failed');
  });

  it('escapes and cuts a hostile tool message so the error stays one printable line', () => {
    const hostile = `bad\n\u001b[31mred\u0000\u202e${'x'.repeat(10_000_000)}`;
    const error = commandErrorOf(() => read(JSON.stringify({ error_code: 1, data: hostile })));
    expect(hasUnsafeChar(error.message)).toBe(false);
    expect(error.toolMessage.startsWith('bad\\n\\u001b[31mred\\u0000\\u{202e}xxx')).toBe(true);
    expect(error.toolMessage.length).toBeLessThan(600);
  });

  it('refuses a malformed envelope as a ParseError', () => {
    expect(parseErrorOf(() => read('[]')).line).toBe(1);
    expect(parseErrorOf(() => read('{"data": {}}')).message).toBe(
      'user list: line 0: reply.error_code: missing',
    );
    expect(parseErrorOf(() => read('{"error_code": "0", "data": {}}')).message).toBe(
      'user list: line 0: reply.error_code: expected an integer, got the string "0"',
    );
    expect(parseErrorOf(() => read('{"error_code": 0}')).message).toBe(
      'user list: line 0: reply.data: missing',
    );
    expect(parseErrorOf(() => read('{"error_code": 0, "data": "ok"}')).message).toBe(
      'user list: line 0: data: expected an object, got the string "ok"',
    );
    expect(parseErrorOf(() => read('{"error_code": 1, "data": {"x": 1}}')).message).toBe(
      'user list: line 0: reply.data: error_code 1 with an object instead of a message',
    );
    expect(parseErrorOf(() => read('{"error_code": 0.5, "data": {}}')).command).toBe('user list');
  });
});

describe('readEnvelope: bounded work', () => {
  it('reads bytes as strict UTF-8 and refuses invalid UTF-8', () => {
    expect(read(new TextEncoder().encode(OK))).toEqual({ users: [] });
    const bytes = new TextEncoder().encode('{"error_code": 0, "data": {"users": [], "x": "ab"}}');
    bytes[bytes.length - 4] = 0xff;
    expect(parseErrorOf(() => read(bytes)).message).toBe('user list: line 0: reply is not valid UTF-8');
  });

  it('refuses a reply above the size limit before reading it', () => {
    const big = ' '.repeat(MAX_REPLY_BYTES + 1);
    const started = performance.now();
    expect(parseErrorOf(() => read(big)).message).toBe(
      `user list: line 0: reply is ${MAX_REPLY_BYTES + 1} bytes, more than the ${MAX_REPLY_BYTES} accepted`,
    );
    expect(parseErrorOf(() => read(new Uint8Array(MAX_REPLY_BYTES + 1))).line).toBe(0);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses nesting deeper than the limit, but not brackets inside strings', () => {
    const deep = `{"error_code": 0, "data": {"users": ${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}}`;
    expect(parseErrorOf(() => read(deep)).message).toBe(
      `user list: line 1: JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
    );
    const million = `{"error_code": 0, "data": ${'['.repeat(1_000_000)}`;
    expect(parseErrorOf(() => read(million)).message).toContain('nested deeper');
    const inString = `{"error_code": 0, "data": {"users": [], "note": "${'[{'.repeat(100)}\\"]"}}`;
    expect(read(inString)).toMatchObject({ users: [] });
  });

  it('escapes unsafe characters for messages and cuts long text', () => {
    expect(printable('a\u0085b\u200bc\ufffd')).toBe('"a\\u{85}b\\u{200b}c\\u{fffd}"');
    expect(printable('x'.repeat(100), 5)).toBe('"xxxxx…"');
  });
});
