import type { CommandSpec, OptionSpec } from '../command-spec.ts';

const STATE_DIR: OptionSpec = {
  type: 'string',
  value: 'DIR',
  default: '.runs/emulator',
  help: "the emulated cluster's folder (its state, util configs and cluster file)",
};

/** The seeds `emulator start --seed` takes (src/emulator/seed-scenarios.ts), and none. */
export const EMULATOR_SEEDS = ['demo', 'aws', 'azure', 'divergent', 'none'] as const;

export const EMULATOR_COMMAND: CommandSpec = {
  name: 'emulator',
  summary: 'start|stop|status|fault an emulated cluster in the background, to practise the runbook',
  usage: ['emulator start|status|fault|stop [flags]'],
  description: [
    'Three emulated HSMs on loopback (127.0.0.1-3) in a background process, and a cluster file for',
    '`audit`, `sync` and `run` (DIR/cluster-file.json). Practise the runbook: see the README.',
  ],
  exitCodes: { 0: 'done', 2: 'wrong usage (no or unknown action)' },
  actions: {
    start: {
      name: 'emulator start',
      summary: 'start a seeded emulated cluster and write its cluster file',
      usage: [
        `emulator start [--seed ${EMULATOR_SEEDS.join('|')}] [--port 0|2225] [--state-dir DIR] [--json]`,
      ],
      description: [
        'The admin (PCO `admin`) password of the seeded nodes is $HSM_CO_PASSWORD: the same variable the',
        'cluster file it writes reads, so `hsm-sentinel audit --cluster-file DIR/cluster-file.json` logs in.',
        '--seed none starts empty nodes (no users at all: every login then fails).',
      ],
      options: {
        seed: {
          type: 'string',
          value: EMULATOR_SEEDS.join('|'),
          default: 'demo',
          help: 'the seed scenarios to load (demo: the AWS, Azure and divergent seeds together)',
        },
        port: {
          type: 'string',
          value: 'PORT',
          default: '0',
          help: 'first port (0: ephemeral; 2225: the vendor port)',
        },
        'state-dir': STATE_DIR,
      },
      environment: {
        HSM_CO_PASSWORD: 'the admin password the seeded nodes get (required unless --seed none)',
      },
      exitCodes: {
        0: 'started',
        1: 'the emulator could not start (its log is in DIR/daemon.log)',
        2: 'wrong usage (unknown seed, HSM_CO_PASSWORD not set, a cluster already runs for DIR)',
      },
      load: async () => (await import('../commands/emulator.ts')).emulatorStart,
    },
    status: {
      name: 'emulator status',
      summary: 'say whether an emulated cluster runs for DIR, its servers and faults',
      usage: ['emulator status [--state-dir DIR] [--json]'],
      description: [
        'Nothing running is an answer, not a failure: exit 0 either way; the answer is the first line',
        '(or `running` in --json).',
      ],
      options: { 'state-dir': STATE_DIR },
      exitCodes: { 0: 'answered (running or not)', 2: 'wrong usage' },
      load: async () => (await import('../commands/emulator.ts')).emulatorStatus,
    },
    fault: {
      name: 'emulator fault',
      summary: 'inject (or clear) a fault on one emulated server',
      usage: [
        'emulator fault --node N [--down|--up] [--slow-ms MS] [--reject-login|--accept-login] [--fail-insert N|all] [--fail-create-user|--no-fail-create-user] [--state-dir DIR] [--json]',
        'emulator fault --node N --clear [--state-dir DIR] [--json]',
      ],
      options: {
        node: { type: 'string', value: 'N', help: 'the server number (0, 1, 2)' },
        down: { type: 'boolean', help: 'the server stops answering' },
        up: { type: 'boolean', help: 'the server answers again' },
        'slow-ms': { type: 'string', value: 'MS', help: 'every reply of the server waits MS milliseconds' },
        'reject-login': { type: 'boolean', help: 'the server refuses every login' },
        'accept-login': { type: 'boolean', help: 'the server takes logins again' },
        'fail-insert': { type: 'string', value: 'N|all', help: 'the next N (or all) object inserts fail' },
        'fail-create-user': { type: 'boolean', help: 'user creation fails' },
        'no-fail-create-user': { type: 'boolean', help: 'user creation works again' },
        clear: { type: 'boolean', help: 'clear every fault of the server' },
        'state-dir': STATE_DIR,
      },
      exitCodes: {
        0: 'the fault is in force',
        2: 'wrong usage (no --node, no fault named, nothing runs for DIR)',
      },
      load: async () => (await import('../commands/emulator.ts')).emulatorFault,
    },
    stop: {
      name: 'emulator stop',
      summary: 'stop the emulated cluster of DIR',
      usage: ['emulator stop [--state-dir DIR] [--json]'],
      options: { 'state-dir': STATE_DIR },
      exitCodes: { 0: 'stopped, or nothing ran', 2: 'wrong usage' },
      load: async () => (await import('../commands/emulator.ts')).emulatorStop,
    },
  },
};
