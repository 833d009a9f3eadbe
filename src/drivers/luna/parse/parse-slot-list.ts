/**
 * `slot list` and the slot listing LunaCM prints at start-up. Grammar, as documented (Thales
 * "Adding or Removing an HA Group Member", 7/network, LunaCM v7.3.0):
 *
 * ```
 * lunacm (64-bit) v7.3.0. Copyright (c) 2018 SafeNet. All rights reserved.   (optional banner)
 *         Available HSMs:                                                      (optional)
 *         Slot Id ->              0                                            (one block per slot,
 *         Label ->                par0                                          these seven lines in
 *         Serial Number ->        154438865287                                  this order)
 *         Model ->                LunaSA 7.3.0
 *         Firmware Version ->     7.3.0
 *         Configuration ->        Luna User Partition With SO (PW) Key Export With Cloning Mode
 *         Slot Description ->     Net Token Slot
 *         Current Slot Id: 0                                                   (optional; a third-party copy)
 * Command Result : No Error                                                    (optional trailer, last)
 * ```
 * UNCONFIRMED: the HA virtual slot's block (its Slot Description is "HA Virtual Card Slot",
 * seen through PKCS#11; its lunacm fields are not published). This parser requires the same
 * seven fields of every block, so a differently shaped block is a ParseError, never skipped.
 * A block cut before `Slot Description` is a ParseError; so is a reply with no slot and no
 * error trailer.
 */
import { ParseError } from '#core/errors.ts';
import type { CommandResult } from './command-result.ts';
import { isCommandResultLine, parseCommandResult } from './command-result.ts';
import type { Line } from './lines.ts';
import { decimal, isBlank, isCommandEcho, quote, splitField, tokens, toLines, unknownLine } from './lines.ts';

export const SLOT_LIST_COMMAND = 'slot list';
const COMMAND = SLOT_LIST_COMMAND;

export interface LunaSlot {
  slotId: number;
  label: string;
  serialNumber: string;
  model: string;
  firmwareVersion: string;
  configuration: string;
  /** `Net Token Slot` for a network partition, `HA Virtual Card Slot` for an HA group. */
  description: string;
}

export interface SlotListReply {
  command: typeof SLOT_LIST_COMMAND;
  /** The banner's client version (`7.3.0`), or null when the banner was not printed (`lunacm -q`). */
  clientVersion: string | null;
  slots: LunaSlot[];
  /** `Current Slot Id: N`, or null when not printed. */
  currentSlotId: number | null;
  commandResult: CommandResult | null;
}

const FIELDS = [
  ['Slot Id', 'slotId'],
  ['Label', 'label'],
  ['Serial Number', 'serialNumber'],
  ['Model', 'model'],
  ['Firmware Version', 'firmwareVersion'],
  ['Configuration', 'configuration'],
  ['Slot Description', 'description'],
] as const;

function bannerVersion(line: Line): string | null {
  const t = tokens(line.text);
  if (t[0]?.text !== 'lunacm' || !line.text.includes('Copyright')) return null;
  const v = t.find((x) => x.text.startsWith('v') && x.text.length > 1);
  if (!v) return null;
  const version = v.text.endsWith('.') ? v.text.slice(1, -1) : v.text.slice(1);
  return version.length > 0 ? version : null;
}

/**
 * Reads a `slot list` reply (or the start-up listing) completely or throws ParseError.
 *
 * @example parseSlotList('Slot Id -> 0\nLabel -> par0\n…\nSlot Description -> Net Token Slot\n')
 */
export function parseSlotList(reply: string | Uint8Array): SlotListReply {
  const all = toLines(COMMAND, reply);
  const lines = all.filter((l) => !isBlank(l));
  const endNo = (all.at(-1)?.no ?? 0) + 1;
  let i = 0;
  let clientVersion: string | null = null;
  const at = (k: number) => lines[k];
  if (at(i) && isCommandEcho(at(i) as Line, ['slot', 'list'])) i += 1;
  if (at(i)) {
    const v = bannerVersion(at(i) as Line);
    if (v !== null) {
      clientVersion = v;
      i += 1;
    }
  }
  if (at(i)?.text.trim() === 'Available HSMs:') i += 1;

  const slots: LunaSlot[] = [];
  let currentSlotId: number | null = null;
  let commandResult: CommandResult | null = null;
  while (i < lines.length) {
    const line = lines[i] as Line;
    if (isCommandResultLine(line)) {
      commandResult = parseCommandResult(COMMAND, line);
      const trailing = lines[i + 1];
      if (trailing) throw unknownLine(COMMAND, trailing, 'nothing after the command result');
      break;
    }
    const current = splitField(line.text, ':');
    if (current?.key === 'Current Slot Id') {
      const id = decimal(tokens(current.value)[0]?.text ?? '', 6);
      if (id === null || currentSlotId !== null) throw unknownLine(COMMAND, line, "one 'Current Slot Id: N'");
      currentSlotId = id;
      i += 1;
      continue;
    }
    if (currentSlotId !== null)
      throw unknownLine(COMMAND, line, "'Command Result :' after 'Current Slot Id'");
    const slot: Record<string, string> = {};
    for (const [name, key] of FIELDS) {
      const fieldLine = lines[i];
      if (!fieldLine) {
        throw new ParseError(COMMAND, endNo, `slot block ends before '${name} ->' (reply cut short?)`);
      }
      const field = splitField(fieldLine.text, '->');
      if (field?.key !== name) throw unknownLine(COMMAND, fieldLine, `'${name} ->'`);
      slot[key] = field.value;
      i += 1;
    }
    const slotId = decimal(slot.slotId ?? '', 6);
    if (slotId === null)
      throw new ParseError(COMMAND, line.no, `Slot Id ${quote(slot.slotId ?? '')} is not a number`);
    if (slots.some((s) => s.slotId === slotId))
      throw new ParseError(COMMAND, line.no, `slot ${slotId} listed twice`);
    slots.push({
      slotId,
      label: slot.label ?? '',
      serialNumber: slot.serialNumber ?? '',
      model: slot.model ?? '',
      firmwareVersion: slot.firmwareVersion ?? '',
      configuration: slot.configuration ?? '',
      description: slot.description ?? '',
    });
  }
  if (slots.length === 0 && commandResult?.ok !== false) {
    throw new ParseError(COMMAND, endNo, 'no slot in the reply (reply cut short?)');
  }
  return { command: COMMAND, clientVersion, slots, currentSlotId, commandResult };
}
