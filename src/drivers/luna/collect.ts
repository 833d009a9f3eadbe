/**
 * Reading HA members (collect): one inventory per requested member, in order.
 *
 * 1. `hagroup listgroups` with NO password (no login anywhere): the group the members are in,
 *    each member's status, the client's HA settings. Unreadable output: every member unreadable
 *    (no login was sent: they may be read again).
 * 2. `slot list`, for the member labels when slots are matched by label (else only reported).
 * 3. Each member through PKCS#11, one after the other (readMembers): the token's PIN-counter
 *    flags before the login (the lockout guard), ONE login as the partition's Crypto Officer or
 *    Crypto User, the token objects, logout. After a refused login (or a guard refusal) no other
 *    member gets the same credential, in this call or any later one of this driver.
 * 4. Needs sync: `hagroup listgroups` again with the password typed at this group's prompt only,
 *    and only when it costs no risky login: by the member that carries the group's notes, after
 *    its own login was accepted, when every member is alive and every member's token passes the
 *    lockout guard (read without a login). lunacm logs in to every member to answer.
 */
import { CommandTimeoutError, ParseError, TransportError } from '#core/errors.ts';
import type {
  ClusterNode,
  NodeInventory,
  NodeNote,
  UnreadableInventory,
  UnreadableReason,
} from '#core/model.ts';
import type { Credentials } from '#core/secret.ts';
import type { CollectOptions } from '../node-access-driver.ts';
import {
  type LunaContext,
  listGroups,
  roleOf,
  rowOf,
  type SelectorOutcome,
  selectorsFor,
  slotList,
} from './context.ts';
import { groupOfNodes, memberSerials } from './group.ts';
import { groupNotes, memberNotes, type NeedsSyncReading, notesMember } from './health.ts';
import { LISTING_TOOL, type LunaMemberListing } from './listing.ts';
import type { HaGroup, ListGroupsReply } from './parse/parse-listgroups.ts';
import type { SlotListReply } from './parse/parse-slot-list.ts';
import { CREDENTIAL_REJECTIONS } from './pkcs11/constants.ts';
import { describeMember, lockoutRefusal, type MemberOutcome, readMembers } from './pkcs11/inventory.ts';
import { TOPICS, topicOf } from './topics.ts';

/** The reason and text of a failed lunacm read: it sent no login, so a retry is safe. */
export function lunacmFailure(error: unknown): [UnreadableReason, string] {
  if (error instanceof CommandTimeoutError) return ['timeout', error.message];
  if (error instanceof ParseError)
    return ['protocol-error', `lunacm output not understood: ${error.message}`];
  if (error instanceof TransportError) return ['unreachable', error.message];
  if (error instanceof Error && 'context' in error) return ['protocol-error', error.message];
  throw error;
}

function unreadable(
  nodeId: string,
  reason: UnreadableReason,
  detail: string,
  loginAttempted: boolean,
  notes: NodeNote[] = [],
): UnreadableInventory {
  return {
    nodeId,
    status: 'unreadable',
    reason,
    detail,
    loginAttempted,
    ...(notes.length > 0 ? { notes } : {}),
  };
}

