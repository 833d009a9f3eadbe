/** Flags several commands take, declared once so their help reads the same everywhere. */
import type { OptionSpec } from '../command-spec.ts';

export const DEFAULT_KEEP = 20;

export const KEEP: OptionSpec = {
  type: 'string',
  value: 'N',
  default: String(DEFAULT_KEEP),
  help: 'keep the newest N run folders (report, transcripts) and N backups of the report folder; prune older ones',
};

export const CLUSTER_FILE: OptionSpec = {
  type: 'string',
  value: 'FILE',
  help: 'the cluster file: nodes, tool, credentials (see the README, "A cluster file")',
};

export const YES: OptionSpec = {
  type: 'boolean',
  default: false,
  help: 'apply the plan without asking (needed when stdin is not a terminal)',
};

export const DRY_RUN: OptionSpec = {
  type: 'boolean',
  default: false,
  help: 'plan and report, write nothing',
};

export const VERBOSE: OptionSpec = {
  type: 'boolean',
  default: false,
  help: "the steps' JSON log lines on stderr",
};

export const CO_PASSWORD_ENV = {
  HSM_CO_PASSWORD:
    "the crypto officer's password, when the cluster file names it (never on the command line)",
  HSM_CO_USER: 'the crypto officer (default: admin), when the cluster file names it',
  NO_COLOR: 'no colour even on a terminal',
  FORCE_COLOR: 'colour even in a pipe',
} as const;

/** How a local run that writes is confirmed: in every --help of such a command. */
export const CONFIRMATION_RULE = [
  'A local run that may write plans first: it reads every node (a dry run), prints the plan, and on a',
  'terminal asks before writing; --yes applies without asking, and without a terminal it refuses',
  'unless --yes is given (exit 2). The writing run is pinned to that plan: if the cluster changed in',
  'between (another audit digest or node set), it writes nothing and exits 3.',
];
