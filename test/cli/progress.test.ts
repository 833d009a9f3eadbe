/**
 * Progress from the local runner's state events: in a pipe, plain lines for each state and a
 * "still running" line every few seconds for a slow one (no long silence); on a terminal, a
 * live block with one line per node and its elapsed time.
 */
import { describe, expect, it } from '@jest/globals';
import { runProgress } from '#cli/progress.ts';
import { NO_STYLE } from '#cli/style.ts';
import type { LocalStateEvent } from '#workflow/local-asl-runner.ts';

const event = (
  kind: LocalStateEvent['kind'],
  state: string,
  timestamp: number,
  index?: number,
): LocalStateEvent => ({
  kind,
  state,
  stateType: state === 'CollectNodes' ? 'Map' : 'Task',
  timestamp,
  bytes: 0,
  ...(index === undefined ? {} : { index, item: `hsm-${index}` }),
});

describe('runProgress', () => {
  it('plain: a line per state, a "still running" line every 5 s for a slow node, its time when done', () => {
    let now = 0;
    let out = '';
    const progress = runProgress({ write: (t) => (out += t), live: false, style: NO_STYLE, now: () => now });

    progress.state(event('entered', 'CollectNodes', 0));
    progress.state(event('entered', 'CollectNode', 0, 0));
    progress.state(event('entered', 'CollectNode', 0, 1));
    progress.state(event('exited', 'CollectNode', 300, 0));
    for (now = 1000; now <= 9000; now += 1000) progress.tick();
    progress.state(event('exited', 'CollectNode', 9100, 1));
    progress.finish();

    expect(out.split('\n')).toEqual([
      '> CollectNodes',
      '  > CollectNode [server 0] hsm-0',
      '  > CollectNode [server 1] hsm-1',
      '    done CollectNode [server 0] hsm-0 (0.3 s)',
      '  ... CollectNodes: still running after 5.0 s',
      '    ... CollectNode [server 1] hsm-1: still running after 5.0 s',
      '    done CollectNode [server 1] hsm-1 (9.1 s)',
      '',
    ]);
  });

  it('live: one redrawn line per node with its elapsed time, cut to the terminal width', () => {
    let now = 0;
    let out = '';
    const progress = runProgress({
      write: (t) => (out += t),
      live: true,
      style: NO_STYLE,
      now: () => now,
      columns: 30,
    });

    progress.state(event('entered', 'CollectNodes', 0));
    progress.state(event('entered', 'CollectNode', 0, 0));
    progress.state(event('entered', 'CollectNode', 0, 1));
    progress.state(event('exited', 'CollectNode', 200, 0));
    now = 4200;
    out = '';
    progress.tick();

    expect(out).toBe(
      '\u001b[3A' +
        '\r\u001b[2K… CollectNodes  4.2 s\n' +
        // 30 columns: the node lines are cut to 29 characters (the cursor keeps the last one).
        '\r\u001b[2K  ✓ CollectNode [server 0] hs\u001b[0m\n' +
        '\r\u001b[2K  … CollectNode [server 1] hs\u001b[0m\n',
    );
    progress.finish();
  });
});
