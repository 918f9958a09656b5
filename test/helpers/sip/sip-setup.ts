import type { TestProject } from 'vitest/node';
import { dockerAvailable } from '../docker-available.ts';
import { DRACHTIO_IMAGE, FREESWITCH_IMAGE, findBinary, type Launch, type SipTools } from './tools.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** What the SIP system tests can start; a missing part makes its tests skip (said once, here). */
    sipTools: SipTools;
  }
}

/**
 * Finds drachtio-server, FreeSWITCH and sipp for the SIP system tests: binaries on PATH (or
 * DRACHTIO_BIN / FREESWITCH_BIN), else the container images when a Docker engine runs.
 * Whatever is missing is said here in one line each; the tests that need it skip.
 */
export default async function setup(project: TestProject) {
  const drachtioBin = findBinary('drachtio', 'DRACHTIO_BIN');
  const freeswitchBin = findBinary('freeswitch', 'FREESWITCH_BIN');
  const sipp = findBinary('sipp', 'SIPP_BIN');
  const docker = !drachtioBin || !freeswitchBin ? await dockerAvailable() : false;
  const pick = (bin: string | null, image: string): Launch | null => (bin ? { kind: 'binary', path: bin } : docker ? { kind: 'container', image } : null);
  const tools: SipTools = { drachtio: pick(drachtioBin, DRACHTIO_IMAGE), freeswitch: pick(freeswitchBin, FREESWITCH_IMAGE), sipp };
  if (!tools.drachtio) console.log(`[${project.name}] SIP tests skip: no drachtio binary (PATH or DRACHTIO_BIN) and no Docker engine`);
  else if (!sipp) console.log(`[${project.name}] SIP tests skip: no sipp binary (apt-get install sip-tester)`);
  else if (!tools.freeswitch) console.log(`[${project.name}] FreeSWITCH SIP tests skip: no freeswitch binary (PATH or FREESWITCH_BIN) and no Docker engine`);
  project.provide('sipTools', tools);
}
