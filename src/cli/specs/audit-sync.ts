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

export const AUDIT_COMMAND: CommandSpec = {
  name: 'audit',
  summary: 'read every node of a cluster file and report (writes nothing)',
  usage: ['audit --cluster-file FILE [--save-plan PLAN] [--keep N] [--json] [--verbose]'],
  description: [
    'One execution of the state machine as a dry run: every node read, the presence matrix, the',
    "findings and the plan. --save-plan keeps that plan (the cluster, its node set, the audit's",
    'digest and the actions) for `hsm-sentinel sync --plan PLAN`, which applies exactly it or nothing.',
  ],
  options: {
    'cluster-file': CLUSTER_FILE,
    'save-plan': { type: 'string', value: 'PLAN', help: 'write the plan to this file, for sync --plan' },
    keep: KEEP,
    verbose: VERBOSE,
  },
  environment: CO_PASSWORD_ENV,
  exitCodes: {
    0: 'clean: every object on every node, identical',
    1: 'the run failed',
    2: 'wrong usage (missing or invalid cluster file, password variable not set)',
    3: 'a human must act (gaps to sync, divergent objects, unread nodes)',
  },
  load: async () => (await import('../commands/audit.ts')).auditCommand,
};

export const SYNC_COMMAND: CommandSpec = {
  name: 'sync',
  summary: 'audit, repair the gaps additively, verify, back up, alert',
  usage: [
    'sync --cluster-file FILE [--yes] [--dry-run] [--keep N] [--json] [--verbose]',
    'sync --cluster-file FILE --plan PLAN [--yes] [--json]',
  ],
  description: [
    ...CONFIRMATION_RULE,
    '',
    '--plan PLAN applies a plan saved by `audit --save-plan` (its policy and actions): the cluster',
    'is read again and, if it changed since the plan was saved, nothing is written (exit 3).',
  ],
  options: {
    'cluster-file': CLUSTER_FILE,
    plan: { type: 'string', value: 'PLAN', help: 'apply this saved plan (audit --save-plan), or nothing' },
    yes: YES,
    'dry-run': DRY_RUN,
    keep: KEEP,
    verbose: VERBOSE,
  },
  environment: CO_PASSWORD_ENV,
  exitCodes: {
    0: 'clean, or repaired and verified',
    1: 'the run failed',
    2: 'wrong usage (missing or invalid file, no --yes without a terminal, password variable not set)',
    3: 'a human must act (what is left is in the report), the plan was declined, or the saved plan is stale',
  },
  load: async () => (await import('../commands/audit.ts')).syncCommand,
};
