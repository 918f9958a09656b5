import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Esl } from './esl.ts';
import { freeSipPort, freeTcpPort, until, waitForTcp } from './ports.ts';
import { Proc } from './process.ts';
import type { Launch } from './tools.ts';

const CONFIG = resolve(import.meta.dirname, '../../../sip-config/freeswitch');
const PASSWORD = 'ClueCon';

export interface FreeSwitch {
  /** The address its SIP profile listens on (a trunk's source, agents' phones). */
  readonly ip: string;
  readonly sipPort: number;
  readonly esl: Esl;
  /** An extension of the "screenpop" context as a SIP URI (agent-answer, agent-busy, ...). */
  extension(name: string): string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * FreeSWITCH with screenpop's configuration (sip-config/freeswitch) on loopback: free ports, its
 * directories in a temporary one. Ready once the event socket answers and the SIP profile runs.
 */
export async function startFreeSwitch(launch: Launch, ip: string): Promise<FreeSwitch> {
  const dir = mkdtempSync(join(tmpdir(), 'screenpop-freeswitch-'));
  const conf = join(dir, 'conf');
  cpSync(CONFIG, conf, { recursive: true });
  const sipPort = await freeSipPort(ip);
  const eslPort = await freeTcpPort();
  const rtpStart = 30_000 + Math.floor(Math.random() * 90) * 300;
  writeFileSync(
    join(conf, 'vars.xml'),
    `<include>
  <X-PRE-PROCESS cmd="set" data="bind_ip=${ip}"/>
  <X-PRE-PROCESS cmd="set" data="sip_port=${sipPort}"/>
  <X-PRE-PROCESS cmd="set" data="esl_ip=127.0.0.1"/>
  <X-PRE-PROCESS cmd="set" data="esl_port=${eslPort}"/>
  <X-PRE-PROCESS cmd="set" data="esl_password=${PASSWORD}"/>
  <X-PRE-PROCESS cmd="set" data="rtp_start=${rtpStart}"/>
  <X-PRE-PROCESS cmd="set" data="rtp_end=${rtpStart + 299}"/>
</include>
`,
  );
  const dirs = ['log', 'db', 'run', 'temp', 'cache', 'storage', 'recordings'];
  for (const d of dirs) mkdirSync(join(dir, d));

  let proc: Proc | null = null;
  let container: { stop(): Promise<unknown> } | null = null;
  if (launch.kind === 'binary') {
    proc = new Proc('freeswitch', launch.path, ['-nc', '-nf', '-nonat', '-conf', conf, ...dirs.flatMap((d) => [`-${d}`, join(dir, d)])], { cwd: dir });
  } else {
    const { GenericContainer } = await import('testcontainers');
    container = await new GenericContainer(launch.image)
      .withNetworkMode('host')
      .withBindMounts([{ source: conf, target: '/screenpop-conf', mode: 'ro' }])
      .withEntrypoint(['freeswitch'])
      .withCommand(['-nc', '-nf', '-nonat', '-conf', '/screenpop-conf'])
      .start();
  }
  const alive = () => proc === null || proc.running;
  let esl: Esl | undefined;
  try {
    await waitForTcp('127.0.0.1', eslPort, 30_000, alive);
    esl = await Esl.connect('127.0.0.1', eslPort, PASSWORD);
    await until('the FreeSWITCH SIP profile to run', async () => /\bpbx\b.*RUNNING/.test(await esl!.api('sofia status')), 20_000);
  } catch (err) {
    esl?.close();
    await proc?.stop(5000);
    await container?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`FreeSWITCH did not start: ${(err as Error).message}\n${proc?.output().slice(-3000) ?? ''}`);
  }
  return {
    ip,
    sipPort,
    esl,
    extension: (name) => `sip:${name}@${ip}:${sipPort}`,
    output: () => proc?.output() ?? '',
    async stop() {
      await esl.api('hupall NORMAL_CLEARING').catch(() => {});
      esl.close();
      await proc?.stop(5000);
      await container?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Originates a call from FreeSWITCH (as the PBX) to drachtio-server with a chosen caller ID. */
export async function originate(
  fs: FreeSwitch,
  o: { uuid: string; to: string; drachtio: string; number?: string; name?: string; cidType: 'pid' | 'rpid'; fromUser?: string; privacy?: boolean },
): Promise<string> {
  const vars = [
    `origination_uuid=${o.uuid}`,
    `sip_cid_type=${o.cidType}`,
    'ignore_early_media=true',
    'originate_timeout=30',
    ...(o.number ? [`origination_caller_id_number=${o.number}`] : []),
    ...(o.name ? [`origination_caller_id_name='${o.name}'`] : []),
    // The From user is the trunk's, so only the asserted identity says who calls.
    ...(o.fromUser ? [`sip_from_user=${o.fromUser}`] : []),
    ...(o.privacy ? ['origination_privacy=hide_name:hide_number'] : []),
  ];
  return fs.esl.bgapi(`originate {${vars.join(',')}}sofia/pbx/${o.to}@${o.drachtio} &park()`);
}
