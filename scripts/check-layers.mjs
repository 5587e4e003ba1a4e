// Fails when a folder of src/ imports from a folder above it (src/README.md draws the layers), or when files
// import each other round a cycle, inside a folder or across folders, type-only imports included (a cycle of
// types is a knot all the same: none of its files can be read, moved or tested alone). Run by `npm test`
// (pretest), so CI fails on either.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Bottom first. A folder may import its own files and any folder of a lower layer; never one above. */
const LAYERS = [
  ['errors.ts'],
  ['util'],
  ['io.ts', 'net', 'output'],
  ['annotate', 'state', 'cron'],
  ['config', 'process'],
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
/** Each file's imports of files in the tree, for the cycle search. */
const imports = new Map();
for (const file of files(root)) {
  const targets = [];
  imports.set(file, targets);
  const from = unit(file);
  if (!layerOf.has(from)) {
    problems.push(`${relative(root, file)}: src/${from} is in no layer of scripts/check-layers.mjs; add it`);
    continue;
  }
  const source = readFileSync(file, 'utf8');
  for (const [, specifier] of source.matchAll(/^(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)) {
    if (!specifier.startsWith('.')) continue;
    const target = resolve(dirname(file), specifier);
    targets.push(target.replace(/\.js$/, '.ts'));
    const to = unit(target);
    if (to === from) continue;
    if (!layerOf.has(to)) problems.push(`${relative(root, file)}: imports ${specifier}, which is in no layer`);
    else if (layerOf.get(to) >= layerOf.get(from)) {
      problems.push(`${relative(root, file)}: ${from} (layer ${layerOf.get(from)}) imports ${specifier} from ${to} (layer ${layerOf.get(to)}): a folder imports only folders below it`);
    }
  }
}

/** The files that import each other round a cycle, as groups (Tarjan's strongly connected components). */
function tangles(graph) {
  const order = new Map();
  const low = new Map();
  const stack = [];
  const found = [];
  const visit = (file) => {
    order.set(file, order.size);
    low.set(file, order.get(file));
    stack.push(file);
    for (const next of graph.get(file)) {
      if (!graph.has(next)) continue;
      if (!order.has(next)) visit(next);
      if (stack.includes(next)) low.set(file, Math.min(low.get(file), low.get(next)));
    }
    if (low.get(file) !== order.get(file)) return;
    const group = stack.splice(stack.indexOf(file));
    if (group.length > 1 || graph.get(file).includes(file)) found.push(group);
  };
  for (const file of graph.keys()) if (!order.has(file)) visit(file);
  return found;
}

/** One shortest way from the group's first file back to itself, through the group. */
function cycleIn(group, graph) {
  const members = new Set(group);
  const [start] = [...group].sort();
  const cameFrom = new Map();
  const queue = [start];
  for (const file of queue) {
    for (const next of graph.get(file)) {
      if (next === start) {
        const path = [file];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]));
        return [...path, start];
      }
      if (members.has(next) && !cameFrom.has(next)) {
        cameFrom.set(next, file);
        queue.push(next);
      }
    }
  }
}

for (const group of tangles(imports)) {
  const name = (file) => relative(root, file);
  const cycle = cycleIn(group, imports);
  // The cycle shown is the shortest through one file; a knot may hold more files, each to be untied.
  const rest = group.length >= cycle.length ? ` (${group.length} files in the knot: ${group.map(name).sort().join(', ')})` : '';
  problems.push(`import cycle: ${cycle.map(name).join(' → ')}${rest}; type-only imports count: move what they share into a file that imports none of them`);
}

if (problems.length > 0) {
  console.error(`check-layers: ${problems.length} problem(s) with the imports:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`check-layers: ${imports.size} files, every import goes down, no import cycle`);
