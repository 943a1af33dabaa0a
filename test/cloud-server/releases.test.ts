/**
 * Releases over a real loopback cloud: publish (through the CLI action, while the cloud
 * runs), the latest-release JSON, the archive whole and by Range, the refusals at publish
 * (tampered archive, bad signature file, a version published again with other files),
 * semver ordering, withdraw, and 404s for unknown versions and path tricks.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CloudIo,
  runReleaseList,
  runReleasePublish,
  runReleaseWithdraw,
} from '../../src/cli/cloud.js';
import { publishReleaseIn } from '../../src/cloud-server/server.js';
import { silentLogger } from '../../src/core/log.js';
import { archiveName, parseManifest, RELEASE_FILES } from '../../src/update/manifest.js';
import { type Harness, startCloud } from './harness.js';
import { type FakeRelease, makeRelease } from './release-fixture.js';

let h: Harness;
let work: string;

beforeEach(async () => {
  h = await startCloud();
  work = await mkdtemp(join(tmpdir(), 'printos-release-src-'));
});

afterEach(async () => {
  await h.close();
  await rm(work, { recursive: true, force: true });
});

function io(): CloudIo & { out: () => string } {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk) => {
    text += chunk;
  });
  return { stdin: Readable.from([]), stdout, stderr: new PassThrough(), env: {}, out: () => text };
}

const publish = (release: FakeRelease) => publishReleaseIn(h.dir, release.dir, silentLogger());

async function latest(): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${h.url}/api/client/releases/latest`);
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** A GET with the path sent exactly as written (fetch would normalise `..`). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  const url = new URL(h.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** No staging directory and no half-published version is left behind. */
function releaseDirs(): string[] {
  return readdirSync(join(h.dir, 'releases'));
}