export async function collectMembers(
  ctx: LunaContext,
  nodes: readonly ClusterNode[],
  credentials: Credentials,
  options: CollectOptions,
): Promise<NodeInventory[]> {
  const role = roleOf(ctx, credentials);
  let reply: ListGroupsReply;
  let group: HaGroup;
  try {
    reply = await listGroups(ctx);
    group = groupOfNodes(reply, nodes);
  } catch (error) {
    const [reason, detail] = lunacmFailure(error);
    return nodes.map((n) => unreadable(n.nodeId, reason, `hagroup listgroups: ${detail}`, false));
  }
  const serials = nodes.map((n) => n.nodeId);
  const carrier = notesMember(group);
  // Matched by serial, slot list only feeds a note on the member that carries the group's
  // notes: a collect of the other members (one call per member) need not run it.
  const slots: SlotListReply | Error | null =
    ctx.settings.slotMatch === 'label' || serials.includes(carrier)
      ? await slotList(ctx).catch((error: unknown) => {
          lunacmFailure(error);
          return error as Error;
        })
      : null;
  const selectors = selectorsFor(ctx, serials, slots);
  const readable = serials.filter((s) => 'selector' in (selectors.get(s) as SelectorOutcome));
  const refusedOn = ctx.memory.refusal(credentials, role);
  const outcomes = await readMembers(
    ctx.reader,
    readable.map((s) => (selectors.get(s) as { selector: MemberOutcome['member'] }).selector),
    role,
    credentials.password,
    { lockoutGuard: 'near-lock', refusedOn },
  );
  const bySerial = new Map(readable.map((s, i) => [s, outcomes[i] as MemberOutcome]));
  for (const [serial, outcome] of bySerial) {
    if (outcome.outcome === 'credentials-rejected')
      ctx.memory.record(credentials, role, `member ${serial} (${outcome.error.message})`);
  }

  const carrierOutcome = bySerial.get(carrier);
  const needsSync: NeedsSyncReading | null =
    carrierOutcome === undefined
      ? null
      : carrierOutcome.outcome === 'read'
        ? await readNeedsSync(ctx, group, credentials, role, slots)
        : { value: 'unknown', notAsked: `member ${carrier} was not read` };
  const notesFor = (serial: string, answers: boolean): NodeNote[] => {
    const row = rowOf(group, serial);
    return [
      ...(row ? memberNotes(group, row, answers) : []),
      ...(serial === carrier && needsSync !== null ? groupNotes(reply.global, group, needsSync) : []),
      ...(serial === carrier && slots instanceof Error
        ? [slotListNote(group, slots, ctx.settings.slotMatch === 'label')]
        : []),
    ];
  };

  return serials.map((serial) => {
    const found = selectors.get(serial) as SelectorOutcome;
    if ('error' in found)
      return unreadable(serial, 'unreachable', found.error, false, notesFor(serial, false));
    const outcome = bySerial.get(serial) as MemberOutcome;
    return inventoryOf(ctx, group, serial, outcome, notesFor(serial, outcome.outcome === 'read'), options);
  });
}

function slotListNote(group: HaGroup, error: Error, needed: boolean): NodeNote {
  return {
    kind: 'health',
    severity: needed ? 'warning' : 'info',
    detail: `slot list could not be read (${error.message})${needed ? ': member slots found by label cannot be found' : ''}`,
    topic: topicOf(TOPICS.slotList, group.label),
  };
}

