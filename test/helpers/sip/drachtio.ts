import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeSipPort, freeTcpPort, waitForTcp } from './ports.ts';
import { Proc } from './process.ts';
import type { Launch } from './tools.ts';

export interface DrachtioServer {
  readonly host: '127.0.0.1';
  readonly adminPort: number;
  readonly sipPort: number;
  readonly secret: string;
  /** Where SIP peers send requests: host:port. */
  readonly sipTarget: string;
  output(): string;
  /** Stops and starts the server again on the same ports (screenpop must reconnect by itself). */
  restart(): Promise<void>;
  /** Stops it, keeping its ports and config for startAgain(). */
  stopOnly(): Promise<void>;
  startAgain(): Promise<void>;
  stop(): Promise<void>;
}

/** drachtio-server on loopback, on free ports, with its config in a temporary directory. */
export async function startDrachtio(launch: Launch, opts: { logLevel?: 'info' | 'notice' | 'error' } = {}): Promise<DrachtioServer> {
  const dir = mkdtempSync(join(tmpdir(), 'screenpop-drachtio-'));
  const adminPort = await freeTcpPort();
  const sipPort = await freeSipPort();
  const secret = `test-${Math.random().toString(36).slice(2)}`;
  const config = `<drachtio>
  <admin port="${adminPort}" secret="${secret}">127.0.0.1</admin>
  <sip>
    <contacts><contact>sip:127.0.0.1:${sipPort};transport=udp,tcp</contact></contacts>
    <udp-mtu>65000</udp-mtu>
  </sip>
  <logging>
    <console/>
    <loglevel>${opts.logLevel ?? 'info'}</loglevel>
    <sofia-loglevel>${opts.logLevel === 'info' || !opts.logLevel ? 3 : 0}</sofia-loglevel>
  </logging>
</drachtio>
`;
  writeFileSync(join(dir, 'drachtio.conf.xml'), config);

  let proc: Proc | null = null;
  let container: { stop(): Promise<unknown>; logs(): Promise<NodeJS.ReadableStream> } | null = null;
  let containerOut = '';
  const start = async () => {
    if (launch.kind === 'binary') {
      proc = new Proc('drachtio', launch.path, ['-f', join(dir, 'drachtio.conf.xml')], { cwd: dir });
      await waitForTcp('127.0.0.1', adminPort, 20_000, () => proc!.running).catch((err: Error) => {
        throw new Error(`drachtio-server did not start: ${err.message}\n${proc!.output().slice(-3000)}`);
      });
      return;
    }
    const { GenericContainer } = await import('testcontainers');
    // Host networking: the container's loopback is the host's, so sipp and screenpop reach it as a local process.
    const started = await new GenericContainer(launch.image)
      .withNetworkMode('host')
      .withCopyFilesToContainer([{ source: join(dir, 'drachtio.conf.xml'), target: '/etc/drachtio.conf.xml' }])
      .withCommand(['drachtio', '-f', '/etc/drachtio.conf.xml'])
      .start();
    container = started;
    (await started.logs()).on('data', (b: Buffer) => (containerOut += b.toString()));
    await waitForTcp('127.0.0.1', adminPort, 30_000);
  };
  const stopNow = async () => {
    if (proc) await proc.stop();
    if (container) await container.stop();
    proc = null;
    container = null;
  };
  await start();
  return {
    host: '127.0.0.1',
    adminPort,
    sipPort,
    secret,
    sipTarget: `127.0.0.1:${sipPort}`,
    output: () => (proc ? proc.output() : containerOut),
    async restart() {
      await stopNow();
      await start();
    },
    stopOnly: stopNow,
    startAgain: start,
    async stop() {
      await stopNow();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