describe('publish and serve', () => {
  it('serves a published release: latest JSON, archive whole and by Range', async () => {
    const release = await makeRelease(work, '1.2.3', { notes: 'Faster uploads.' });
    const out = io();
    await runReleasePublish(release.dir, { dataDir: h.dir }, out);
    expect(out.out()).toContain('Published printos 1.2.3');
    expect(out.out()).toContain('It is the latest release.');

    const answer = await latest();
    expect(answer.status).toBe(200);
    const manifestBytes = readFileSync(join(release.dir, RELEASE_FILES.manifest));
    expect(answer.json).toEqual({
      version: '1.2.3',
      manifest: manifestBytes.toString('utf8'),
      signature: release.signature,
      archiveUrl: `/releases/1.2.3/${archiveName('1.2.3')}`,
      notes: 'Faster uploads.',
      publishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    // The manifest is served byte for byte: the signature covers these bytes.
    expect(parseManifest(Buffer.from(answer.json.manifest as string))).toEqual(release.manifest);

    const whole = await fetch(`${h.url}${answer.json.archiveUrl}`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('application/gzip');
    expect(whole.headers.get('content-length')).toBe(String(release.archive.length));
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer()).equals(release.archive)).toBe(true);

    const from = 1000;
    const part = await fetch(`${h.url}${answer.json.archiveUrl}`, {
      headers: { range: `bytes=${from}-` },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(
      `bytes ${from}-${release.archive.length - 1}/${release.archive.length}`,
    );
    expect(Buffer.from(await part.arrayBuffer()).equals(release.archive.subarray(from))).toBe(true);

    const past = await fetch(`${h.url}${answer.json.archiveUrl}`, {
      headers: { range: `bytes=${release.archive.length}-` },
    });
    expect(past.status).toBe(416);
    expect(releaseDirs()).toEqual(['1.2.3']);
  });

  it('answers 404 in the JSON error shape when nothing is published', async () => {
    const answer = await latest();
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });

  it('refuses a tampered archive at publish, and serves nothing of it', async () => {
    const longer = await makeRelease(work, '2.0.0', { name: 'longer' });
    writeFileSync(
      join(longer.dir, archiveName('2.0.0')),
      Buffer.concat([longer.archive, Buffer.from('x')]),
    );
    await expect(publish(longer)).rejects.toMatchObject({
      code: 'UPDATE_TAMPERED',
      message: expect.stringMatching(/bytes but the manifest says/),
    });

    const flipped = await makeRelease(work, '2.0.0', { name: 'flipped' });
    const bytes = Buffer.from(flipped.archive);
    bytes[100] = (bytes[100] ?? 0) ^ 0xff;
    writeFileSync(join(flipped.dir, archiveName('2.0.0')), bytes);
    await expect(publish(flipped)).rejects.toMatchObject({
      code: 'UPDATE_TAMPERED',
      message: expect.stringMatching(/does not match the manifest/),
    });
    expect((await latest()).status).toBe(404);
    expect(releaseDirs()).toEqual([]);
  });

  it('refuses a missing or malformed signature, a bad manifest and a missing archive', async () => {
    const release = await makeRelease(work, '1.0.0');
    const sig = join(release.dir, RELEASE_FILES.signature);
    writeFileSync(sig, Buffer.alloc(63).toString('base64'));
    await expect(publish(release)).rejects.toMatchObject({ code: 'UPDATE_INVALID' });
    await rm(sig);
    await expect(publish(release)).rejects.toMatchObject({ code: 'UPDATE_UNSIGNED' });
    writeFileSync(sig, release.signature);

    const manifestPath = join(release.dir, RELEASE_FILES.manifest);
    writeFileSync(manifestPath, JSON.stringify({ ...release.manifest, version: 'v1' }));
    await expect(publish(release)).rejects.toMatchObject({ code: 'UPDATE_INVALID' });
    const text = JSON.stringify({ ...release.manifest, notes: 'caf\u00e9' });
    // "é" as one Latin-1 byte: JSON parses (as U+FFFD) but the served text would differ.
    writeFileSync(manifestPath, Buffer.from(text, 'latin1'));
    await expect(publish(release)).rejects.toMatchObject({
      code: 'UPDATE_INVALID',
      message: expect.stringMatching(/UTF-8/),
    });
    writeFileSync(manifestPath, JSON.stringify(release.manifest));
    await rm(join(release.dir, archiveName('1.0.0')));
    await expect(publish(release)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(
      publishReleaseIn(h.dir, join(work, 'nothing'), silentLogger()),
    ).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
    expect(releaseDirs()).toEqual([]);
  });

  it('publishing the same files twice is a no-op; other files under the version conflict', async () => {
    const release = await makeRelease(work, '1.0.0', { name: 'first' });
    expect((await publish(release)).outcome).toBe('published');
    const before = await latest();
    expect((await publish(release)).outcome).toBe('unchanged');
    expect(await latest()).toEqual(before);

    const other = await makeRelease(work, '1.0.0', { name: 'second' });
    await expect(publish(other)).rejects.toMatchObject({ code: 'CONFLICT' });
    const served = await fetch(`${h.url}/releases/1.0.0/${archiveName('1.0.0')}`);
    expect(Buffer.from(await served.arrayBuffer()).equals(release.archive)).toBe(true);
    expect(releaseDirs()).toEqual(['1.0.0']);
  });

  it('latest is the highest semantic version not withdrawn; withdraw and publish again', async () => {
    for (const version of ['1.9.0', '1.10.0', '1.2.0']) {
      await publish(await makeRelease(work, version));
    }
    expect((await latest()).json.version).toBe('1.10.0');

    const lower = io();
    await runReleasePublish(
      (await makeRelease(work, '1.10.0-rc.1')).dir,
      { dataDir: h.dir },
      lower,
    );
    expect(lower.out()).toContain('The latest release stays 1.10.0');

    const withdrawn = io();
    await runReleaseWithdraw('1.10.0', { dataDir: h.dir }, withdrawn);
    expect(withdrawn.out()).toContain('The latest release is now 1.10.0-rc.1');
    expect((await latest()).json.version).toBe('1.10.0-rc.1');
    // Its files stay: a client halfway through the download can finish.
    expect((await fetch(`${h.url}/releases/1.10.0/${archiveName('1.10.0')}`)).status).toBe(200);

    const list = io();
    await runReleaseList({ dataDir: h.dir, json: true }, list);
    const rows = JSON.parse(list.out()) as {
      version: string;
      latest: boolean;
      withdrawnAt: string | null;
    }[];
    expect(rows.filter((r) => r.latest).map((r) => r.version)).toEqual(['1.10.0-rc.1']);
    expect(rows.find((r) => r.version === '1.10.0')?.withdrawnAt).not.toBeNull();

    const again = await publishReleaseIn(h.dir, join(work, 'release-1.10.0'), silentLogger());
    expect(again.outcome).toBe('restored');
    expect((await latest()).json.version).toBe('1.10.0');

    const text = io();
    await runReleaseList({ dataDir: h.dir }, text);
    expect(text.out()).toMatch(/^1\.10\.0 .* latest$/m);
    await expect(runReleaseWithdraw('9.9.9', { dataDir: h.dir }, io())).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('archive paths', () => {
  beforeEach(async () => {
    await publish(await makeRelease(work, '1.0.0'));
  });

  it('404 for an unknown version or file name', async () => {
    const archive = archiveName('1.0.0');
    for (const path of [
      `/releases/1.0.1/${archiveName('1.0.1')}`,
      `/releases/1.0.0/${archiveName('1.0.1')}`,
      `/releases/1.0.0/${RELEASE_FILES.manifest}`,
      `/releases/1.0.0/${RELEASE_FILES.signature}`,
      '/releases/1.0.0',
      `/releases/v1.0.0/${archive}`,
    ]) {
      const res = await rawGet(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
  });

  it('404 for path tricks', async () => {
    for (const path of [
      '/releases/..%2f..%2fcloud.db/x',
      '/releases/..%2f../x',
      '/releases/1.0.0/..%2f..%2fcloud.db',
      '/releases/1.0.0/%2e%2e%2f%2e%2e%2fsecret.key',
      '/releases/../cloud.db',
      '/releases/1.0.0/../../secret.key',
      '/releases/%2e%2e/secret.key',
      '/releases/1.0.0%00/x',
    ]) {
      const res = await rawGet(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.body).not.toContain('SQLite');
    }
  });
});
