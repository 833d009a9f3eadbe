/**
 * Public surface of the Luna building blocks (lunacm parsers, the lunacm runner, the per-member
 * PKCS#11 inventory). The "luna tool module" (id, addressing, driver factory, rules) is built on
 * these when the tool registry lands; nothing here names another tool.
 */

export { LockoutGuardError, LunacmCommandError, MemberUnreachableError } from './errors.ts';
export type { LunacmInvocation, LunacmOutput, LunacmRunOptions } from './lunacm.ts';
export { commandOutcome, listGroups, recoverGroup, runLunacm, slotList, synchronizeGroup } from './lunacm.ts';
export type { CommandResult } from './parse/command-result.ts';
export { parseCommandResult } from './parse/command-result.ts';
export { MAX_LINE_CHARS, MAX_REPLY_CHARS } from './parse/lines.ts';
export type {
  HaGlobalSettings,
  HaGroup,
  HaMemberRow,
  ListGroupsContract,
  ListGroupsReply,
  MemberStatus,
  NeedsSync,
  PasswordPrompt,
} from './parse/parse-listgroups.ts';
export {
  LISTGROUPS_COMMAND,
  listGroupsContract,
  MAX_HA_MEMBERS,
  parseListGroups,
  parseListGroupsContract,
} from './parse/parse-listgroups.ts';
export type { LunaSlot, SlotListReply } from './parse/parse-slot-list.ts';
export { parseSlotList, SLOT_LIST_COMMAND } from './parse/parse-slot-list.ts';
export { CKA, CKU } from './pkcs11/constants.ts';
export type { GrapheneReaderOptions, ModuleLoader } from './pkcs11/graphene-reader.ts';
export { GrapheneInventoryReader, grapheneLoader } from './pkcs11/graphene-reader.ts';
export type {
  FingerprintSource,
  LockoutGuard,
  LoginRole,
  MemberInventory,
  MemberInventoryReader,
  MemberOutcome,
  MemberSelector,
  MemberSlotInfo,
  PinCounterFlags,
  ReadMemberRequest,
  TokenObject,
} from './pkcs11/inventory.ts';
export { lockoutRefusal, pinCounterFlags, readMembers } from './pkcs11/inventory.ts';
