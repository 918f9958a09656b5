import { connect, type Socket } from 'node:net';

interface EslMessage {
  headers: Record<string, string>;
  body: string;
}

/**
 * A small FreeSWITCH event socket client: authenticate, send `api` / `bgapi` commands, read the
 * replies in order. Enough for tests to originate calls and hang them up.
 */
export class Esl {
  private readonly socket: Socket;
  private buffer = Buffer.alloc(0);
  private readonly waiting: Array<(m: EslMessage) => void> = [];
  private readonly queued: EslMessage[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.parse();
    });
  }

  static async connect(host: string, port: number, password: string): Promise<Esl> {
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const esl = new Esl(socket);
    await esl.next(); // auth/request
    const reply = await esl.send(`auth ${password}`);
    if (!reply.headers['Reply-Text']?.startsWith('+OK')) throw new Error(`event socket refused the password: ${reply.headers['Reply-Text']}`);
    return esl;
  }

  private parse() {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end < 0) return;
      const headers: Record<string, string> = {};
      for (const line of this.buffer.subarray(0, end).toString().split('\n')) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim()] = decodeURIComponent(line.slice(i + 1).trim());
      }
      const length = Number(headers['Content-Length'] ?? 0);
      if (this.buffer.length < end + 2 + length) return;
      const body = this.buffer.subarray(end + 2, end + 2 + length).toString();
      this.buffer = this.buffer.subarray(end + 2 + length);
      const msg = { headers, body };
      const w = this.waiting.shift();
      if (w) w(msg);
      else this.queued.push(msg);
    }
  }

  private next(): Promise<EslMessage> {
    const q = this.queued.shift();
    if (q) return Promise.resolve(q);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async send(command: string): Promise<EslMessage> {
    const reply = this.next();
    this.socket.write(`${command}\n\n`);
    return reply;
  }

  /** Runs an API command and returns its text output. */
  async api(command: string): Promise<string> {
    return (await this.send(`api ${command}`)).body;
  }

  /** Runs an API command in the background (originate returns at once). */
  async bgapi(command: string): Promise<string> {
    const r = await this.send(`bgapi ${command}`);
    return r.headers['Reply-Text'] ?? '';
  }

  close(): void {
    this.socket.destroy();
  }
}
