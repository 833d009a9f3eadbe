import type { CommandSpec } from '../command-spec.ts';
import { KEEP } from './shared-options.ts';

/** The demo's exit rule (also in the README): its code says whether the run told its story. */
export const DEMO_EXIT_RULE = [
  "The demo's exit code says whether each run told its scenario's expected story, not the",
  "run's outcome: the seed stories end with an object left for a human (outcome attention) by",
  'design, and a demo that shows that as it should exits 0. A scenario states its story',
  '(outcome, objects repaired, objects left for a human); one without a story must complete.',
];

export const DEMO_COMMAND: CommandSpec = {
  name: 'demo',
  summary: 'run the whole loop on an emulated cluster seeded with the seed scenarios (what npm start runs)',
  usage: ['demo [--tool ID | --provider aws|azure] [--report-dir DIR] [--keep N] [--json]'],
  description: [
    "Starts an emulated cluster on loopback, seeded with the tool's seed stories, and runs the real",
    'state machine against it, as a deployment would. Progress goes to stderr, the report to stdout',
    '(with --json: {"storyTold", "runs": [{"clusterId", "outcome", "story", "report"}]}).',
    '',
    ...DEMO_EXIT_RULE,
  ],
  options: {
    tool: {
      type: 'string',
      value: 'ID',
      help: 'the tool whose demo to run (the list below)',
      defaultText: 'mgmt-util-aws',
    },
    provider: {
      type: 'string',
      value: 'aws|azure',
      help: "the cloud's own mgmt-util demo (older than --tool)",
    },
    'report-dir': {
      type: 'string',
      value: 'DIR',
      default: '.runs/demo',
      help: 'where run folders and backups go',
    },
    keep: KEEP,
  },
  environment: {
    HSM_SENTINEL_DEMO_PASSWORD: "the demo's admin password (default: a fresh random one per demo)",
    NO_COLOR: 'no colour even on a terminal',
  },
  exitCodes: {
    0: "every run told its scenario's expected story",
    1: 'a run failed, or told another story than expected (what differed is on stderr)',
    2: 'wrong usage',
  },
  details: async () => {
    const { DEMOS } = await import('../demos/registry.ts');
    return ['demos (--tool):', ...DEMOS.map((d) => `  ${d.tool}: ${d.summary}`)];
  },
  load: async () => (await import('../commands/demo.ts')).demoCommand,
};
