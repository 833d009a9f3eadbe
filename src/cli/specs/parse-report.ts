import type { CommandSpec } from '../command-spec.ts';

export const PARSE_COMMAND: CommandSpec = {
  name: 'parse',
  summary: "parse one tool command's reply from stdin to JSON",
  usage: ['parse <command> [--tool ID | --dialect aws|azure] < reply'],
  description: [
    'One reply of a tool command on stdin (a transcript), its JSON contract on stdout. Input it cannot',
    'parse (empty, cut short, unknown lines) exits 1 with one line naming the command and the line.',
  ],
  positionals: [{ name: '<command>', help: 'the command whose reply is on stdin (the list below)' }],
  options: {
    tool: {
      type: 'string',
      value: 'ID',
      help: 'the tool that printed the reply',
      defaultText: 'mgmt-util-aws',
    },
    dialect: {
      type: 'string',
      value: 'aws|azure',
      help: 'the older name of --tool mgmt-util-aws|mgmt-util-azure',
    },
  },
  exitCodes: {
    0: 'parsed: the JSON is on stdout',
    1: 'the reply cannot be parsed (one line on stderr naming the command and line)',
    2: 'wrong usage (unknown tool or command)',
  },
  details: async () => {
    const { TOOL_MODULES } = await import('#drivers/registry.ts');
    return [
      'the commands each tool can parse:',
      ...TOOL_MODULES.map((m) => `  --tool ${m.id}: ${Object.keys(m.parsers).join(', ')}`),
    ];
  },
  load: async () => (await import('../commands/parse.ts')).parseCommand,
};

export const REPORT_COMMAND: CommandSpec = {
  name: 'report',
  summary: "render a run's stored report.json again: the HTML page or the text report",
  usage: ['report <report.json> [--html FILE|-] [--text] [--json]'],
  description: [
    '--html writes the page every run writes beside report.json (- for stdout); --text prints the text',
    'report (the default without --html); --json prints the report with its outcome and alert.',
  ],
  positionals: [
    {
      name: '<report.json>',
      help: "a run's report.json, its run folder, or a report folder (then its newest run's report)",
    },
  ],
  options: {
    html: { type: 'string', value: 'FILE|-', help: 'write the HTML page to FILE (- for stdout)' },
    text: { type: 'boolean', default: false, help: 'print the text report (default when no --html)' },
  },
  exitCodes: {
    0: 'rendered',
    1: 'the file is not a run report (one line naming the first field that is wrong)',
    2: 'wrong usage (no file named, or it cannot be read)',
  },
  load: async () => (await import('../commands/report.ts')).reportCommand,
};
