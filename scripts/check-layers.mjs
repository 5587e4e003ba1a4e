// Fails when a folder of src/ imports from a folder above it (src/README.md draws the layers), or when a
// file imports itself round a cycle of folders. Run by `npm test` (pretest), so CI fails on an upward import.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Bottom first. A folder may import its own files and any folder of a lower layer; never one above. */
const LAYERS = [
  ['errors.ts'],
  ['util'],
  ['io.ts', 'net', 'output'],
  ['annotate', 'state', 'cron'],
  ['config'],
  ['notify', 'fleet'],
  ['remote'],
  ['run'],
  ['report'],
  ['observers'],
  ['jobs'],
  ['serve'],
  ['commands'],
  ['cli'],
  ['main.ts', 'start.ts', 'executable-prologue.ts', 'package'],
];

// The tree to check: src/, or another one given as the argument (the test of this script).
const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..', 'src'));
const layerOf = new Map(LAYERS.flatMap((names, level) => names.map((name) => [name, level])));

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `run` for src/run/wrap.ts, `main.ts` for src/main.ts. */
function unit(file) {
  return relative(root, file).split('/')[0].replace(/\.js$/, '.ts');
}

const problems = [];
for (const file of files(root)) {
  const from = unit(file);
  if (!layerOf.has(from)) {
    problems.push(`${relative(root, file)}: src/${from} is in no layer of scripts/check-layers.mjs; add it`);
    continue;
  }
  const source = readFileSync(file, 'utf8');
  for (const [, specifier] of source.matchAll(/^(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)) {
    if (!specifier.startsWith('.')) continue;
    const to = unit(resolve(dirname(file), specifier));
    if (to === from) continue;
    if (!layerOf.has(to)) problems.push(`${relative(root, file)}: imports ${specifier}, which is in no layer`);
    else if (layerOf.get(to) >= layerOf.get(from)) {
      problems.push(`${relative(root, file)}: ${from} (layer ${layerOf.get(from)}) imports ${specifier} from ${to} (layer ${layerOf.get(to)}): a folder imports only folders below it`);
    }
  }
}
if (problems.length > 0) {
  console.error(`check-layers: ${problems.length} import(s) against the layers:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`check-layers: ${files(root).length} files, every import goes down`);
