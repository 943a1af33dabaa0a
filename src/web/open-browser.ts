/**
 * Opens the web interface in the desktop's browser at start. Only where a display is
 * likely (a Linux desktop session, macOS, Windows); the URL is one argument, never a
 * shell string, and a missing opener is not an error.
 */
import { spawn } from 'node:child_process';
import type { Logger } from '../core/log.js';

export function browserOpener(log: Logger, env: NodeJS.ProcessEnv = process.env) {
  return (url: string): void => {
    const command = openerFor(process.platform, env);
    if (!command) {
      log.info({ url }, 'no display: open the web interface from a browser');
      return;
    }
    try {
      const child = spawn(command[0], [...command.slice(1), url], {
        stdio: 'ignore',
        detached: true,
      });
      child.on('error', () => log.info({ url }, 'no browser opener found'));
      child.unref();
    } catch {
      log.info({ url }, 'no browser opener found');
    }
  };
}

export function openerFor(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
): [string, ...string[]] | undefined {
  if (platform === 'darwin') return ['open'];
  // Not `cmd /c start`: cmd would read the URL as a command line.
  if (platform === 'win32') return ['rundll32', 'url.dll,FileProtocolHandler'];
  return env.DISPLAY || env.WAYLAND_DISPLAY ? ['xdg-open'] : undefined;
}
