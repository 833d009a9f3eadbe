/**
 * Parse throughput of the mgmt-util parsers, printed in MB/s (1 MB = 10^6 characters):
 * documented-shape replies at their largest, and the adversarial lines that made the old
 * patterns backtrack quadratically (each must now be read in one linear pass), plus the time
 * to refuse a 10 MB line. Run by `npm run bench` (bench/run-all.ts), never by `npm test`.
 */
import { ParseError } from '#core/errors.ts';
import type { DialectProfile } from '#drivers/mgmt-util/dialect.ts';
import { AWS_PROFILE } from '#drivers/mgmt-util/dialect.ts';
import { parseFindAllKeys } from '#drivers/mgmt-util/parse/parse-find-all-keys.ts';
import { parseGetKeyInfo } from '#drivers/mgmt-util/parse/parse-get-key-info.ts';
import { parseListUsers } from '#drivers/mgmt-util/parse/parse-list-users.ts';
import { parseLogin } from '#drivers/mgmt-util/parse/parse-login.ts';
import { parseStartup } from '#drivers/mgmt-util/parse/parse-startup.ts';
import { parseSyncReply } from '#drivers/mgmt-util/parse/parse-sync.ts';

type Parse = (text: string, profile: DialectProfile) => unknown;

/** Parses `text` repeatedly for at least `minMs`; returns MB/s and ms per parse. */
function measure(parse: Parse, text: string, minMs = 600): { mbps: number; msPer: number; outcome: string } {
  let outcome = 'parsed';
  const once = (): void => {
    try {
      parse(text, AWS_PROFILE);
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      outcome = 'ParseError';
    }
  };
  // Warm-up: let the JIT optimise the parser before measuring it.
  const warmUntil = performance.now() + minMs / 2;
  for (let i = 0; i < 3 || performance.now() < warmUntil; i += 1) once();
  let runs = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < minMs || runs < 3) {
    once();
    runs += 1;
    elapsed = performance.now() - started;
  }
  const msPer = elapsed / runs;
  return { mbps: text.length / 1e6 / (msPer / 1000), msPer, outcome };
}

function report(label: string, parse: Parse, text: string): void {
  const { mbps, msPer, outcome } = measure(parse, text);
  console.log(
    `  ${label.padEnd(62)} ${(text.length / 1e6).toFixed(2).padStart(6)} MB ${msPer.toFixed(2).padStart(9)} ms ${mbps.toFixed(0).padStart(6)} MB/s  ${outcome}`,
  );
}

function findAllKeysReply(
  servers: number,
  keys: number,
  item: (k: number) => string,
  separator = ',',
): string {
  const blocks = Array.from({ length: servers }, (_, s) =>
    [
      `Keys on server ${s}(10.0.${s}.1):`,
      `Number of keys found ${keys}`,
      `number of keys matched from start index 0::${keys}`,
      Array.from({ length: keys }, (_, k) => item(k)).join(separator),
      `findAllKeys success on server ${s}(10.0.${s}.1)`,
    ].join('\n'),
  );
  return `${blocks.join('\n\n')}\n`;
}

function pagedFindAllKeys(total: number, page: number): string {
  const lines = ['Keys on server 0(10.0.0.1):', `Number of keys found ${total}`];
  for (let start = 0; start < total; start += page) {
    lines.push(`number of keys matched from start index ${start}::${start + page}`);
    lines.push(Array.from({ length: page }, (_, k) => String(262_144 + start + k)).join(','));
  }
  lines.push('findAllKeys success on server 0(10.0.0.1)', '');
  return lines.join('\n');
}

function listUsersReply(users: number): string {
  const rows = Array.from(
    { length: users },
    (_, u) =>
      `${String(u + 1).padStart(10)}              CU              user_${String(u + 1).padEnd(15)}NO               0               NO`,
  );
  return `Users on server 0(10.0.0.1):\nNumber of users found:${users}\n\n    User Id             User Type       User Name            MofnPubKey    LoginFailureCnt         2FA\n${rows.join('\n')}\n`;
}

