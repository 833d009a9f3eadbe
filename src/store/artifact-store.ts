/**
 * Where large data (inventories, plans, reports) lives while a run is in flight. Step
 * Functions payloads are capped at 256 KiB, so states pass keys, never inventories.
 */
export interface ArtifactStore {
  /** Stores a JSON document under key and returns the key to pass along. */
  putJson(key: string, value: unknown): Promise<string>;
  /** Reads it back; throws ArtifactNotFoundError when nothing is stored under key. */
  getJson<T>(key: string): Promise<T>;
  /** A human-facing page (the rendered report) next to the JSON. */
  putText(key: string, text: string, contentType?: string): Promise<string>;
  /**
   * Where a person opens an artifact: a local path, a pre-signed URL. Absent when the store
   * has no such address to give (the alert then names the report's key only).
   */
  linkTo?(key: string): Promise<string>;
}

/** Keys of one run's artifacts, in one place so every store and step agrees. */
export const artifactKeys = {
  inventory: (runId: string, phase: 'before' | 'after', nodeId: string) =>
    `runs/${runId}/${phase}/inventory-${safe(nodeId)}.json`,
  /** A listing several nodes' inventories share (a cluster-wide tool's), stored once, named after its first node. */
  sharedListing: (runId: string, phase: 'before' | 'after', nodeId: string) =>
    `runs/${runId}/${phase}/shared-listing-${safe(nodeId)}.json`,
  audit: (runId: string, phase: 'before' | 'after') => `runs/${runId}/${phase}/audit.json`,
  plan: (runId: string) => `runs/${runId}/plan.json`,
  results: (runId: string) => `runs/${runId}/sync-results.json`,
  verification: (runId: string) => `runs/${runId}/after/verification.json`,
  report: (runId: string) => `runs/${runId}/report.json`,
  reportPage: (runId: string) => `runs/${runId}/report.txt`,
  reportHtml: (runId: string) => `runs/${runId}/report.html`,
};

function safe(part: string): string {
  return part.replace(/[^A-Za-z0-9._-]/g, '_');
}
