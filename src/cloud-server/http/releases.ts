/**
 * The client's releases, public (they are signed; the client checks the signature
 * against its own key): GET /api/client/releases/latest answers the manifest and its
 * signature, and GET /releases/<version>/<archive> the archive, with HTTP Range so an
 * interrupted download resumes. A version's files never change once published.
 */
import type { FastifyInstance } from 'fastify';
import type { CloudContext } from './context.js';
import { sendFileRanged } from './send-file.js';

export const LATEST_RELEASE_PATH = '/api/client/releases/latest';

interface ArchiveRequest {
  Params: { version: string; file: string };
}

export function registerReleases(app: FastifyInstance, ctx: CloudContext): void {
  app.get(LATEST_RELEASE_PATH, async (_request, reply) => {
    const latest = ctx.releases.latest();
    return reply.header('Cache-Control', 'no-cache').send(latest);
  });

  app.get<ArchiveRequest>('/releases/:version/:file', async (request, reply) => {
    const { version, file } = request.params;
    const { path, row } = ctx.releases.archive(version, file);
    return sendFileRanged(request, reply, {
      path,
      gone: 'This release file is gone.',
      headers: {
        'Content-Type': 'application/gzip',
        'Content-Disposition': `attachment; filename="${row.archive}"`,
        // Immutable: publishing a version again with other files is refused.
        'Cache-Control': 'public, max-age=86400, immutable',
        ETag: `"${row.sha256}"`,
      },
    });
  });
}
