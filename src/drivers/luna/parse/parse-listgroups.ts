/**
 * `hagroup listgroups` (LunaCM 7.x / 10.x). Grammar, as documented on the Thales "Replacing an HA
 * Group Member" pages (7.2/7.3 PCI: everything below; 7/network: the group blocks only):
 *
 * ```
 * lunacm:> hagroup listgroups                                   (optional echo)
 *         If you would like to see synchronization data for group <label>,
 *         please enter the password for the group members. Sync info
 *         not available in HA Only mode.
 *         Enter the password: ********                          (optional block, one per group)
 *               HA auto recovery:  enabled|disabled
 *               HA recovery mode:  <word>                        (optional global block:
 *    Maximum auto recovery retry:  <int, -1 = infinite>           all six lines, any order)
 *    Auto recovery poll interval:  <int> seconds
 *                     HA logging:  enabled|disabled
 *             Only Show HA Slots:  yes|no
 *          HA Group Label:  <label>                              (one or more group blocks)
 *         HA Group Number:  <serial>
 *        HA Group Slot ID:  <int>
 *        Synchronization: enabled|disabled
 *           Group Members:  <serial>, <serial>, …
 *              Needs sync:  yes|no                               (optional: absent = unknown)
 *         Standby Members:  <none> | <serial>, …
 * Slot #    Member S/N                      Member Label    Status
 * ======    ==========                      ============    ======
 * <int|------>  <serial>   <label|------------>   alive|down     (one row per member)
 * Command Result : No Error                                      (optional trailer, last)
 * ```
 * Blank lines may appear between any two lines. Field lines are `Key: value` with any
 * alignment (the documented `Synchronization: enabled` has one space, the others two).
 *
 * Total: a line that fits nowhere, a group whose member table lists fewer members than
 * `Group Members` (a cut reply), a prompt for a group that never follows, a global block
 * missing a line, a status other than the documented `alive`/`down`, more than 32 members
 * (CK_HA_MAX_MEMBERS in Thales' pycryptoki) or no group at all without an error trailer is a
 * ParseError naming the line; never a shorter list. Hostile text is refused by `toLines`.
 */
import { ParseError } from '#core/errors.ts';
import { LunacmCommandError } from '../errors.ts';
import type { CommandResult } from './command-result.ts';
import { isCommandResultLine, parseCommandResult } from './command-result.ts';
import type { Line } from './lines.ts';
import {
  decimal,
  isBlank,
  isCommandEcho,
  quote,
  serialNumber,
  splitField,
  tokens,
  toLines,
  unknownLine,
} from './lines.ts';

export const LISTGROUPS_COMMAND = 'hagroup listgroups';
const COMMAND = LISTGROUPS_COMMAND;
/** CK_HA_MAX_MEMBERS (ThalesGroup/pycryptoki defines.py). */
export const MAX_HA_MEMBERS = 32;

export type MemberStatus = 'alive' | 'down';

/** The `Needs sync:` line: yes, no, or absent (no password given, or HA-only mode). */
export type NeedsSync = boolean | 'unknown';

/** The global block ("HA Global Configuration Settings"). */
export interface HaGlobalSettings {
  autoRecoveryEnabled: boolean;
  recoveryMode: string;
  /** `Maximum auto recovery retry`: 0 = auto recovery off, -1 = infinite. */
  maxRetry: number;
  pollIntervalSeconds: number;
  logging: boolean;
  /** `Only Show HA Slots` (HAOnly): physical member slots hidden from applications. */
  haOnly: boolean;
}

export interface HaMemberRow {
  serial: string;
  /** The `Slot #` column: null when printed as `------` (HA-only mode hides member slots). */
  slotId: number | null;
  /** The `Member Label` column: null when printed as dashes (a down member). */
  label: string | null;
  status: MemberStatus;
  /** Listed under `Standby Members`. */
  standby: boolean;
}

export interface HaGroup {
  label: string;
  /** `HA Group Number` (documented as 1 + the first member's serial). */
  serial: string;
  slotId: number;
  synchronization: 'enabled' | 'disabled';
  /** `Group Members`, in the printed order. */
  memberSerials: string[];
  needsSync: NeedsSync;
  standbyMembers: string[];
  /** The member table, in the printed order. */
  members: HaMemberRow[];
}

export interface PasswordPrompt {
  group: string;
  /** The prompt line showed a mask (`********`): a password was entered. */
  passwordEntered: boolean;
}

