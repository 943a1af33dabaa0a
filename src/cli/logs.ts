/** `printos logs send "<what happened>"`: uploads a support bundle to the linked cloud account. */
import type { Command } from 'commander';
import { PrintosError } from '../core/errors.js';
import { requireService } from '../service/api-client.js';
import { resolveDataDir } from '../service/data-dir.js';
import { addDataDirOption } from './data-dir-option.js';

export function registerLogs(program: Command): void {
  const logs = program.command('logs').description('The service log: send it to the cloud');
  const send = logs
    .command('send')
    .description('Send the recent log and a problem report to the linked cloud account')
    .argument('<what-happened...>', 'what went wrong, in your words');
  addDataDirOption(send).action(async (words: string[], opts: { dataDir?: string }) => {
    const report = words.join(' ').trim();
    if (report === '') throw new PrintosError('INVALID_ARGUMENT', 'Say what happened.');
    const service = await requireService(resolveDataDir(opts.dataDir));
    await service.request('POST', '/api/logs/send', { report });
    process.stdout.write('Logs sent to the cloud (secrets masked).\n');
  });
}
