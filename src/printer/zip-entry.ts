import { extname } from 'node:path';
import yauzl from 'yauzl';
import { PrintosError } from '../core/errors.js';

export interface ZipEntryStream {
  name: string;
  size: number;
  chunks: AsyncIterator<Buffer>;
  close: () => Promise<void>;
}

/**
 * Opens the single G-code file inside a zip as a stream (never inflated into
 * memory). A zip with none, or several, is refused with a message naming them.
 */
export async function openZipEntry(
  path: string,
  extensions: ReadonlySet<string>,
): Promise<ZipEntryStream> {
  const zip = await openZip(path);
  try {
    const entries = await gcodeEntries(zip, extensions);
    const entry = entries[0];
    if (!entry || entries.length > 1) {
      const names = entries.map((e) => e.fileName).join(', ');
      throw new PrintosError(
        'FILE_INVALID',
        entries.length === 0
          ? `${path} holds no G-code file.`
          : `${path} holds several G-code files (${names}); put exactly one in the zip.`,
      );
    }
    const stream = await openEntryStream(zip, entry);
    return {
      name: entry.fileName.split('/').pop() ?? entry.fileName,
      size: entry.uncompressedSize,
      chunks: stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>,
      close: async () => {
        stream.destroy();
        zip.close();
      },
    };
  } catch (err) {
    zip.close();
    throw err;
  }
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zip) => {
      if (err || !zip) {
        reject(
          new PrintosError(
            'FILE_INVALID',
            `${path} is not a readable zip file: ${err?.message}`,
            undefined,
            err,
          ),
        );
      } else {
        resolve(zip);
      }
    });
  });
}

function gcodeEntries(zip: yauzl.ZipFile, extensions: ReadonlySet<string>): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const found: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      const name = entry.fileName;
      const hidden = name.startsWith('__MACOSX/') || name.split('/').pop()?.startsWith('.');
      if (!name.endsWith('/') && !hidden && extensions.has(extname(name).toLowerCase()))
        found.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(found));
    zip.on('error', (err: Error) =>
      reject(new PrintosError('FILE_INVALID', `Broken zip file: ${err.message}`, undefined, err)),
    );
    zip.readEntry();
  });
}

function openEntryStream(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
): Promise<NodeJS.ReadableStream & { destroy(): void }> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream)
        reject(
          new PrintosError(
            'FILE_INVALID',
            `Cannot read ${entry.fileName} in the zip: ${err?.message}`,
          ),
        );
      else resolve(stream);
    });
  });
}