/** Everything `hagroup listgroups` printed (the full reading; the CLI contract is {@link listGroupsContract}). */
export interface ListGroupsReply {
  command: typeof LISTGROUPS_COMMAND;
  prompts: PasswordPrompt[];
  /** Null in the 7/network variant, which prints the group blocks only. */
  global: HaGlobalSettings | null;
  groups: HaGroup[];
  /** The trailer; null when the reply has none (the documented examples end at the table). */
  commandResult: CommandResult | null;
}

/** The CLI contract of `parse listgroups --tool luna`. */
export interface ListGroupsContract {
  command: typeof LISTGROUPS_COMMAND;
  groups: Array<{
    label: string;
    serial: string;
    needsSync: NeedsSync;
    /** The global auto-recovery settings, repeated per group; null when the reply had no global block. */
    autoRecovery: { maxRetry: number; pollIntervalSeconds: number } | null;
    members: Array<{ serial: string; status: MemberStatus }>;
  }>;
}

const PROMPT_1 = 'If you would like to see synchronization data for group ';
const PROMPT_2 = 'please enter the password for the group members. Sync info';
const PROMPT_3 = 'not available in HA Only mode.';
const PASSWORD_KEY = 'Enter the password';

const GLOBAL_KEYS = [
  'HA auto recovery',
  'HA recovery mode',
  'Maximum auto recovery retry',
  'Auto recovery poll interval',
  'HA logging',
  'Only Show HA Slots',
] as const;
type GlobalKey = (typeof GLOBAL_KEYS)[number];

const GROUP_KEYS = [
  'HA Group Label',
  'HA Group Number',
  'HA Group Slot ID',
  'Synchronization',
  'Group Members',
  'Needs sync',
  'Standby Members',
] as const;
type GroupKey = (typeof GROUP_KEYS)[number];

const TABLE_HEADER = ['Slot', '#', 'Member', 'S/N', 'Member', 'Label', 'Status'];

function isDashes(text: string, min: number): boolean {
  if (text.length < min) return false;
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) !== 0x2d) return false;
  return true;
}

function isEquals(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) !== 0x3d) return false;
  return true;
}

function oneOf<T extends string>(line: Line, value: string, allowed: readonly T[], what: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ParseError(COMMAND, line.no, `${what}: expected ${allowed.join('|')}, got ${quote(value)}`);
}

function serialList(line: Line, value: string, what: string): string[] {
  const parts = value.split(',').map((p) => p.trim());
  const serials: string[] = [];
  for (const part of parts) {
    const serial = serialNumber(part);
    if (serial === null)
      throw new ParseError(COMMAND, line.no, `${what}: ${quote(part)} is not a serial number`);
    if (serials.includes(serial)) throw new ParseError(COMMAND, line.no, `${what}: ${serial} listed twice`);
    serials.push(serial);
  }
  if (serials.length > MAX_HA_MEMBERS) {
    throw new ParseError(COMMAND, line.no, `${what}: more than ${MAX_HA_MEMBERS} members`);
  }
  return serials;
}

/** A cursor over the non-blank lines. */
class Cursor {
  readonly #lines: Line[];
  #i = 0;
  /** Line number right after the last line: where a reply that is cut short "ends". */
  readonly endNo: number;
  constructor(all: Line[]) {
    this.#lines = all.filter((l) => !isBlank(l));
    this.endNo = (all.at(-1)?.no ?? 0) + 1;
  }
  peek(): Line | undefined {
    return this.#lines[this.#i];
  }
  next(): Line | undefined {
    const line = this.#lines[this.#i];
    this.#i += 1;
    return line;
  }
  /** The next line, or a ParseError saying the reply ends before `what`. */
  need(what: string): Line {
    const line = this.next();
    if (!line) throw new ParseError(COMMAND, this.endNo, `reply ends before ${what} (reply cut short?)`);
    return line;
  }
}

/**
 * The group a `hagroup listgroups` password prompt asks for, from the text printed since the
 * previous prompt (`If you would like to see synchronization data for group <label>,` …
 * `Enter the password:`); null when that text is not the documented prompt.
 */
export function promptGroup(promptText: string): string | null {
  const at = promptText.lastIndexOf(PROMPT_1);
  if (at === -1) return null;
  const end = promptText.indexOf('\n', at);
  const line = (end === -1 ? promptText.slice(at) : promptText.slice(at, end)).trim();
  if (!line.endsWith(',') || line.length <= PROMPT_1.length + 1) return null;
  const rest = end === -1 ? '' : promptText.slice(end);
  if (!rest.includes(PROMPT_2) || !rest.includes(PROMPT_3)) return null;
  return line.slice(PROMPT_1.length, -1).trim();
}

