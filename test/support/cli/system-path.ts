import { delimiter } from 'node:path';

/** PATH without node_modules/.bin: what a shell outside npm has (the machine's Node first). */
export const SYSTEM_PATH = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => dir !== '' && !dir.includes('node_modules'))
  .join(delimiter);
