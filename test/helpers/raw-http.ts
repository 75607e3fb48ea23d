import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  /** The status of the first response, or 0 when none came. */
  readonly status: number;
  readonly headers: Record<string, string>;
  /** The first response's body, parsed as JSON when it is. */
  readonly body: any;
  /** Everything the server sent. */
  readonly text: string;
  /** The server closed the connection before `waitMs`. */
  readonly closed: boolean;
  /** Milliseconds from connecting to the close (or to giving up). */
  readonly ms: number;
}

/**
 * Opens a TCP connection to an otpd URL, lets `drive` write whatever it likes (bytes Node's own
 * clients refuse to send, or nothing at all), and collects what comes back until the server closes
 * the connection or `waitMs` passes.
 */
export function rawExchange(url: string, drive: string | ((s: Socket) => void), waitMs = 5000): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const t0 = Date.now();
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parse(Buffer.concat(chunks).toString('latin1'), closed, Date.now() - t0));
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => {});
    socket.on('close', () => finish(true));
    socket.on('connect', () => (typeof drive === 'string' ? socket.write(drive) : drive(socket)));
  });
}

function parse(text: string, closed: boolean, ms: number): RawAnswer {
  const end = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = (end === -1 ? '' : text.slice(0, end)).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const raw = end === -1 ? '' : text.slice(end + 4, end + 4 + length);
  let body: unknown = raw;
  try {
    body = raw ? JSON.parse(raw) : null;
  } catch {
    /* keep the text */
  }
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body, text, closed, ms };
}