function parsePrompt(cursor: Cursor, first: Line): PasswordPrompt {
  const t = first.text.trim();
  if (!t.endsWith(',') || t.length <= PROMPT_1.length + 1)
    throw unknownLine(COMMAND, first, 'the password prompt');
  const group = t.slice(PROMPT_1.length, -1).trim();
  const second = cursor.need('the second line of the password prompt');
  if (second.text.trim() !== PROMPT_2) throw unknownLine(COMMAND, second, quote(PROMPT_2));
  const third = cursor.need('the third line of the password prompt');
  if (third.text.trim() !== PROMPT_3) throw unknownLine(COMMAND, third, quote(PROMPT_3));
  const entry = cursor.need(`'${PASSWORD_KEY}:'`);
  const field = splitField(entry.text, ':');
  if (field?.key !== PASSWORD_KEY) throw unknownLine(COMMAND, entry, `'${PASSWORD_KEY}:'`);
  for (let i = 0; i < field.value.length; i += 1) {
    if (field.value.charCodeAt(i) !== 0x2a) {
      throw new ParseError(
        COMMAND,
        entry.no,
        'the password line shows something other than a mask of asterisks',
      );
    }
  }
  return { group, passwordEntered: field.value.length > 0 };
}

function parseGlobal(cursor: Cursor): HaGlobalSettings {
  const seen = new Map<GlobalKey, { line: Line; value: string }>();
  for (;;) {
    const line = cursor.peek();
    const field = line ? splitField(line.text, ':') : null;
    const key =
      field && (GLOBAL_KEYS as readonly string[]).includes(field.key) ? (field.key as GlobalKey) : null;
    if (!line || !field || key === null) break;
    if (seen.has(key)) throw new ParseError(COMMAND, line.no, `global setting '${key}' printed twice`);
    seen.set(key, { line, value: field.value });
    cursor.next();
  }
  const missing = GLOBAL_KEYS.filter((k) => !seen.has(k));
  if (missing.length > 0) {
    const at = cursor.peek();
    throw new ParseError(
      COMMAND,
      at?.no ?? cursor.endNo,
      `global settings block lacks '${missing.join("', '")}'${at ? '' : ' (reply cut short?)'}`,
    );
  }
  const get = (k: GlobalKey) => seen.get(k) as { line: Line; value: string };
  const retry = get('Maximum auto recovery retry');
  const maxRetry = retry.value === '-1' ? -1 : decimal(retry.value, 6);
  if (maxRetry === null)
    throw new ParseError(COMMAND, retry.line.no, `retry count ${quote(retry.value)} is not a number`);
  const poll = get('Auto recovery poll interval');
  const pollParts = tokens(poll.value);
  const seconds =
    pollParts.length === 2 && pollParts[1]?.text === 'seconds' ? decimal(pollParts[0]?.text ?? '', 6) : null;
  if (seconds === null)
    throw new ParseError(COMMAND, poll.line.no, `poll interval ${quote(poll.value)} is not '<n> seconds'`);
  const mode = get('HA recovery mode');
  if (tokens(mode.value).length !== 1)
    throw new ParseError(COMMAND, mode.line.no, `recovery mode ${quote(mode.value)} is not one word`);
  const recovery = get('HA auto recovery');
  const logging = get('HA logging');
  const haOnly = get('Only Show HA Slots');
  return {
    autoRecoveryEnabled:
      oneOf(recovery.line, recovery.value, ['enabled', 'disabled'], 'HA auto recovery') === 'enabled',
    recoveryMode: mode.value,
    maxRetry,
    pollIntervalSeconds: seconds,
    logging: oneOf(logging.line, logging.value, ['enabled', 'disabled'], 'HA logging') === 'enabled',
    haOnly: oneOf(haOnly.line, haOnly.value, ['yes', 'no'], 'Only Show HA Slots') === 'yes',
  };
}

