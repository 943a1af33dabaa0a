#!/usr/bin/env node
// Runs the compiled CLI (dist/, from `npm run build`) when it is up to date with src/,
// and the TypeScript sources through tsx otherwise, so a checkout always runs what it holds.
import { readdirSync, statSync } from 'node:fs';
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
