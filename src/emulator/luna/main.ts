/**
 * The emulated `lunacm`, spawned the way the driver spawns the vendor binary:
 *
 *   node src/emulator/luna/main.ts --state <appliance.json> -q <command words…>
 *   (stands in for /usr/safenet/lunaclient/bin/lunacm -q <command words…>)
 *
 * `-q` runs one command without the banner and exits (third-party evidence for real lunacm:
 * credhub-release runs `lunacm -q haGroup listGroups …`). Commands and options are
 * case-insensitive, as documented. A password is never taken from argv: `-password`/`-p` is
 * refused; the password is typed at the masked `Enter the password:` prompt (stdin).
 *
 * Commands: `hagroup listgroups`, `slot list`, `hagroup synchronize -group <label>`,
 * `hagroup recover [-group <label>]`. Exit status 0 after `Command Result : No Error`, 1 after
 * a failure trailer, 2 for a usage error (real lunacm's exit codes are undocumented: "handling
 * of return codes is not fully supported"; read the trailer, not the status).
 */
import { realpathSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  activeMembers,
  ckrOf,
  classWord,
  findGroup,
  needsSync,
  readGroup,
  recover,
  synchronize,
} from './appliance.ts';
import {
  failureTrailer,
  globalBlock,
  groupBlock,
  HA_CONFIGURATION,
  HA_DESCRIPTION,
  MEMBER_CONFIGURATION,
  MEMBER_DESCRIPTION,
  passwordEcho,
  passwordPrompt,
  type SlotEntry,
  SUCCESS_TRAILER,
  slotList,
} from './format.ts';
import type { ApplianceState } from './state.ts';
import { readApplianceState, writeApplianceState } from './state.ts';

export const LUNACM_ENTRY = fileURLToPath(import.meta.url);

/** The command prefix that runs the emulated lunacm on a state file (append `-q <words>`). */
export function lunacmCommand(statePath: string): { command: string; args: string[] } {
  return { command: process.execPath, args: [LUNACM_ENTRY, '--state', statePath] };
}

/** INVENTED return codes of the emulator (lunacm's are not published). */
const CODES = {
  unknownCommand: [0x1, 'UNKNOWN_COMMAND'],
  groupNotFound: [0x300101, 'LUNA_RET_HA_GROUP_NOT_FOUND'],
  noActiveMember: [0x300102, 'LUNA_RET_HA_NO_ACTIVE_MEMBER'],
  passwordRequired: [0x300103, 'LUNA_RET_PASSWORD_REQUIRED'],
} as const;

interface Io {
  write(text: string): void;
  readLine(): Promise<string | null>;
}

function fail(io: Io, [code, name]: readonly [number, string], message: string): number {
  io.write(`\n        Error: ${message}\n\n${failureTrailer(code, name)}\n`);
  return 1;
}

function pkcs11Failure(io: Io, error: unknown): number {
  const name = ckrOf(error);
  if (name === null) throw error;
  const codes: Record<string, number> = {
    CKR_PIN_INCORRECT: 0xa0,
    CKR_PIN_LOCKED: 0xa4,
    CKR_PIN_LEN_RANGE: 0xa2,
  };
  io.write(`\n${failureTrailer(codes[name] ?? 0x5, name)}\n`);
  return 1;
}

/**
 * Physical slot numbers: served members in state order, 0, 1, … skipping the HA groups' own
 * slot numbers (they change when members fail).
 */
function memberSlots(state: ApplianceState): Map<string, number> {
  const taken = new Set(state.groups.map((g) => g.slotId));
  const slots = new Map<string, number>();
  let next = 0;
  for (const g of state.groups) {
    for (const m of g.members) {
      if (!m.served || slots.has(m.serial)) continue;
      while (taken.has(next)) next += 1;
      slots.set(m.serial, next);
      next += 1;
    }
  }
  return slots;
}

async function listGroups(state: ApplianceState, io: Io): Promise<number> {
  const passwords = new Map<string, string>();
  for (const group of state.groups) {
    io.write(passwordPrompt(group.label));
    const typed = (await io.readLine()) ?? '';
    io.write(passwordEcho(typed.length > 0));
    if (typed.length > 0) passwords.set(group.label, typed);
  }
  io.write(globalBlock(state));
  const slots = memberSlots(state);
  let failure: unknown = null;
  for (const group of state.groups) {
    const pin = passwords.get(group.label);
    let sync: boolean | null = null;
    if (pin !== undefined && failure === null && activeMembers(group).length > 0) {
      try {
        sync = needsSync(readGroup(state, group, pin));
      } catch (error) {
        failure = error;
      }
    }
    const slotOf = (serial: string) => (state.global.haOnly ? null : (slots.get(serial) ?? null));
    io.write(groupBlock(group, sync, slotOf));
  }
  if (failure !== null) return pkcs11Failure(io, failure);
  io.write(`${SUCCESS_TRAILER}\n`);
  return 0;
}

function listSlots(state: ApplianceState, io: Io): number {
  const entries: SlotEntry[] = [];
  const slots = memberSlots(state);
  for (const g of state.groups) {
    for (const m of g.members) {
      const slotId = slots.get(m.serial);
      if (slotId === undefined || entries.some((e) => e.serialNumber === m.serial)) continue;
      entries.push({
        slotId,
        label: m.tokenLabel,
        serialNumber: m.serial,
        configuration: MEMBER_CONFIGURATION,
        description: MEMBER_DESCRIPTION,
      });
    }
  }
  for (const g of state.groups) {
    entries.push({
      slotId: g.slotId,
      label: g.label,
      serialNumber: g.serial,
      configuration: HA_CONFIGURATION,
      description: HA_DESCRIPTION,
    });
  }
  io.write(slotList(state, entries));
  io.write(`        Current Slot Id: ${entries[0]?.slotId ?? 0}\n\n${SUCCESS_TRAILER}\n`);
  return 0;
}

