import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { serve, type RunningServer } from './glance-server.js';

/** A port the OS says is free now, for a process that must know its own URL before it starts. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** One node of a cluster: its name, port, data dir, and its own config file naming its URL. */
export interface ClusterNode {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly dataDir: string;
  /** The running `serve`, once started. */
  server: RunningServer | undefined;
  start(): Promise<RunningServer>;
}

/**
 * Nodes of one service: every node reads the `shared` config files, then a file of its own. With
 * `selfReference`, that file sets `[DEFAULT] worker_self_reference_url` to the node's URL, so the
 * node records itself as the stage host of what it stages.
 */
export async function clusterNodes(dir: string, names: readonly string[], o: { shared: readonly string[]; selfReference: boolean }): Promise<ClusterNode[]> {
  return Promise.all(
    names.map(async (name) => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const own = path.join(dir, `node-${name}.conf`);
      writeFileSync(own, o.selfReference ? `[DEFAULT]\nworker_self_reference_url = ${url}\n` : '[DEFAULT]\n');
      const dataDir = path.join(dir, `node-${name}`);
      const args = [...o.shared.flatMap((c) => ['--config-file', c]), '--config-file', own, '--port', String(port)];
      const node: ClusterNode = {
        name,
        port,
        url,
        dataDir,
        server: undefined,
        async start() {
          node.server = await serve(dataDir, args);
          return node.server;
        },
      };
      return node;
    }),
  );
}
