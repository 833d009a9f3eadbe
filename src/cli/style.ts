/**
 * Colour on a terminal, none in a pipe: on when the stream is a TTY, off when NO_COLOR is set
 * (https://no-color.org), forced on by FORCE_COLOR (tests, CI logs that render it).
 */
import type { TextStyle } from '#core/render-report.ts';
import type { RunOutcome } from '#core/report.ts';
import type { CliIo } from './io.ts';

export interface Style {
  readonly enabled: boolean;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

function paint(open: number, close: number): (text: string) => string {
  return (text) => `\u001b[${open}m${text}\u001b[${close}m`;
}

const ON: Style = {
  enabled: true,
  red: paint(31, 39),
  yellow: paint(33, 39),
  green: paint(32, 39),
  dim: paint(2, 22),
  bold: paint(1, 22),
};

const same = (text: string) => text;
export const NO_STYLE: Style = {
  enabled: false,
  red: same,
  yellow: same,
  green: same,
  dim: same,
  bold: same,
};

/** Whether to colour what goes to `stream`. */
export function colourWanted(io: Pick<CliIo, 'env' | 'tty'>, stream: 'stdout' | 'stderr'): boolean {
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.TERM === 'dumb') return false;
  return io.tty?.[stream] === true;
}

export function styleFor(io: Pick<CliIo, 'env' | 'tty'>, stream: 'stdout' | 'stderr'): Style {
  return colourWanted(io, stream) ? ON : NO_STYLE;
}

export function paintOutcome(style: Style, outcome: RunOutcome): string {
  if (outcome === 'failed') return style.red(outcome);
  if (outcome === 'attention') return style.yellow(outcome);
  return style.green(outcome);
}

/** The text report's emphasis in this style: critical red, warning yellow, headings bold. */
export function textStyleOf(style: Style): TextStyle {
  return {
    severity: (severity, text) =>
      severity === 'critical' ? style.red(text) : severity === 'warning' ? style.yellow(text) : text,
    outcome: (outcome, text) => (outcome === text ? paintOutcome(style, outcome) : text),
    heading: (text) => style.bold(text),
  };
}
