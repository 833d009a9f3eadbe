/**
 * The size limit and bounded work: a full-cluster verbose page fits, 10 MB hostile strings are
 * refused quickly with one line, deep nesting never reaches a stack overflow.
 */
import { describe, expect, it } from '@jest/globals';
import { MAX_REPLY_BYTES } from '#drivers/cloudhsm-cli/parse/envelope.ts';
import { MAX_LABEL_LENGTH } from '#drivers/cloudhsm-cli/parse/fields.ts';
import { parseKeyList } from '#drivers/cloudhsm-cli/parse/parse-key-list.ts';
import { parseUserList } from '#drivers/cloudhsm-cli/parse/parse-user-list.ts';
import { commandErrorOf } from '../../support/cloudhsm-cli/replies.ts';
import { parseErrorOf } from '../../support/core/errors.ts';
import { transcript } from '../../support/fixtures.ts';

const FULL_CLUSTER_KEYS = 16_666;
const TEN_MB = 10 * 1024 * 1024;

/** The largest key entry the grammar allows: RSA-4096 public key, 7 shared users, longest names. */
function worstKey(i: number): Record<string, unknown> {
  const user = (n: number) => ({
    username: `u${String(n).padStart(30, '0')}`,
    'key-coverage': 'inconsistent',
  });
  return {
    'key-reference': `0x${i.toString(16).padStart(16, '0')}`,
    'key-info': {
      'key-owners': [user(0)],
      'shared-users': Array.from({ length: 7 }, (_, j) => user(j + 1)),
      'key-quorum-values': { 'manage-key-quorum-value': 0, 'use-key-quorum-value': 0 },
      'cluster-coverage': 'inconsistent',
    },
    attributes: {
      'key-type': 'rsa',
      label: 'L'.repeat(MAX_LABEL_LENGTH),
      id: `0x${'ab'.repeat(64)}`,
      'check-value': '0x2a737d',
      class: 'public-key',
      encrypt: false,
      decrypt: false,
      token: true,
      'always-sensitive': false,
      derive: false,
      destroyable: true,
      extractable: true,
      local: true,
      modifiable: true,
      'never-extractable': false,
      private: true,
      sensitive: false,
      sign: false,
      trusted: false,
      unwrap: false,
      verify: false,
      wrap: false,
      'wrap-with-trusted': false,
      'key-length-bytes': 1219,
      'public-exponent': '0x010001',
      modulus: `0x${'a8'.repeat(512)}`,
      'modulus-size-bits': 4096,
    },
  };
}

function page(entries: unknown[]): string {
  return JSON.stringify(
    {
      error_code: 0,
      data: { matched_keys: entries, total_key_count: entries.length, returned_key_count: entries.length },
    },
    null,
    2,
  );
}

describe('cloudhsm-cli parser limits', () => {
  it('admits a full-cluster verbose page of the largest possible entries (measured per entry)', () => {
    const one = page([worstKey(0)]);
    const two = page([worstKey(0), worstKey(1)]);
    const perEntry = two.length - one.length;
    const fullPage = one.length + perEntry * (FULL_CLUSTER_KEYS - 1);

    expect(fullPage).toBeLessThan(MAX_REPLY_BYTES);
    expect(fullPage).toBeGreaterThan(MAX_REPLY_BYTES * 0.8);
  });

  it('parses a full-cluster verbose page of documented-size entries in bounded time', () => {
    const doc = JSON.parse(
      transcript('cloudhsm-cli/key-list-verbose-max-items-2.txt').replace(/^.*\n/, ''),
    ) as {
      data: { matched_keys: Array<Record<string, unknown>> };
    };
    const template = doc.data.matched_keys[0] as Record<string, unknown>;
    const entries = Array.from({ length: FULL_CLUSTER_KEYS }, (_, i) => ({
      ...template,
      'key-reference': `0x${i.toString(16).padStart(16, '0')}`,
    }));
    const text = page(entries);

    const started = performance.now();
    const reply = parseKeyList(text, { expect: 'verbose' });
    const ms = performance.now() - started;

    expect(reply.keys).toHaveLength(FULL_CLUSTER_KEYS);
    expect(text.length).toBeGreaterThan(15 * 1024 * 1024);
    expect(ms).toBeLessThan(10_000);
  });

  it('refuses 10 MB usernames, labels, preamble lines and nesting quickly, with one line; reads 10 MB of CRLF', () => {
    const huge = 'a'.repeat(TEN_MB);
    const cases: Array<[string, () => unknown]> = [
      [
        'username',
        () =>
          parseUserList(
            JSON.stringify({
              error_code: 0,
              data: {
                users: [
                  { username: huge, role: 'admin', locked: 'false', mfa: [], 'cluster-coverage': 'full' },
                ],
              },
            }),
          ),
      ],
      [
        'label',
        () => parseKeyList(page([{ 'key-reference': '0x1', attributes: { label: `${huge}\u001b[0m` } }])),
      ],
      ['preamble', () => parseUserList(`${huge}\n{"error_code": 0, "data": {"users": []}}`)],
      ['no JSON', () => parseUserList(huge)],
      ['nesting', () => parseUserList(`{"error_code":0,"data":${'['.repeat(TEN_MB)}`)],
    ];
    for (const [what, run] of cases) {
      const started = performance.now();
      const error = parseErrorOf(run);
      expect([what, error.message.includes('\n'), error.message.length < 300]).toEqual([what, false, true]);
      expect(performance.now() - started).toBeLessThan(3000);
    }
    const started = performance.now();
    expect(
      parseUserList(`${'\r\n'.repeat(TEN_MB / 2)}{"error_code": 0, "data": {"users": []}}`).users,
    ).toEqual([]);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('cuts a 10 MB error message to a short single line', () => {
    const error = commandErrorOf(() =>
      parseUserList(JSON.stringify({ error_code: 1, data: `x\n${'y'.repeat(TEN_MB)}` })),
    );
    expect(error.message.length).toBeLessThan(600);
    expect(error.message).not.toContain('\n');
  });
});
