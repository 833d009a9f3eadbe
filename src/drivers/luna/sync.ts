/**
 * The Luna repair (sync): ONE `hagroup synchronize -group <label>` for all the plan's actions of
 * the group, then each action's outcome from reading its member back.
 *
 * Before anything is written:
 * - the credential was not refused earlier (never sent again: CredentialsRejectedError);
 * - the group lunacm lists has exactly the plan's members (else MembershipChangedError);
 * - every member is alive; a member down but answering again is recovered first
 *   (`hagroup recover -group <label>`) when LUNA_RECOVER is on, else TransportError;
 * - every member's token passes the lockout guard (flags read without a login), then every
 *   member is read (one login each): a refusal or an unreadable member writes nothing;
 * - no object of the group has conflicting fingerprints now (it may have appeared since the
 *   audit): then nothing is run and every action is `not-run`;
 * - an action whose member already holds the object is `already-present`.
 * The partition password is typed at lunacm's prompt, never on its command line.
 */
import {
  CommandTimeoutError,
  CredentialsRejectedError,
  InvalidInputError,
  MembershipChangedError,
  TransportError,
} from '#core/errors.ts';
import type { ActionResult, ClusterNode, SyncAction } from '#core/model.ts';
import type { Credentials } from '#core/secret.ts';
import {
  type LunaContext,
  listGroups,
  roleOf,
  runOptionsOf,
  type SelectorOutcome,
  selectorsFor,
  slotList,
} from './context.ts';
import { LockoutGuardError, LunacmCommandError } from './errors.ts';
import { groupByLabel, memberSerials } from './group.ts';
import { SYNCHRONIZE } from './listing.ts';
import { recoverGroup, synchronizeGroup } from './lunacm.ts';
import type { HaGroup } from './parse/parse-listgroups.ts';
import { CREDENTIAL_REJECTIONS } from './pkcs11/constants.ts';
import {
  type LoginRole,
  lockoutRefusal,
  type MemberInventory,
  type MemberSelector,
  readMembers,
} from './pkcs11/inventory.ts';
import { OBJECT_ID_PREFIX } from './rules.ts';
import { LUNA_SETTINGS } from './settings.ts';

/** The one group label all actions name, checked against the nodes. */
function groupOfActions(nodes: readonly ClusterNode[], actions: readonly SyncAction[]): string {
  const ids = new Set(nodes.map((n) => n.nodeId));
  const groups = new Set<string>();
  for (const a of actions) {
    if (a.operation !== SYNCHRONIZE || !a.objectId.startsWith(OBJECT_ID_PREFIX) || a.ref === '') {
      throw new InvalidInputError(`${a.description}: not a Luna ${SYNCHRONIZE} action; nothing written`);
    }
    if (a.targetNodeId === null || !ids.has(a.targetNodeId)) {
      throw new InvalidInputError(
        `${a.description}: target ${a.targetNodeId ?? '(none)'} is not a member of the cluster; nothing written`,
      );
    }
    groups.add(a.ref);
  }
  if (groups.size !== 1) {
    throw new InvalidInputError(
      `the actions name ${groups.size} HA groups (${[...groups].join(', ')}): one per run`,
    );
  }
  return [...groups][0] as string;
}

function sameMembers(group: HaGroup, nodes: readonly ClusterNode[]): boolean {
  const listed = [...memberSerials(group)].sort();
  const asked = nodes.map((n) => n.nodeId).sort();
  return listed.length === asked.length && listed.every((s, i) => s === asked[i]);
}

/** Each member's PKCS#11 selector (one `slot list` when slots are found by label); TransportError when one has none. */
async function selectorsOf(
  ctx: LunaContext,
  serials: readonly string[],
): Promise<Map<string, MemberSelector>> {
  const slots =
    ctx.settings.slotMatch === 'label' ? await slotList(ctx).catch((e: unknown) => e as Error) : null;
  const found = selectorsFor(ctx, serials, slots);
  return new Map(
    serials.map((serial) => {
      const outcome = found.get(serial) as SelectorOutcome;
      if ('error' in outcome) throw new TransportError(`member ${serial}: ${outcome.error}; nothing written`);
      return [serial, outcome.selector];
    }),
  );
}

