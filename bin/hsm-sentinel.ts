#!/usr/bin/env -S sh -c 'exec "$(dirname "$(readlink -f "$0")")/hsm-sentinel.js" "$@"'
// The hsm-sentinel CLI, in TypeScript: it runs on Node 24's type stripping (`npm start`,
// `node bin/hsm-sentinel.ts …` with the project's Node). From any
// other Node use the launcher bin/hsm-sentinel.js (the package's `bin`): it picks Node 24. Run
// as `./bin/hsm-sentinel.ts`, the line above hands over to that launcher.
import { runAsProcess } from '#cli/run-as-process.ts';

await runAsProcess(process.argv.slice(2));
