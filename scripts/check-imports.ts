/**
 * Keeps the layers of docs/architecture.md true: reads every import under src/
 * and fails on one that runs against them. Run by `npm run lint`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '..', 'src');

/** Which top-level areas each area may import (itself always allowed). */
const ALLOWED: Record<string, string[]> = {
  core: [],
  gcode: ['core'],
  transport: ['core'],
  config: ['core', 'printer/sender/types.ts', 'streamer-api'],
  printer: ['core', 'gcode', 'transport/transport.ts'],
  'virtual-printer': ['core', 'gcode', 'transport/transport.ts'],
  'streamer-api': ['core'],
  // The link sees printers only through link/types.ts (LinkedPrinter), never their classes.
  link: ['core', 'streamer-api', 'gcode/messages.ts', 'printer/states.ts'],
  // The self-hosted cloud shares only the wire contract and core with the client.
  // It reads release manifests (update/manifest.ts) to publish them; it never holds the key.
  'cloud-server': ['core', 'streamer-api', 'update/manifest.ts'],
  // The client service composes printers, the link and settings; concrete classes come from app.ts.
  service: [
    'core',
    'config',
    'streamer-api',
    'link',
    'printer',
    'gcode',
    'transport/ports.ts',
    'update',
  ],
  // The web interface acts on the service and reads settings; never the driver or the cloud server.
  web: [
    'core',
    'config',
    'service',
    'streamer-api',
    'link/types.ts',
    'gcode/messages.ts',
    'printer/states.ts',
    'printer/profiles.ts',
    'transport/ports.ts',
    'update',
  ],
  // Releases and updates: signing, archives, the install layout; no printers, no web.
  update: ['core', 'config'],
  cli: ['*'],
  'app.ts': ['*'],
  'app-service.ts': ['*'],
  'app-update.ts': ['*'],
  'main.ts': ['*'],
};

/** Packages only one file may import: hardware and native bindings stay behind their port. */
const CONFINED_PACKAGES: Record<string, string> = {
  serialport: 'transport/serial.ts',
  'authenticate-pam': 'web/pam.ts',
  selfsigned: 'web/tls.ts',
  // Browser automation belongs to the tests, never to the shipped code.
  'playwright-core': 'none (tests only)',
};

/** Packages whose importers must sit under one folder. */
const CONFINED_TO_AREA: Record<string, string> = {
  'better-sqlite3': 'cloud-server',
};

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) yield path;
  }
}

function area(path: string): string {
  const parts = relative(SRC, path).split('/');
  return parts.length === 1 ? (parts[0] as string) : (parts[0] as string);
}

function imports(source: string): string[] {
  const found: string[] = [];
  const pattern =
    /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const match of source.matchAll(pattern)) found.push((match[1] ?? match[2]) as string);
  return found;
}

function violation(file: string, spec: string): string | null {
  const fromArea = area(file);
  const rel = relative(SRC, file);
  if (!spec.startsWith('.')) {
    const pkg = spec.startsWith('@')
      ? spec.split('/').slice(0, 2).join('/')
      : (spec.split('/')[0] as string);
    const only = CONFINED_PACKAGES[pkg];
    if (only && only !== rel) return `only ${only} may import ${pkg}`;
    const inArea = CONFINED_TO_AREA[pkg];
    return inArea && inArea !== fromArea ? `only ${inArea}/ may import ${pkg}` : null;
  }
  const target = relative(SRC, resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
  const toArea = area(join(SRC, target));
  if (target === 'main.ts') return 'nothing imports main.ts';
  const roots = ['app.ts', 'app-service.ts'];
  if (roots.includes(target) && fromArea !== 'cli' && !roots.includes(fromArea))
    return `only the CLI imports ${target}`;
  if (toArea === 'cli' && fromArea !== 'cli' && fromArea !== 'main.ts')
    return 'only main.ts imports the CLI';
  if (toArea === fromArea) return null;
  const allowed = ALLOWED[fromArea];
  if (!allowed) return `area ${fromArea} is not in the layer table of scripts/check-imports.ts`;
  if (allowed.includes('*') || allowed.includes(toArea) || allowed.includes(target)) return null;
  return `${fromArea} may not import ${target}`;
}

const problems: string[] = [];
for (const file of files(SRC)) {
  for (const spec of imports(readFileSync(file, 'utf8'))) {
    const problem = violation(file, spec);
    if (problem) problems.push(`${relative(SRC, file)}: imports ${spec}: ${problem}`);
  }
}
if (problems.length > 0) {
  console.error(`Layer violations (docs/architecture.md):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('imports follow the layers');
