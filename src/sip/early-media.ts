import type { Logger } from '../shared/logger.ts';
import { sipStatusOf, type Dialog, type SipRequest, type SrfClient } from './srf.ts';

/**
 * Early media for a caller waiting in the queue: a leg to a media server (a FreeSWITCH extension
 * playing ringback or music) offered the caller's SDP; the server's SDP goes to the caller in a
 * 183. The leg goes as soon as an agent answers or the call ends. When the media server cannot be
 * reached the caller keeps the plain ringback (180) they already have.
 */
export class EarlyMedia {
  private readonly srf: SrfClient;
  private readonly uri: string;
  private readonly log: Logger;
  private req: SipRequest | null = null;
  private dialog: Dialog | null = null;
  private stopped = false;

  constructor(srf: SrfClient, uri: string, log: Logger) {
    this.srf = srf;
    this.uri = uri;
    this.log = log;
  }

  /** `onSdp` gets the media server's SDP once (from its 183, or its 200 if it answers). */
  start(offer: string, headers: Record<string, string>, onSdp: (sdp: string) => void): void {
    let sent = false;
    const send = (sdp: string | undefined) => {
      if (sent || this.stopped || !sdp) return;
      sent = true;
      onSdp(sdp);
    };
    this.srf
      .createUAC(
        this.uri,
        { localSdp: offer, headers },
        {
          cbRequest: (_err, req) => {
            this.req = req;
            if (this.stopped) req.cancel(() => {});
          },
          cbProvisional: (res) => {
            if (res.status === 183) send(res.body);
          },
        },
      )
      .then((dialog) => {
        if (this.stopped) return void dialog.destroy().catch(() => {});
        this.dialog = dialog;
        send(dialog.remote.sdp);
      })
      .catch((err: unknown) => {
        if (!this.stopped && sipStatusOf(err) !== 487) this.log.warn({ status: sipStatusOf(err) ?? undefined }, 'media server gave no early media; the caller hears ringback');
      });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.dialog) void this.dialog.destroy().catch(() => {});
    else if (this.req) this.req.cancel(() => {});
  }
}
