import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type Socket } from 'node:net';

/** A local server that web-download tests import from, on 127.0.0.1 only. */
export interface Source {
  url: string;
  port: number;
  /** Requests seen, in order. */
  requests: Array<{ url: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

function listen(server: net.Server, sockets: Set<Socket>, requests: Source['requests']): Promise<Source> {
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        requests,
        // Stalled sources hold their sockets open; close them so the test ends.
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** An HTTP server answering with `handler`. */
export function source(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Source> {
  const requests: Source['requests'] = [];
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  return listen(server, new Set(), requests);
}

/** A TCP server that answers each request's first bytes (`request`) with `answer`: for responses HTTP servers refuse to send. */
export function rawSource(answer: (socket: Socket, request: string) => void): Promise<Source> {
  const requests: Source['requests'] = [];
  const server = net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', (d: Buffer) => {
      const request = d.toString('latin1');
      requests.push({ url: request.split(' ')[1] ?? '', headers: {} });
      answer(s, request);
    });
  });
  return listen(server, new Set(), requests);
}

/** Sources a test file opens, closed together after each test. */
export function sourcePool() {
  const open: Source[] = [];
  return {
    async serve(starting: Promise<Source>): Promise<Source> {
      const src = await starting;
      open.push(src);
      return src;
    },
    closeAll: async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    },
  };
}