function parseGroupHeader(cursor: Cursor): Omit<HaGroup, 'members'> {
  const values = new Map<GroupKey, { line: Line; value: string }>();
  let expected = 0;
  for (;;) {
    const line = cursor.peek();
    const field = line ? splitField(line.text, ':') : null;
    const at = field ? GROUP_KEYS.indexOf(field.key as GroupKey) : -1;
    if (!line || !field || at === -1) break;
    // The first field starts the block; the others follow in the documented order.
    if (at < expected || (values.size === 0 && at !== 0)) {
      throw new ParseError(COMMAND, line.no, `'${field.key}' out of order in an HA group block`);
    }
    values.set(GROUP_KEYS[at] as GroupKey, { line, value: field.value });
    expected = at + 1;
    cursor.next();
    if (GROUP_KEYS[at] === 'Standby Members') break;
  }
  const missing = GROUP_KEYS.filter((k) => k !== 'Needs sync' && !values.has(k));
  if (missing.length > 0) {
    const at = cursor.peek();
    throw new ParseError(
      COMMAND,
      at?.no ?? cursor.endNo,
      `HA group block lacks '${missing.join("', '")}'${at ? '' : ' (reply cut short?)'}`,
    );
  }
  const get = (k: GroupKey) => values.get(k) as { line: Line; value: string };
  const label = get('HA Group Label');
  if (label.value === '') throw new ParseError(COMMAND, label.line.no, 'empty HA group label');
  const number = get('HA Group Number');
  const serial = serialNumber(number.value);
  if (serial === null)
    throw new ParseError(
      COMMAND,
      number.line.no,
      `HA Group Number ${quote(number.value)} is not a serial number`,
    );
  const slot = get('HA Group Slot ID');
  const slotId = decimal(slot.value, 6);
  if (slotId === null)
    throw new ParseError(COMMAND, slot.line.no, `HA Group Slot ID ${quote(slot.value)} is not a number`);
  const sync = get('Synchronization');
  const members = get('Group Members');
  const standby = get('Standby Members');
  const needs = values.get('Needs sync');
  return {
    label: label.value,
    serial,
    slotId,
    synchronization: oneOf(sync.line, sync.value, ['enabled', 'disabled'], 'Synchronization'),
    memberSerials: serialList(members.line, members.value, 'Group Members'),
    needsSync: needs ? oneOf(needs.line, needs.value, ['yes', 'no'], 'Needs sync') === 'yes' : 'unknown',
    standbyMembers:
      standby.value === '<none>' ? [] : serialList(standby.line, standby.value, 'Standby Members'),
  };
}

function parseRow(line: Line): Omit<HaMemberRow, 'standby'> | null {
  const t = tokens(line.text);
  if (t.length < 4) return null;
  const first = t[0] as { text: string };
  const second = t[1] as { text: string; start: number };
  const last = t.at(-1) as { text: string; start: number };
  const slotId = isDashes(first.text, 1) ? null : decimal(first.text, 6);
  if (slotId === null && !isDashes(first.text, 1)) return null;
  const serial = serialNumber(second.text);
  if (serial === null) return null;
  const label = line.text.slice(second.start + second.text.length, last.start).trim();
  if (last.text !== 'alive' && last.text !== 'down') {
    throw new ParseError(COMMAND, line.no, `member status ${quote(last.text)} is not alive|down`);
  }
  return { serial, slotId, label: isDashes(label, 2) ? null : label, status: last.text };
}

function parseTable(cursor: Cursor, header: Omit<HaGroup, 'members'>): HaMemberRow[] {
  const head = cursor.need(`the member table of group ${header.label}`);
  const names = tokens(head.text).map((t) => t.text);
  if (names.join(' ') !== TABLE_HEADER.join(' ')) throw unknownLine(COMMAND, head, 'the member table header');
  const rule = cursor.need(`the member table rule of group ${header.label}`);
  const bars = tokens(rule.text);
  if (bars.length !== 4 || !bars.every((b) => isEquals(b.text)))
    throw unknownLine(COMMAND, rule, "the '======' rule");
  const rows: HaMemberRow[] = [];
  const known = new Set([...header.memberSerials, ...header.standbyMembers]);
  for (;;) {
    const line = cursor.peek();
    if (!line) break;
    const row = parseRow(line);
    if (row === null) break;
    if (!known.has(row.serial)) {
      throw new ParseError(
        COMMAND,
        line.no,
        `member ${row.serial} is not listed in 'Group Members' of ${header.label}`,
      );
    }
    if (rows.some((r) => r.serial === row.serial)) {
      throw new ParseError(
        COMMAND,
        line.no,
        `member ${row.serial} appears twice in the table of ${header.label}`,
      );
    }
    rows.push({ ...row, standby: header.standbyMembers.includes(row.serial) });
    cursor.next();
  }
  const listed = header.memberSerials.filter((s) => rows.some((r) => r.serial === s)).length;
  if (listed < header.memberSerials.length) {
    const at = cursor.peek();
    throw new ParseError(
      COMMAND,
      at?.no ?? cursor.endNo,
      `member table of ${header.label} ends after ${listed} of ${header.memberSerials.length} members (reply cut short?)`,
    );
  }
  return rows;
}

