import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { definePlugin, defineTask, linearFlow, loadConfig } from '@glance-import/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from './app.js';
import { serviceLogger } from './logger.js';
import { serverSchema } from './options.js';
import { harness, type Harness } from './testing/harness.fixture.js';

/** The top-level keys of a JSON object text, in order, duplicates kept (JSON.parse would hide them). */
function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (depth === 1 && /^\s*:/.test(json.slice(j + 1))) keys.push(JSON.parse(json.slice(i, j + 1)) as string);
      i = j;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return keys;
}

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), logger: serviceLogger('info', stream) };
}

// A plugin that binds the import's keys again, as first-party plugins and authors do.
const chatty = definePlugin({
  getFlow: (ctx) =>
    linearFlow(
      'chatty',
      {},
      defineTask({
        name: 'Chatty',
        execute: () => {
          ctx.logger.child({ plugin: 'chatty', image_id: ctx.imageId, task_id: ctx.taskId }).info({ image_id: ctx.imageId }, 'chatty ran');
        },
      }),
    ),
});

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the service log', () => {
  it('level names, ISO times, one line per request at info with its request id, method, url, status and duration', async () => {
    const log = capture();
    h = await harness({ logger: log.logger });
    const r = await h.req('GET', '/v2/images?limit=5');
    const lines = log.records().filter((l) => l.request_id === r.headers['x-openstack-request-id']);
    expect(lines).toEqual([
      {
        level: 'info',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        pid: process.pid,
        hostname: expect.any(String),
        request_id: r.headers['x-openstack-request-id'],
        method: 'GET',
        url: '/v2/images?limit=5',
        status: 200,
        ms: expect.any(Number),
        msg: 'request',
      },
    ]);
    await h.req('GET', '/healthcheck', { token: null });
    expect(log.records().filter((l) => l.url === '/healthcheck')).toEqual([]);
  });

  it('no key twice in any line, however a plugin binds the import ids again', async () => {
    const log = capture();
    h = await harness({ logger: log.logger, plugins: { chatty }, ini: { image_import_opts: { image_import_plugins: ['chatty'] } } });
    const { id } = (await h.req('POST', '/v2/images', { body: { name: 'x', disk_format: 'raw', container_format: 'bare' } })).json as { id: string };
    await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'abc', headers: { 'content-type': 'application/octet-stream' } });
    await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
    await h.server.runtime.imports.drain();
    const chattyLine = log.lines.find((l) => l.includes('chatty ran'))!;
    expect(topLevelKeys(chattyLine).filter((k) => k === 'image_id')).toEqual(['image_id']);
    expect(JSON.parse(chattyLine)).toMatchObject({
      level: 'info',
      image_id: id,
      plugin: 'chatty',
      request_id: expect.stringMatching(/^req-/),
      task_id: expect.any(String),
    });
    for (const line of log.lines) {
      const keys = topLevelKeys(line);
      expect(
        keys.filter((k, i) => keys.indexOf(k) !== i),
        line,
      ).toEqual([]);
    }
    expect(log.records().map((l) => l.msg)).toEqual(expect.arrayContaining(['Import started', 'Import completed']));
  });

  it('[DEFAULT] debug = true logs at debug; an explicit level (serve --log-level) wins over it', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gi-log-level-'));
    try {
      const config = await loadConfig({ searchFrom: false, overrides: { DEFAULT: { debug: 'true' } }, schema: serverSchema });
      const debug = await createServer({ config, dataDir, logger: {} });
      expect(debug.app.log.level).toBe('debug');
      await debug.close();
      const warn = await createServer({ config, dataDir, logger: {}, logLevel: 'warn' });
      expect(warn.app.log.level).toBe('warn');
      await warn.close();
      const plain = await createServer({ config: await loadConfig({ searchFrom: false, schema: serverSchema }), dataDir, logger: {} });
      expect(plain.app.log.level).toBe('info');
      await plain.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
