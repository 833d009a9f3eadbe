/**
 * Drives the emulated mgmt-util as a real child process over pipes, the way the driver does:
 * write one line, wait (event-driven, with a deadline) until the next prompt, return the reply.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterNode } from '#core/model.ts';
import type { Dialect } from '#drivers/mgmt-util/dialect.ts';
import { renderMgmtUtilConfig } from '#emulator/mgmt-util/config.ts';
import { mgmtUtilCommand } from '#emulator/mgmt-util/main.ts';

const PROMPT_AT_END = /(?:^|\n)(?:aws-cloudhsm|cloudmgmt|server\d+)>$/;

export class UtilProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  #stdout = '';
  #stderr = '';
  #exitCode: number | null = null;
  #listeners = new Set<() => void>();

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.#child = child;
    const notify = () => {
      for (const listener of this.#listeners) listener();
    };
    child.stdout.on('data', (chunk: Buffer) => {
      this.#stdout += chunk.toString('utf8');
      notify();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString('utf8');
      notify();
    });
    child.on('exit', (code) => {
      this.#exitCode = code ?? -1;
      notify();
    });
  }

  /** Writes a config for `nodes` into `dir` and starts the util on it. */
  static start(
    dialect: Dialect,
    nodes: readonly ClusterNode[],
    dir: string,
    configText?: string,
  ): UtilProcess {
    const configPath = join(dir, `${dialect}-util-${Math.random().toString(36).slice(2)}.cfg`);
    writeFileSync(configPath, configText ?? renderMgmtUtilConfig(dialect, nodes));
    const { command, args } = mgmtUtilCommand(dialect, configPath);
    return new UtilProcess(spawn(command, args, { stdio: 'pipe' }));
  }

  get stdout(): string {
    return this.#stdout;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** Resolves once `predicate` holds for the output so far; rejects after the deadline. */
  until(predicate: () => boolean, what: string, timeoutMs = 15000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (predicate()) {
          done();
          resolve();
        } else if (this.#exitCode !== null) {
          done();
          reject(new Error(`util exited (${this.#exitCode}) before ${what}; stdout: ${this.#stdout}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what}; stdout so far: ${this.#stdout}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#listeners.delete(check);
      };
      this.#listeners.add(check);
      check();
    });
  }

  /** Output up to the first prompt (the prompt excluded). */
  async startup(): Promise<string> {
    await this.until(() => PROMPT_AT_END.test(this.#stdout), 'the first prompt');
    return this.#stdout.replace(PROMPT_AT_END, (m) => (m.startsWith('\n') ? '\n' : ''));
  }

  /** Sends one line; returns what the util printed before its next prompt. */
  async run(line: string): Promise<string> {
    const start = this.#stdout.length;
    return this.#send(
      line,
      () => PROMPT_AT_END.test(this.#stdout.slice(start)),
      `the prompt after a command`,
    );
  }

  /** Sends one line; returns what was printed once `marker` appears at the end of the output. */
  async runUntil(line: string, marker: string): Promise<string> {
    return this.#send(line, () => this.#stdout.endsWith(marker), `'${marker}'`);
  }

  /** The prompt the util shows now. */
  get prompt(): string {
    return /(aws-cloudhsm|cloudmgmt|server\d+)>$/.exec(this.#stdout)?.[0] ?? '';
  }

  async quit(): Promise<{ code: number; reply: string }> {
    const start = this.#stdout.length;
    this.#child.stdin.end('quit\n');
    await this.until(() => this.#exitCode !== null, 'the util to exit');
    return { code: this.#exitCode ?? -1, reply: this.#stdout.slice(start) };
  }

  /** Kills the process if it still runs (afterAll safety net). */
  async kill(): Promise<void> {
    if (this.#exitCode === null) {
      this.#child.kill();
      await this.#exited();
    }
  }

  #exited(): Promise<void> {
    if (this.#exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => this.#child.once('exit', () => resolve()));
  }

  async #send(line: string, ready: () => boolean, what: string): Promise<string> {
    const start = this.#stdout.length;
    this.#child.stdin.write(`${line}\n`);
    await this.until(() => this.#stdout.length > start && ready(), what);
    return this.#stdout.slice(start).replace(/(?:aws-cloudhsm|cloudmgmt|server\d+)>$/, '');
  }
}
