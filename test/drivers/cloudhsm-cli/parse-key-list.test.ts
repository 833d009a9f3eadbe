import { describe, expect, it } from '@jest/globals';
import {
  joinKeyListPages,
  type ListedKey,
  parseKeyList,
} from '#drivers/cloudhsm-cli/parse/parse-key-list.ts';
import { envelope, plainKey, renderKeyList, vendorKey } from '../../support/cloudhsm-cli/replies.ts';
import { parseErrorOf } from '../../support/core/errors.ts';

const key = (n: number, extra: Partial<ListedKey> = {}): ListedKey => ({
  keyReference: `0x${n.toString(16).padStart(16, '0')}`,
  label: `label-${n}`,
  checkValue: '0xb28a46',
  clusterCoverage: 'full',
  owners: [{ username: 'cu1', coverage: 'full' }],
  sharedUsers: [],
  class: 'secret-key',
  keyType: 'aes',
  ...extra,
});

const page = (entries: unknown[], total = entries.length, extra: Record<string, unknown> = {}) =>
  envelope({ matched_keys: entries, total_key_count: total, returned_key_count: entries.length, ...extra });
const errorOf = (text: string, options = {}) => parseErrorOf(() => parseKeyList(text, options)).message;

describe('parseKeyList', () => {
  it('reads verbose keys with shared users, inconsistent coverage and no check value (HMAC)', () => {
    const keys = [
      key(1, {
        sharedUsers: [
          { username: 'alice', coverage: 'full' },
          { username: 'bob', coverage: 'inconsistent' },
        ],
      }),
      key(2, { clusterCoverage: 'inconsistent', checkValue: null, keyType: 'generic-secret' }),
    ];
    expect(parseKeyList(renderKeyList({ keys, totalKeyCount: 12, nextToken: '2' }))).toEqual({
      command: 'key list',
      keys,
      totalKeyCount: 12,
      returnedKeyCount: 2,
      nextToken: '2',
    });
  });

  it('reads a plain listing with nulls and empty lists, and next_token null as the last page', () => {
    const keys = [plainKey(key(5)), plainKey(key(6))];
    expect(parseKeyList(page(keys.map(vendorKey), 2, { next_token: null }), { expect: 'plain' })).toEqual({
      command: 'key list',
      keys,
      totalKeyCount: 2,
      returnedKeyCount: 2,
      nextToken: null,
    });
    expect(parseKeyList(page([])).keys).toEqual([]);
  });

  it('refuses a page holding fewer or more keys than returned_key_count, or more than the total', () => {
    const two = [vendorKey(key(1)), vendorKey(key(2))];
    expect(
      errorOf(envelope({ matched_keys: two.slice(0, 1), total_key_count: 5, returned_key_count: 2 })),
    ).toBe('key list: line 0: data.returned_key_count is 2 but the page holds 1 keys (cut short?)');
    expect(errorOf(page(two, 1))).toBe(
      'key list: line 0: data.returned_key_count 2 is more than total_key_count 1',
    );
    expect(errorOf(envelope({ matched_keys: two, total_key_count: -1, returned_key_count: 2 }))).toBe(
      'key list: line 0: data.total_key_count: expected a non-negative integer, got number -1',
    );
    expect(errorOf(envelope({ matched_keys: two, returned_key_count: 2 }))).toBe(
      'key list: line 0: data.total_key_count: missing',
    );
  });

  it('refuses a mixed page, and a page of the other kind than expected', () => {
    const mixed = page([vendorKey(key(1)), vendorKey(plainKey(key(2)))]);
    expect(errorOf(mixed)).toBe(
      'key list: line 0: data.matched_keys[1]: lacks key-info in a verbose listing',
    );
    expect(errorOf(page([vendorKey(plainKey(key(1)))]), { expect: 'verbose' })).toBe(
      'key list: line 0: data.matched_keys[0]: lacks key-info in a verbose listing',
    );
    expect(errorOf(page([vendorKey(key(1))]), { expect: 'plain' })).toBe(
      'key list: line 0: data.matched_keys[0]: has key-info in a plain listing',
    );
  });

  it('refuses the same key twice, bad references, hostile labels, bad check values and coverage', () => {
    expect(
      errorOf(page([vendorKey(key(1)), vendorKey(key(1, { keyReference: '0x0000000000000001' }))])),
    ).toBe('key list: line 0: data.matched_keys[1]: 0x0000000000000001 is listed twice');
    expect(errorOf(page([vendorKey(key(1, { keyReference: '12' }))]))).toContain(
      'data.matched_keys[0].key-reference: "12" is not a key reference',
    );
    expect(errorOf(page([vendorKey(key(1, { label: 'ok\u0000\u009b31m' }))]))).toBe(
      'key list: line 0: data.matched_keys[0].attributes.label: "ok\\u0000\\u{9b}31m" holds a control or non-printable character',
    );
    expect(errorOf(page([vendorKey(key(1, { label: 'x'.repeat(4097) }))]))).toBe(
      'key list: line 0: data.matched_keys[0].attributes.label: 4097 characters, more than the 4096 allowed',
    );
    expect(errorOf(page([vendorKey(key(1, { checkValue: '2a737d' }))]))).toContain('is not a check value');
    const entry = vendorKey(key(1)) as { 'key-info': Record<string, unknown> };
    entry['key-info']['cluster-coverage'] = 'partial';
    expect(errorOf(page([entry]))).toBe(
      'key list: line 0: data.matched_keys[0].key-info.cluster-coverage: expected "full" or "inconsistent", got the string "partial"',
    );
    const owner = vendorKey(key(1)) as { 'key-info': { 'key-owners': Array<Record<string, unknown>> } };
    (owner['key-info']['key-owners'][0] as Record<string, unknown>)['key-coverage'] = 'none';
    expect(errorOf(page([owner]))).toContain('key-owners[0].key-coverage: expected "full" or "inconsistent"');
  });

  it('refuses missing attributes, a verbose key without class or key-type, and bad tokens', () => {
    expect(errorOf(page([{ 'key-reference': '0x1' }]))).toBe(
      'key list: line 0: data.matched_keys[0].attributes: missing',
    );
    const noClass = vendorKey(key(1)) as { attributes: Record<string, unknown> };
    delete noClass.attributes.class;
    expect(errorOf(page([noClass]))).toBe('key list: line 0: data.matched_keys[0].attributes.class: missing');
    const badInfo = { ...vendorKey(key(1)), 'key-info': [] };
    expect(errorOf(page([badInfo]))).toBe(
      'key list: line 0: data.matched_keys[0].key-info: expected an object, got an array of 0',
    );
    for (const token of ['-1', '--filter', '10 20', 7]) {
      expect(errorOf(page([], 0, { next_token: token }))).toContain('data.next_token');
    }
  });
});

