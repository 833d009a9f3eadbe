/**
 * Bundles the node-access handlers (collect-node, sync, verify) for the container image,
 * with the same esbuild settings NodejsFunction uses for the other functions: one ESM
 * file per handler, Node 24, AWS SDK included, source maps.
 *
 *   node infra/node-access-image/bundle.ts [outdir]   # default infra/node-access-image/dist
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_TARGET, CREATE_REQUIRE_BANNER, NATIVE_EXTERNALS, NODE_ACCESS_HANDLERS } from '../bundling.ts';
import { REPO_ROOT } from '../constructs/paths.ts';

/** Writes `<outdir>/<handler>.mjs` (+ `.map`) for each node-access handler; returns the files. */
export async function bundleNodeAccessHandlers(outdir: string): Promise<string[]> {
  const result = await build({
    entryPoints: NODE_ACCESS_HANDLERS.map((name) => ({
      in: join(REPO_ROOT, 'functions', 'aws', `${name}.ts`),
      out: name,
    })),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: BUNDLE_TARGET,
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: CREATE_REQUIRE_BANNER },
    external: [...NATIVE_EXTERNALS],
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
  });
  return Object.keys(result.metafile.outputs);
}

if (import.meta.main) {
  const outdir = process.argv[2] ?? join(REPO_ROOT, 'infra', 'node-access-image', 'dist');
  const files = await bundleNodeAccessHandlers(outdir);
  process.stdout.write(`${files.join('\n')}\n`);
}