export function benchParseThroughput(): void {
  console.log('parse throughput (mgmt-util parsers, one thread):');
  const documented = (k: number): string => `${262_144 + k}${k % 3 === 0 ? '(s)' : ''}`;
  const widest = (k: number): string => `${4_294_967_295 - k}(s)(o)`;
  report(
    'findAllKeys, 1 server x 16,666 handles (documented shape)',
    parseFindAllKeys,
    findAllKeysReply(1, 16_666, documented),
  );
  report(
    'findAllKeys, 1 server x 16,666 handles (widest: 10 digits, (s)(o), " , ")',
    parseFindAllKeys,
    findAllKeysReply(1, 16_666, widest, ' , '),
  );
  report(
    'findAllKeys, 28 servers x 16,666 handles (cluster-mode reply)',
    parseFindAllKeys,
    findAllKeysReply(28, 16_666, documented),
  );
  report('findAllKeys, 1.5 M handles in 15 pages', parseFindAllKeys, pagedFindAllKeys(1_500_000, 100_000));
  report('listUsers, 1,024 users', parseListUsers, listUsersReply(1024));

  console.log(
    'adversarial lines of 1,000,000 characters (each read in one pass; the old patterns took minutes):',
  );
  const n = 1_000_000;
  const spaces = (prefix: string, tail = 'x'): string => `${prefix}${' '.repeat(n - prefix.length)}${tail}\n`;
  const repeated = (unit: string, prefix = ''): string =>
    `${prefix}${unit.repeat(Math.floor((n - prefix.length) / unit.length))}\n`;
  const users = 'Users on server 0(10.0.0.1):\n';
  const keys = 'Keys on server 0(10.0.0.1):\n';
  report(
    'loginHSM failed: + " on server 1(" x 76,922',
    parseLogin,
    repeated(' on server 1(', 'loginHSM failed: '),
  );
  report('loginHSM success on server 0 + 1 M spaces + x', parseLogin, spaces('loginHSM success on server 0'));
  report('Number of users found + 1 M spaces + x', parseListUsers, users + spaces('Number of users found'));
  report('Number of keys found + 1 M spaces + x', parseFindAllKeys, keys + spaces('Number of keys found'));
  report(
    'key list 1,2,3 + 1 M spaces + x',
    parseFindAllKeys,
    `${keys}Number of keys found 3\n${spaces('1,2,3')}`,
  );
  report(
    'key list "1" + "(s)" x 333,333',
    parseFindAllKeys,
    `${keys}Number of keys found 1\n${repeated('(s)', '1')}`,
  );
  report(
    'key list "1," x 500,000 (count 1)',
    parseFindAllKeys,
    `${keys}Number of keys found 1\n${repeated('1,')}`,
  );
  report(
    'Session Key + 1 M spaces + x (getKeyInfo)',
    parseGetKeyInfo,
    `Key Info on server 0(10.0.0.1):\n${spaces('Session Key')}`,
  );
  report('start-up: "server \'a\' " x 90,909', parseStartup, repeated("server 'a' "));
  report(
    'start-up: Connected to server … port 2225 + 1 M spaces + x',
    parseStartup,
    spaces("Connected to server 'a': hostname 'a', port 2225"),
  );
  report(
    'syncUser: ExtractMaskedObject: 0x0 + 1 M spaces + x',
    (t, p) => parseSyncReply('syncUser', t, p),
    spaces('ExtractMaskedObject: 0x0'),
  );
  report(
    'a user row of 1 M characters',
    parseListUsers,
    `${users}Number of users found:1\nUser Id User Type User Name MofnPubKey LoginFailureCnt 2FA\n${repeated('1 CU a NO 0 NO ')}`,
  );

  console.log('over the bounds (refused before any pattern runs):');
  report('a 10 MB line (line limit 1 MiB)', parseListUsers, `${users}${'x'.repeat(10 * 1024 * 1024)}\n`);
  report(
    '20 MB of short lines (reply cap 16 MiB)',
    parseListUsers,
    'Number of users found:1\n'.repeat(860_000),
  );
}