/**
 * Reads a `hagroup listgroups` reply completely or throws ParseError.
 *
 * @example parseListGroups(readFileSync('test/fixtures/transcripts/luna/listgroups-7.3-pci.txt'))
 */
export function parseListGroups(reply: string | Uint8Array): ListGroupsReply {
  const cursor = new Cursor(toLines(COMMAND, reply));
  const first = cursor.peek();
  if (first && isCommandEcho(first, ['hagroup', 'listgroups'])) cursor.next();

  const prompts: PasswordPrompt[] = [];
  for (let line = cursor.peek(); line?.text.trim().startsWith(PROMPT_1); line = cursor.peek()) {
    cursor.next();
    const prompt = parsePrompt(cursor, line);
    if (prompts.some((p) => p.group === prompt.group)) {
      throw new ParseError(COMMAND, line.no, `a second password prompt for group ${prompt.group}`);
    }
    prompts.push(prompt);
  }

  let global: HaGlobalSettings | null = null;
  const afterPrompts = cursor.peek();
  const firstField = afterPrompts ? splitField(afterPrompts.text, ':') : null;
  if (firstField && (GLOBAL_KEYS as readonly string[]).includes(firstField.key)) global = parseGlobal(cursor);

  const groups: HaGroup[] = [];
  let commandResult: CommandResult | null = null;
  for (let line = cursor.peek(); line; line = cursor.peek()) {
    if (isCommandResultLine(line)) {
      commandResult = parseCommandResult(COMMAND, line);
      cursor.next();
      const trailing = cursor.peek();
      if (trailing) throw unknownLine(COMMAND, trailing, 'nothing after the command result');
      break;
    }
    if (splitField(line.text, ':')?.key !== 'HA Group Label') {
      throw unknownLine(
        COMMAND,
        line,
        groups.length === 0 ? "'HA Group Label:'" : "'HA Group Label:' or 'Command Result :'",
      );
    }
    const header = parseGroupHeader(cursor);
    if (groups.some((g) => g.label === header.label)) {
      throw new ParseError(COMMAND, line.no, `HA group ${header.label} listed twice`);
    }
    groups.push({ ...header, members: parseTable(cursor, header) });
  }

  if (groups.length === 0 && commandResult?.ok !== false) {
    throw new ParseError(COMMAND, cursor.endNo, 'no HA group in the reply (reply cut short?)');
  }
  for (const prompt of prompts) {
    if (commandResult?.ok !== false && !groups.some((g) => g.label === prompt.group)) {
      throw new ParseError(
        COMMAND,
        cursor.endNo,
        `prompted for group ${prompt.group}, which is not listed (reply cut short?)`,
      );
    }
  }
  return { command: COMMAND, prompts, global, groups, commandResult };
}

/** The contract shape from a full reading. */
export function listGroupsContract(reply: ListGroupsReply): ListGroupsContract {
  const autoRecovery = reply.global
    ? { maxRetry: reply.global.maxRetry, pollIntervalSeconds: reply.global.pollIntervalSeconds }
    : null;
  return {
    command: COMMAND,
    groups: reply.groups.map((g) => ({
      label: g.label,
      serial: g.serial,
      needsSync: g.needsSync,
      autoRecovery: autoRecovery === null ? null : { ...autoRecovery },
      members: g.members.map((m) => ({ serial: m.serial, status: m.status })),
    })),
  };
}

/**
 * What `parse listgroups --tool luna` prints: the contract shape, or a throw: ParseError for
 * output that does not follow the grammar, {@link LunacmCommandError} when lunacm reported a
 * failure in its trailer.
 *
 * @example
 * parseListGroupsContract(text)
 * // {"command":"hagroup listgroups","groups":[{"label":"myHAgroup","serial":"1154438865287","needsSync":false,
 * //   "autoRecovery":{"maxRetry":500,"pollIntervalSeconds":60},"members":[{"serial":"154438865287","status":"alive"},…]}]}
 */
export function parseListGroupsContract(reply: string | Uint8Array): ListGroupsContract {
  const full = parseListGroups(reply);
  if (full.commandResult && !full.commandResult.ok) {
    throw new LunacmCommandError(COMMAND, full.commandResult.code, full.commandResult.name);
  }
  return listGroupsContract(full);
}