function inventoryOf(
  ctx: LunaContext,
  group: HaGroup,
  serial: string,
  outcome: MemberOutcome,
  notes: NodeNote[],
  options: CollectOptions,
): NodeInventory {
  const row = rowOf(group, serial);
  const downNote = row?.status === 'down' ? `; hagroup listgroups shows it down in ${group.label}` : '';
  switch (outcome.outcome) {
    case 'read': {
      const inv = outcome.inventory;
      const listing: LunaMemberListing = {
        tool: LISTING_TOOL,
        group: { label: group.label, serial: group.serial },
        member: {
          serial,
          label: row?.label ?? null,
          status: row?.status ?? 'alive',
          standby: row?.standby ?? false,
        },
        slot: inv.slot,
        pinCounters: inv.pinCounters,
        objects: inv.objects,
        duplicateIdentities: inv.duplicateIdentities,
      };
      return {
        nodeId: serial,
        status: 'read',
        listing,
        digest: null,
        notes,
        collectedAt: ctx.now().toISOString(),
      };
    }
    case 'unreadable':
      // A login may have reached it: never 'unreachable' or 'timeout', which the state machine retries.
      return outcome.loginAttempted
        ? unreadable(
            serial,
            'protocol-error',
            `${outcome.error.message} (after the login: not read again)`,
            true,
            notes,
          )
        : unreadable(serial, 'unreachable', `${outcome.error.message}${downNote}`, false, notes);
    case 'guard-refused': {
      const locked = outcome.error.flags.includes('CKF_USER_PIN_LOCKED');
      const guard: NodeNote = {
        kind: locked ? 'account-locked' : 'lockout-risk',
        severity: 'critical',
        detail: `the token reports ${outcome.error.flags.join(', ')}: PKCS#11 tells no count, so any failed login since the last good one (whatever the limit, ${options.loginFailureLimit}) keeps hsm-sentinel off until a person logs in successfully`,
      };
      return unreadable(serial, 'login-refused-by-guard', outcome.error.message, false, [guard, ...notes]);
    }
    case 'credentials-rejected':
      return {
        ...unreadable(serial, 'login-failed', outcome.error.message, outcome.loginAttempted, notes),
        credentialsRejected: true,
      };
    case 'not-attempted':
      return unreadable(
        serial,
        'login-refused-by-guard',
        `not logged in: the same partition credential was refused (${outcome.reason})`,
        false,
        [
          {
            kind: 'lockout-risk',
            severity: 'critical',
            detail: `${describeMember(outcome.member)}: not sent the credential another member refused (members share the partition password)`,
          },
          ...notes,
        ],
      );
  }
}

/**
 * Needs sync from lunacm, asked only when no login it sends can hurt: every member alive and
 * its token passing the lockout guard (flags read without a login), and the password already
 * accepted by the carrier's own login.
 */
async function readNeedsSync(
  ctx: LunaContext,
  group: HaGroup,
  credentials: Credentials,
  role: string,
  slots: SlotListReply | Error | null,
): Promise<NeedsSyncReading> {
  const down = group.members.filter((m) => m.status !== 'alive').map((m) => m.serial);
  if (down.length > 0) return { value: 'unknown', notAsked: `${down.join(', ')} is down` };
  const refused = ctx.memory.refusal(credentials, role);
  if (refused !== null) {
    return {
      value: 'unknown',
      notAsked: `a login with the partition credential was refused or withheld on ${refused}`,
    };
  }
  const all = memberSerials(group);
  const selectors = selectorsFor(ctx, all, slots);
  const missing = all.filter((s) => !('selector' in (selectors.get(s) as SelectorOutcome)));
  if (missing.length > 0) return { value: 'unknown', notAsked: `no slot found for ${missing.join(', ')}` };
  const probes = await ctx.reader.probeMembers(
    all.map((s) => (selectors.get(s) as { selector: MemberOutcome['member'] }).selector),
  );
  const risky = probes.flatMap((p, i) =>
    !p.found
      ? [`${all[i]}: ${p.error.message}`]
      : lockoutRefusal(p.pinCounters).map((f) => `${all[i]}: ${f}`),
  );
  if (risky.length > 0) {
    return {
      value: 'unknown',
      notAsked: `lunacm would log in to every member and one is not safe to log in to (${risky.join('; ')})`,
    };
  }
  try {
    const reply = await listGroups(ctx, { group: group.label, password: credentials.password });
    const again = reply.groups.find((g) => g.label === group.label);
    if (reply.commandResult && !reply.commandResult.ok) {
      if (reply.commandResult.name !== null && CREDENTIAL_REJECTIONS.has(reply.commandResult.name)) {
        ctx.memory.record(credentials, role, `hagroup listgroups (${reply.commandResult.text})`);
      }
      return {
        value: again?.needsSync ?? 'unknown',
        notAsked: `hagroup listgroups ended with ${reply.commandResult.text}`,
      };
    }
    return { value: again?.needsSync ?? 'unknown', ...(again ? {} : { notAsked: 'the group vanished' }) };
  } catch (error) {
    const [, detail] = lunacmFailure(error);
    return { value: 'unknown', notAsked: detail };
  }
}
