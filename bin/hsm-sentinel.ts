#!/usr/bin/env node
// The hsm-sentinel CLI. Runs on Node 24 (type stripping): `npm start`, `npm run hsm-sentinel -- …`
// or `node bin/hsm-sentinel.ts …` with the project's Node (node_modules/.bin/node).
import { processIo } from '#cli/io.ts';
import { main } from '#cli/main.ts';

process.exitCode = await main(process.argv.slice(2), processIo());
