import { execFileSync } from 'node:child_process';

/**
 * The system Chromium the browser tests drive (Debian's `chromium`, or CHROMIUM_PATH), and the flags that
 * keep a headless Chromium off the network here (no background networking, updates, sync or QUIC) and able
 * to start as root.
 */
export const CHROMIUM_ARGS: readonly string[] = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--headless=new'];

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
}
