/**
 * `key list` and `key list --verbose` (AWS CloudHSM user guide, cloudhsm_cli-key-list.html).
 * Grammar of `data`:
 * ```
 * { "matched_keys": [ <key> ], "total_key_count": N, "returned_key_count": R, ["next_token": T] }
 * plain <key>:   { "key-reference": "0x…", "attributes": { "label": <text> } }
 * verbose <key>: { "key-reference": "0x…",
 *                  "key-info": { "key-owners": [ {"username", "key-coverage"} ],
 *                                "shared-users": [ {"username", "key-coverage"} ],
 *                                "cluster-coverage": "full"|"inconsistent", … },
 *                  "attributes": { "key-type", "label", "class", ["check-value": "0x…"], … } }
 * ```
 * - `returned_key_count` must equal the number of entries (a page with fewer entries than it
 *   says is a cut reply, never a shorter list) and cannot exceed `total_key_count`.
 * - `next_token` is absent on the last page (documented); `null` is read as absent. It is an
 *   opaque token (documented as the decimal offset, `"10"`), refused when it could be read as
 *   an option (`-…`) or holds anything but `A-Z a-z 0-9 + / = _ . : -`.
 * - One page is all plain or all verbose (an admin's `--verbose` has no effect, so the caller
 *   says which it expects with `expect`); a mixed page is a ParseError.
 * - `key-coverage` / key `cluster-coverage`: only `full` is documented; `inconsistent` is
 *   accepted by analogy with users; anything else is a ParseError.
 * - `check-value` is absent for keys without one (HMAC keys have no KCV): `checkValue` null.
 * - The same key reference twice on one page is a ParseError. Unknown fields are ignored.
 * - Extra fields kept beyond the contract: `class` and `keyType` (verbose only, else null).
 */
import { ParseError } from '#core/errors.ts';
import { type CliReplyInput, readEnvelope } from './envelope.ts';
import {
  asRecord,
  checkString,
  type JsonRecord,
  MAX_LABEL_LENGTH,
  member,
  readArray,
  readCount,
  readEnum,
  readString,
  readUsername,
  TOKEN_RULE,
} from './fields.ts';
import { COVERAGE_VALUES, type Coverage } from './parse-user-list.ts';

const COMMAND = 'key list';

/** hsm2m.medium: 16,666 keys per cluster; a union over 28 disagreeing HSMs at most 28 times that. */
export const MAX_KEYS_PER_PAGE = 16_666 * 28;
/** A key has one owner and up to seven shared users (documented); room for disagreeing HSMs. */
const MAX_KEY_USERS = 64;
const KEY_REFERENCE = /^0x[0-9A-Fa-f]{1,16}$/;
const CHECK_VALUE = /^0x[0-9A-Fa-f]{0,64}$/;
const NEXT_TOKEN = /^[A-Za-z0-9+/=_.:][A-Za-z0-9+/=_.:-]{0,511}$/;

export interface KeyUser {
  username: string;
  coverage: Coverage;
}

/** One key (contract shape, plus `class` and `keyType`). */
export interface ListedKey {
  keyReference: string;
  label: string;
  checkValue: string | null;
  /** null in a plain listing. */
  clusterCoverage: Coverage | null;
  owners: KeyUser[];
  sharedUsers: KeyUser[];
  /** `attributes.class` (`secret-key`, `public-key`, `private-key`); null in a plain listing. */
  class: string | null;
  /** `attributes.key-type` (`aes`, `ec`, `rsa`, …); null in a plain listing. */
  keyType: string | null;
}

export interface KeyListReply {
  command: 'key list';
  keys: ListedKey[];
  totalKeyCount: number;
  returnedKeyCount: number;
  nextToken: string | null;
}

export interface ParseKeyListOptions {
  /** `verbose`: every entry must carry key-info; `plain`: none may. Default: either, not mixed. */
  expect?: 'verbose' | 'plain';
}

function readKeyUsers(info: JsonRecord, key: string, path: string): KeyUser[] {
  return readArray(COMMAND, info, key, path, MAX_KEY_USERS).map((entry, i) => {
    const at = `${path}.${key}[${i}]`;
    const user = asRecord(COMMAND, entry, at);
    return {
      username: readUsername(COMMAND, user, 'username', at),
      coverage: readEnum(COMMAND, user, 'key-coverage', at, COVERAGE_VALUES),
    };
  });
}

function optionalToken(attributes: JsonRecord, key: string, path: string, required: boolean): string | null {
  if (!required && !Object.hasOwn(attributes, key)) return null;
  return readString(COMMAND, attributes, key, path, TOKEN_RULE);
}

