import net, { type Socket } from 'node:net';

/** What one path of a source answers: raw bytes on the socket, so it can also break HTTP's rules. */
export type Reply = (socket: Socket) => void;

/** A web-download source on 127.0.0.1, in the test process, answering each path with its reply. */
export interface WebSource {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** Paths requested, in order. */
  readonly requests: string[];
  /** Sockets still open (a held or stalled reply keeps its socket until the client goes). */
  openSockets(): number;
  close(): Promise<void>;
}

const head = (status: string, headers: Record<string, string | number>) =>
  `HTTP/1.1 ${status}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}Connection: close\r\n\r\n`;

/** Replies for the failures and successes web-download has to tell apart. */
export const reply = {
  /** 200 with the data, framed by Content-Length, or chunked. */
  bytes:
    (data: Buffer, o: { chunked?: boolean } = {}): Reply =>
    (s) => {
      if (!o.chunked) {
        s.end(Buffer.concat([Buffer.from(head('200 OK', { 'Content-Length': data.length, 'Content-Type': 'application/octet-stream' })), data]));
        return;
      }
      s.write(head('200 OK', { 'Transfer-Encoding': 'chunked', 'Content-Type': 'application/octet-stream' }));
      for (let i = 0; i < data.length; i += 65_536) {
        const part = data.subarray(i, i + 65_536);
        s.write(`${part.length.toString(16)}\r\n`);
        s.write(part);
        s.write('\r\n');
      }
      s.end('0\r\n\r\n');
    },
  /** An answer without an image: 404 and the like. */
  status:
    (status: string): Reply =>
    (s) =>
      s.end(head(status, { 'Content-Length': 9, 'Content-Type': 'text/plain' }) + 'no image\n'),
  redirect:
    (location: string): Reply =>
    (s) =>
      s.end(head('302 Found', { Location: location, 'Content-Length': 0 })),
  /** Announces `declared` bytes, sends `sent` of them, then closes (fewer) or sends past them (more, when sent > declared). */
  framed:
    (declared: number, sent: number): Reply =>
    (s) =>
      s.end(Buffer.concat([Buffer.from(head('200 OK', { 'Content-Length': declared })), Buffer.alloc(sent, 0x61)])),
  /** Announces `declared` bytes, sends `sent` of them and then nothing, keeping the connection open (a stalled source). */
  stall:
    (declared: number, sent: number): Reply =>
    (s) =>
      s.write(Buffer.concat([Buffer.from(head('200 OK', { 'Content-Length': declared })), Buffer.alloc(sent, 0x62)])),
};

/** Start a source: `routes` maps a request path to its reply; any other path answers 404. */
export function webSource(routes: Record<string, Reply>): Promise<WebSource> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    let got = '';
    const onData = (d: Buffer) => {
      got += d.toString('latin1');
      if (!got.includes('\r\n\r\n')) return;
      s.off('data', onData);
      const path = got.split(' ')[1] ?? '';
      requests.push(path);
      (routes[path] ?? reply.status('404 Not Found'))(s);
    };
    s.on('data', onData);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        requests,
        openSockets: () => sockets.size,
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