function pick(selectors: Map<string, MemberSelector>, serials: readonly string[]): MemberSelector[] {
  return serials.map((s) => selectors.get(s) as MemberSelector);
}

/** Every member alive, recovering the down ones first when allowed. */
async function requireAlive(
  ctx: LunaContext,
  label: string,
  nodes: readonly ClusterNode[],
): Promise<HaGroup> {
  let group = groupByLabel(await listGroups(ctx), label);
  if (!sameMembers(group, nodes)) {
    throw new MembershipChangedError(
      `HA group ${label} now has members ${memberSerials(group).join(', ')}, not the ${nodes.map((n) => n.nodeId).join(', ')} the plan was made for: nothing written`,
    );
  }
  const down = () => group.members.filter((m) => m.status !== 'alive').map((m) => m.serial);
  if (down().length === 0) return group;
  if (!ctx.settings.recover) {
    throw new TransportError(
      `${down().join(', ')} is down in HA group ${label} and ${LUNA_SETTINGS.recover} is off: nothing written`,
    );
  }
  const downs = down();
  const probes = await ctx.reader.probeMembers(pick(await selectorsOf(ctx, downs), downs));
  const silent = downs.filter((_, i) => probes[i]?.found !== true);
  if (silent.length > 0) {
    throw new TransportError(
      `${silent.join(', ')} is down in HA group ${label} and does not answer: nothing written`,
    );
  }
  await recoverGroup(ctx.lunacm, label, runOptionsOf(ctx));
  group = groupByLabel(await listGroups(ctx), label);
  if (down().length > 0) {
    throw new TransportError(
      `hagroup recover left ${down().join(', ')} down in HA group ${label}: nothing written`,
    );
  }
  return group;
}

/** Reads every member once; any refusal or unreadable member writes nothing. */
async function readAll(
  ctx: LunaContext,
  selectors: Map<string, MemberSelector>,
  serials: readonly string[],
  credentials: Credentials,
  role: LoginRole,
  when: string,
): Promise<Map<string, MemberInventory>> {
  const outcomes = await readMembers(ctx.reader, pick(selectors, serials), role, credentials.password, {
    refusedOn: ctx.memory.refusal(credentials, role),
  });
  const read = new Map<string, MemberInventory>();
  const problems: string[] = [];
  outcomes.forEach((o, i) => {
    const serial = serials[i] as string;
    if (o.outcome === 'read') read.set(serial, o.inventory);
    else if (o.outcome === 'guard-refused') {
      throw new LockoutGuardError(`${when}: ${o.error.message}; nothing written`, o.error.flags, {
        cause: o.error,
      });
    } else if (o.outcome === 'credentials-rejected') {
      ctx.memory.record(credentials, role, `member ${serial} (${o.error.message})`);
      throw new CredentialsRejectedError(`${when}: ${o.error.message}; not retried, nothing written`, {
        cause: o.error,
      });
    } else problems.push(`${serial}: ${o.outcome === 'unreadable' ? o.error.message : o.reason}`);
  });
  if (problems.length > 0)
    throw new TransportError(`${when}: not every member was read (${problems.join('; ')})`);
  return read;
}

/** Identities whose fingerprints differ between members, or repeat on one member. */
function conflicts(read: Map<string, MemberInventory>): string[] {
  const prints = new Map<string, Set<string>>();
  const out = new Set<string>();
  for (const inv of read.values()) {
    for (const d of inv.duplicateIdentities) out.add(d);
    for (const o of inv.objects)
      prints.set(o.identityKey, (prints.get(o.identityKey) ?? new Set()).add(o.fingerprint));
  }
  for (const [identity, set] of prints) if (set.size > 1) out.add(identity);
  return [...out];
}

function identityOf(action: SyncAction): string {
  return action.objectId.slice(OBJECT_ID_PREFIX.length);
}

