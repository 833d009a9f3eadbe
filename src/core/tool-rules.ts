/**
 * What the core needs to know about a node-access tool, as parameters: the core names no tool.
 * A tool module (src/drivers/<tool>/) supplies one of each; audit, plan and the alert take them.
 */
import type {
  AuditResult,
  ClusterNode,
  InventoryObject,
  ObjectFinding,
  Policy,
  ReadInventory,
  ResolvedCluster,
  SkipReason,
  SyncAction,
} from './model.ts';

/** How a tool's listing becomes comparable objects: identity, content, slot. */
export interface ObjectRules {
  /** The objects of one node's listing. Pure; throws TypeError on a listing this tool did not make. */
  objectsOf(inventory: ReadInventory): InventoryObject[];
}

/** A refusal of the tool's planner: the object stays as it is, and the reason is reported. */
export interface RepairRefusal {
  reason: SkipReason;
  detail: string;
}

/**
 * The tool's documented repair, additive only. The core has already filtered out what must
 * never be copied (divergent objects, unread nodes, policy); the planner only says how.
 */
export interface RepairPlanner {
  /**
   * Every action that repairs `finding`, all or nothing (a half-repaired object is still at
   * risk), or the reason this tool cannot repair it.
   */
  repair(finding: ObjectFinding, cluster: ResolvedCluster): SyncAction[] | RepairRefusal;
  /** A reason, specific to the tool, that blocks every write of this run (null: none). */
  blockingReason?(result: AuditResult, cluster: ResolvedCluster, policy: Policy): string | null;
}

/** The exact commands a human types, filled in: alerts carry them so on-call can act from the message. */
export interface Runbook {
  /** Copy the object to the nodes that lack it, then check. Empty when the tool has no such repair. */
  repair(finding: ObjectFinding, nodes: readonly ClusterNode[]): string[];
  /** Look at every copy of a divergent object; a human decides which is right. */
  inspect(finding: ObjectFinding, nodes: readonly ClusterNode[]): string[];
  /** Read a node that could not be read (before anything is copied). */
  readNode(nodeId: string, nodes: readonly ClusterNode[]): string[];
  /** What to do about an operator's stale tool config. */
  configDrift(): string[];
  /**
   * What to do about a node finding of the tool's own (lockout risk, lagging HSM), when there
   * is something to type. `topic` is the tool's own NodeNote.topic, when its note had one.
   */
  nodeFinding?(kind: string, nodeId: string, nodes: readonly ClusterNode[], topic?: string): string[];
}