describe('joinKeyListPages', () => {
  const reply = (keys: ListedKey[], total: number, nextToken: string | null) =>
    parseKeyList(renderKeyList({ keys, totalKeyCount: total, nextToken }));

  it('joins complete pages into one listing', () => {
    const joined = joinKeyListPages([reply([key(1), key(2)], 3, '2'), reply([key(3)], 3, null)]);
    expect(joined.keys.map((k) => k.keyReference.slice(-1))).toEqual(['1', '2', '3']);
    expect([joined.totalKeyCount, joined.returnedKeyCount, joined.nextToken]).toEqual([3, 3, null]);
  });

  it('refuses a listing with a page missing, a changed total, a repeated key or a dangling token', () => {
    const first = reply([key(1), key(2)], 3, '2');
    expect(parseErrorOf(() => joinKeyListPages([])).message).toBe('key list: line 0: no pages to join');
    expect(parseErrorOf(() => joinKeyListPages([first])).message).toBe(
      'key list: line 0: the last page (1) still has a next_token',
    );
    expect(parseErrorOf(() => joinKeyListPages([reply([key(1)], 3, null), first])).message).toBe(
      'key list: line 0: page 1 has no next_token',
    );
    expect(parseErrorOf(() => joinKeyListPages([first, reply([key(3)], 4, null)])).message).toContain(
      'keys changed while listing',
    );
    expect(parseErrorOf(() => joinKeyListPages([first, reply([key(2)], 3, null)])).message).toBe(
      'key list: line 0: page 2: 0x0000000000000002 was on an earlier page',
    );
    expect(parseErrorOf(() => joinKeyListPages([reply([key(1)], 2, null)])).message).toBe(
      'key list: line 0: the pages hold 1 keys, total_key_count is 2',
    );
  });
});