function readKey(entry: unknown, index: number): ListedKey {
  const path = `data.matched_keys[${index}]`;
  const key = asRecord(COMMAND, entry, path);
  const keyReference = readString(COMMAND, key, 'key-reference', path, {
    max: 18,
    pattern: KEY_REFERENCE,
    expected: 'a key reference (0x and 1-16 hex digits)',
  });
  const attributesPath = `${path}.attributes`;
  const attributes = asRecord(COMMAND, member(COMMAND, key, 'attributes', path), attributesPath);
  const label = readString(COMMAND, attributes, 'label', attributesPath, { max: MAX_LABEL_LENGTH });
  const checkValue = Object.hasOwn(attributes, 'check-value')
    ? checkString(COMMAND, attributes['check-value'], `${attributesPath}.check-value`, {
        max: 66,
        pattern: CHECK_VALUE,
        expected: 'a check value (0x and hex digits)',
      })
    : null;
  const verbose = Object.hasOwn(key, 'key-info');
  if (!verbose) {
    return {
      keyReference,
      label,
      checkValue,
      clusterCoverage: null,
      owners: [],
      sharedUsers: [],
      class: optionalToken(attributes, 'class', attributesPath, false),
      keyType: optionalToken(attributes, 'key-type', attributesPath, false),
    };
  }
  const infoPath = `${path}.key-info`;
  const info = asRecord(COMMAND, key['key-info'], infoPath);
  return {
    keyReference,
    label,
    checkValue,
    clusterCoverage: readEnum(COMMAND, info, 'cluster-coverage', infoPath, COVERAGE_VALUES),
    owners: readKeyUsers(info, 'key-owners', infoPath),
    sharedUsers: readKeyUsers(info, 'shared-users', infoPath),
    class: optionalToken(attributes, 'class', attributesPath, true),
    keyType: optionalToken(attributes, 'key-type', attributesPath, true),
  };
}

function readNextToken(data: JsonRecord): string | null {
  if (!Object.hasOwn(data, 'next_token') || data.next_token === null) return null;
  return checkString(COMMAND, data.next_token, 'data.next_token', {
    max: 512,
    pattern: NEXT_TOKEN,
    expected: 'a pagination token',
  });
}

/**
 * Reads one `key list [--verbose]` page.
 *
 * @example parseKeyList(stdout, { expect: 'verbose' }).keys[0].owners // -> [{ username: 'cu1', coverage: 'full' }]
 */
export function parseKeyList(input: CliReplyInput, options: ParseKeyListOptions = {}): KeyListReply {
  const data = readEnvelope(COMMAND, input);
  const entries = readArray(COMMAND, data, 'matched_keys', 'data', MAX_KEYS_PER_PAGE);
  const keys = entries.map(readKey);
  const totalKeyCount = readCount(COMMAND, data, 'total_key_count', 'data');
  const returnedKeyCount = readCount(COMMAND, data, 'returned_key_count', 'data');
  const nextToken = readNextToken(data);
  if (returnedKeyCount !== keys.length) {
    throw new ParseError(
      COMMAND,
      0,
      `data.returned_key_count is ${returnedKeyCount} but the page holds ${keys.length} keys (cut short?)`,
    );
  }
  if (returnedKeyCount > totalKeyCount) {
    throw new ParseError(
      COMMAND,
      0,
      `data.returned_key_count ${returnedKeyCount} is more than total_key_count ${totalKeyCount}`,
    );
  }
  const wanted = options.expect ?? ((keys[0]?.clusterCoverage ?? null) === null ? 'plain' : 'verbose');
  const seen = new Set<string>();
  keys.forEach((key, i) => {
    const verbose = key.clusterCoverage !== null;
    if ((wanted === 'verbose') !== verbose) {
      throw new ParseError(
        COMMAND,
        0,
        `data.matched_keys[${i}]: ${verbose ? 'has' : 'lacks'} key-info in a ${wanted} listing`,
      );
    }
    const ref = key.keyReference.toLowerCase();
    if (seen.has(ref)) throw new ParseError(COMMAND, 0, `data.matched_keys[${i}]: ${ref} is listed twice`);
    seen.add(ref);
  });
  return { command: COMMAND, keys, totalKeyCount, returnedKeyCount, nextToken };
}

/**
 * Joins the pages of one listing (read in order, each started at the previous `nextToken`)
 * and checks that nothing is missing: every page but the last has a token, the last has none,
 * every page reports the same total, the pages hold exactly that many keys, and no key appears
 * twice. A listing that changed between pages fails (list again).
 */
export function joinKeyListPages(pages: readonly KeyListReply[]): KeyListReply {
  const first = pages[0];
  if (first === undefined) throw new ParseError(COMMAND, 0, 'no pages to join');
  const keys: ListedKey[] = [];
  const seen = new Set<string>();
  pages.forEach((page, i) => {
    const last = i === pages.length - 1;
    if (page.totalKeyCount !== first.totalKeyCount) {
      throw new ParseError(
        COMMAND,
        0,
        `page ${i + 1} reports total_key_count ${page.totalKeyCount}, page 1 ${first.totalKeyCount} (keys changed while listing)`,
      );
    }
    if (last !== (page.nextToken === null)) {
      throw new ParseError(
        COMMAND,
        0,
        last ? `the last page (${i + 1}) still has a next_token` : `page ${i + 1} has no next_token`,
      );
    }
    for (const key of page.keys) {
      const ref = key.keyReference.toLowerCase();
      if (seen.has(ref)) throw new ParseError(COMMAND, 0, `page ${i + 1}: ${ref} was on an earlier page`);
      seen.add(ref);
      keys.push(key);
    }
  });
  if (keys.length !== first.totalKeyCount) {
    throw new ParseError(
      COMMAND,
      0,
      `the pages hold ${keys.length} keys, total_key_count is ${first.totalKeyCount}`,
    );
  }
  return {
    command: COMMAND,
    keys,
    totalKeyCount: first.totalKeyCount,
    returnedKeyCount: keys.length,
    nextToken: null,
  };
}
