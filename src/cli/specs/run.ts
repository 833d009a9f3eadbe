import type { CommandSpec } from '../command-spec.ts';
import {
  CLUSTER_FILE,
  CO_PASSWORD_ENV,
  CONFIRMATION_RULE,
  DRY_RUN,
  KEEP,
  VERBOSE,
  YES,
} from './shared-options.ts';

export const RUN_COMMAND: CommandSpec = {
  name: 'run',
  summary: 'one execution of the state machine for a cluster (local, or the deployed one with --remote)',
  usage: [
    'run --cluster-id ID [--cluster-file FILE | --emulator-dir DIR] [--yes] [--dry-run] [--keep N] [--json]',
    'run --cluster-id ID --remote [--write [--yes]] [--state-machine-arn ARN] [--report-bucket BUCKET] [--state-table TABLE] [--timeout-minutes N] [--json]',
  ],
  description: [
    'Local (default): the real ASL file executed here against the nodes of a cluster file (--cluster-file,',
    'or the one `emulator start` wrote in --emulator-dir).',
    ...CONFIRMATION_RULE,
    '--remote: starts the deployed state machine (a runbook request: duplicate and concurrent runs are',
    'refused), follows it to its end and prints its report from the report bucket. A deployed run is a',
    'dry run unless --write is given (asked on a terminal, --yes otherwise). With --state-table it takes',
    "the cluster's run lock as the trigger does.",
  ],
  options: {
    'cluster-id': { type: 'string', value: 'ID', help: 'the cluster to run (must match the cluster file)' },
    'cluster-file': { ...CLUSTER_FILE, defaultText: 'DIR/cluster-file.json of --emulator-dir' },
    'emulator-dir': {
      type: 'string',
      value: 'DIR',
      default: '.runs/emulator',
      help: 'the state folder of `emulator start`, whose cluster file is used',
    },
    yes: YES,
    'dry-run': DRY_RUN,
    keep: KEEP,
    remote: { type: 'boolean', default: false, help: 'run the deployed state machine instead' },
    write: {
      type: 'boolean',
      default: false,
      help: '--remote: let the deployed run write (default: dry run)',
    },
    'state-machine-arn': {
      type: 'string',
      value: 'ARN',
      help: '--remote: the state machine',
      defaultText: '$HSM_SENTINEL_STATE_MACHINE_ARN',
    },
    'report-bucket': {
      type: 'string',
      value: 'BUCKET',
      help: '--remote: where the run report is read',
      defaultText: '$HSM_SENTINEL_REPORT_BUCKET',
    },
    'state-table': {
      type: 'string',
      value: 'TABLE',
      help: "--remote: take the cluster's run lock in this table",
      defaultText: '$HSM_SENTINEL_STATE_TABLE, else none',
    },
    'timeout-minutes': {
      type: 'string',
      value: 'N',
      default: '30',
      help: '--remote: how long to follow the run',
    },
    verbose: VERBOSE,
  },
  environment: {
    ...CO_PASSWORD_ENV,
    HSM_SENTINEL_STATE_MACHINE_ARN: '--remote: the state machine',
    HSM_SENTINEL_REPORT_BUCKET: '--remote: the report bucket',
    HSM_SENTINEL_STATE_TABLE: '--remote: the state table (run lock)',
    AWS_REGION: '--remote: and the usual AWS_* settings',
  },
  exitCodes: {
    0: 'clean, or repaired and verified',
    1: 'the run failed, or a remote run was not started (another one runs)',
    2: 'wrong usage (missing or invalid cluster file, a --cluster-id it does not describe, no --yes without a terminal)',
    3: 'a human must act, the plan was declined, or the cluster changed since it was planned',
  },
  load: async () => (await import('../commands/run.ts')).runCommand,
};
