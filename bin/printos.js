#!/usr/bin/env -S node --optimize-for-size
// --optimize-for-size: V8 keeps its heap limits tight instead of raising them over a long
// run, so a service printing for days keeps a flat RSS (docs/benchmarks.md: +7% instead of
// +22-26% from a 20k-line to a 200k-line job, for ~20% more CPU per line, still far below
// printcore's). It is a start-up flag: v8.setFlagsFromString() at run time has no effect.
// Runs the compiled CLI (dist/, from `npm run build`) when it is up to date with src/,
// and the TypeScript sources through tsx otherwise, so a checkout always runs what it holds.
// A release (printos release) ships dist/ without src/ and always runs dist/.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

function builtIsCurrent() {
  if (!existsSync(join(root, 'src'))) return true;
  try {
    return statSync(join(root, 'dist', 'main.js')).mtimeMs >= newestSource(join(root, 'src'));
  } catch {
    return false;
  }
}

if (builtIsCurrent()) {
  await import('../dist/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