function option(words: readonly string[], names: readonly string[]): string | null {
  const at = words.findIndex((w) => names.includes(w.toLowerCase()));
  return at === -1 ? null : (words[at + 1] ?? null);
}

async function synchronizeGroup(
  state: ApplianceState,
  statePath: string,
  words: string[],
  io: Io,
): Promise<number> {
  const label = option(words, ['-group', '-g']);
  const group = label === null ? undefined : findGroup(state, label);
  if (!group) return fail(io, CODES.groupNotFound, `HA group ${JSON.stringify(label ?? '')} not found`);
  if (activeMembers(group).length === 0)
    return fail(io, CODES.noActiveMember, `no active member in ${group.label}`);
  io.write('        Enter the password: ');
  const pin = (await io.readLine()) ?? '';
  io.write(passwordEcho(pin.length > 0));
  if (pin.length === 0) return fail(io, CODES.passwordRequired, 'the group members password is required');
  let report: ReturnType<typeof synchronize>;
  try {
    report = synchronize(state, group, pin);
  } catch (error) {
    return pkcs11Failure(io, error);
  }
  // INVENTED: the output of `hagroup synchronize` is not published.
  const lines = [
    `        Synchronizing HA group ${group.label} (${activeMembers(group).length} active members)...`,
  ];
  for (const r of report.replicated) {
    lines.push(
      `        Replicated ${classWord(r.objectClass)} "${r.label}" (id ${r.idHex || '-'}) from ${r.from} to ${r.to}`,
    );
  }
  for (const c of report.conflicts) {
    lines.push(
      `        Warning: "${c.label}" (id ${c.idHex || '-'}) differs between members ${c.members.join(', ')}: left unchanged`,
    );
  }
  lines.push(
    `        Synchronization of ${group.label} complete: ${report.replicated.length} object(s) replicated, ${report.conflicts.length} conflict(s) left unchanged.`,
  );
  io.write(`${lines.join('\n')}\n\n${SUCCESS_TRAILER}\n`);
  writeApplianceState(statePath, state);
  return 0;
}

function recoverGroups(state: ApplianceState, statePath: string, words: string[], io: Io): number {
  const label = option(words, ['-group', '-g']);
  const groups = label === null ? state.groups : state.groups.filter((g) => g.label === label);
  if (groups.length === 0)
    return fail(io, CODES.groupNotFound, `HA group ${JSON.stringify(label)} not found`);
  // INVENTED: the output of `hagroup recover` is not published.
  const lines: string[] = [];
  for (const group of groups) {
    const { recovered, unreachable } = recover(group);
    for (const s of recovered) lines.push(`        Member ${s} of HA group ${group.label} recovered.`);
    for (const s of unreachable)
      lines.push(`        Member ${s} of HA group ${group.label} is still unreachable.`);
    if (recovered.length + unreachable.length === 0)
      lines.push(`        No failed member in HA group ${group.label}.`);
  }
  writeApplianceState(statePath, state);
  io.write(`${lines.join('\n')}\n\n${SUCCESS_TRAILER}\n`);
  return 0;
}

/** Runs one lunacm command line (the words after `-q`) against a state file. */
export async function runEmulatedLunacm(statePath: string, words: string[], io: Io): Promise<number> {
  if (words.some((w) => ['-password', '-p', '-pw'].includes(w.toLowerCase()))) {
    io.write(
      'Error: the emulated lunacm refuses passwords on the command line (they show in ps): type it at the prompt\n',
    );
    return 2;
  }
  const state = readApplianceState(statePath);
  const command = words
    .slice(0, 2)
    .map((w) => w.toLowerCase())
    .join(' ');
  switch (command) {
    case 'hagroup listgroups':
      return listGroups(state, io);
    case 'slot list':
      return listSlots(state, io);
    case 'hagroup synchronize':
      return synchronizeGroup(state, statePath, words, io);
    case 'hagroup recover':
      return recoverGroups(state, statePath, words, io);
    default:
      return fail(io, CODES.unknownCommand, `Unknown command ${JSON.stringify(words.join(' '))}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const stateAt = argv.indexOf('--state');
  const statePath = stateAt === -1 ? undefined : argv[stateAt + 1];
  const rest = stateAt === -1 ? argv : [...argv.slice(0, stateAt), ...argv.slice(stateAt + 2)];
  if (statePath === undefined || rest[0] !== '-q' || rest.length < 2) {
    process.stderr.write('usage: main.ts --state <appliance.json> -q <lunacm command words>\n');
    return 2;
  }
  process.stdout.on('error', () => process.exit(0));
  const input = createInterface({
    input: process.stdin,
    crlfDelay: Number.POSITIVE_INFINITY,
    terminal: false,
  });
  const lines = input[Symbol.asyncIterator]();
  try {
    return await runEmulatedLunacm(statePath, rest.slice(1), {
      write: (text) => {
        process.stdout.write(text);
      },
      readLine: async () => {
        const next = await lines.next();
        return next.done === true ? null : next.value;
      },
    });
  } finally {
    input.close();
  }
}

function isEntryPoint(): boolean {
  const invoked = process.argv[1];
  if (invoked === undefined) return false;
  try {
    return realpathSync(invoked) === realpathSync(LUNACM_ENTRY);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`lunacm emulator: ${(error as Error).message}\n`);
      process.exitCode = 3;
    },
  );
}