export async function synchronizeMembers(
  ctx: LunaContext,
  nodes: readonly ClusterNode[],
  credentials: Credentials,
  actions: readonly SyncAction[],
): Promise<ActionResult[]> {
  const label = groupOfActions(nodes, actions);
  const role = roleOf(ctx, credentials);
  const refused = ctx.memory.refusal(credentials, role);
  if (refused !== null) {
    throw new CredentialsRejectedError(
      `the partition credential was refused on ${refused}: not sent again, nothing written`,
    );
  }
  const group = await requireAlive(ctx, label, nodes);
  const serials = memberSerials(group);
  const selectors = await selectorsOf(ctx, serials);
  const probes = await ctx.reader.probeMembers(pick(selectors, serials));
  probes.forEach((p, i) => {
    if (!p.found) throw new TransportError(`member ${serials[i]}: ${p.error.message}; nothing written`);
    const flags = lockoutRefusal(p.pinCounters);
    if (flags.length > 0) {
      throw new LockoutGuardError(
        `member ${serials[i]}: the token reports ${flags.join(', ')}; hagroup synchronize would log in to it: nothing written`,
        flags,
      );
    }
  });
  const before = await readAll(ctx, selectors, serials, credentials, role, 'before hagroup synchronize');
  const conflicting = conflicts(before);
  const result = (action: SyncAction, outcome: ActionResult['outcome'], detail: string): ActionResult => ({
    action,
    outcome,
    detail,
  });
  if (conflicting.length > 0) {
    return actions.map((a) =>
      result(
        a,
        'not-run',
        `not run: a fingerprint conflict in ${label} (${conflicting.join(', ')}); synchronize acts on the whole group`,
      ),
    );
  }
  const holds = (read: Map<string, MemberInventory>, serial: string, identity: string) =>
    read.get(serial)?.objects.find((o) => o.identityKey === identity);
  const expected = new Map<string, string>();
  for (const inv of before.values()) for (const o of inv.objects) expected.set(o.identityKey, o.fingerprint);
  const pending = actions.filter((a) => holds(before, a.targetNodeId as string, identityOf(a)) === undefined);
  const results = new Map<SyncAction, ActionResult>();
  for (const a of actions) {
    if (!pending.includes(a))
      results.set(a, result(a, 'already-present', `${a.targetNodeId} already holds it`));
  }
  if (pending.length > 0) {
    let failure: string | null = null;
    let body: string[] = [];
    try {
      ({ body } = await synchronizeGroup(ctx.lunacm, label, {
        ...runOptionsOf(ctx),
        password: credentials.password,
      }));
    } catch (error) {
      if (
        error instanceof LunacmCommandError &&
        error.returnName !== null &&
        CREDENTIAL_REJECTIONS.has(error.returnName)
      ) {
        ctx.memory.record(credentials, role, `hagroup synchronize (${error.message})`);
        throw new CredentialsRejectedError(`${error.message}: not retried`, { cause: error });
      }
      if (
        !(
          error instanceof LunacmCommandError ||
          error instanceof TransportError ||
          error instanceof CommandTimeoutError
        )
      )
        throw error;
      failure = error.message;
    }
    const targets = [...new Set(pending.map((a) => a.targetNodeId as string))];
    const after = await readAll(
      ctx,
      selectors,
      targets,
      credentials,
      role,
      'reading back after hagroup synchronize',
    ).catch((error: unknown) => {
      if (error instanceof CredentialsRejectedError) throw error;
      failure ??= (error as Error).message;
      return new Map<string, MemberInventory>();
    });
    const said = body.length > 0 ? ` (lunacm: ${body.at(-1)})` : '';
    for (const a of pending) {
      const target = a.targetNodeId as string;
      const now = holds(after, target, identityOf(a));
      if (!after.has(target)) {
        results.set(a, result(a, 'failed', `${target} could not be read back: ${failure ?? 'unknown'}`));
      } else if (now === undefined) {
        results.set(
          a,
          result(
            a,
            'failed',
            `still missing on ${target} after hagroup synchronize${failure ? `: ${failure}` : said}`,
          ),
        );
      } else if (now.fingerprint !== expected.get(identityOf(a))) {
        results.set(
          a,
          result(a, 'failed', `copied to ${target} with another fingerprint (${now.fingerprint})`),
        );
      } else {
        results.set(a, result(a, 'synced', `read back on ${target}${said}`));
      }
    }
  }
  return actions.map((a) => results.get(a) as ActionResult);
}
