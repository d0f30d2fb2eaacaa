import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { source } from '../testing/http-sources.fixture.js';
import { expectCleanFailure, filteringOff, importWeb, newImage, staged, waitTask, webImportTests } from '../testing/web-import.fixture.js';
import type { Resolver } from './uri-filter.js';

const t = webImportTests();

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('hex');
const data = Buffer.alloc(2 * 1024 * 1024 + 5, 3).fill(9, 1000, 5000);

describe('web-download: success', () => {
  it('streams the source into staging; the image becomes active with the hashes of the source; staging is emptied', async () => {
    const src = await t.serve(source((_req, res) => res.writeHead(200, { 'content-length': data.length }).end(data)));
    const h = await t.harness({ ini: filteringOff({ allowed_ports: [src.port] }) });
    const id = await newImage(h);
    expect((await importWeb(h, id, `${src.url}/cirros.img`)).status).toBe(202);
    const task = await waitTask(h, id);
    expect(task.status).toBe('success');
    const img = (await h.req('GET', `/v2/images/${id}`)).json;
    expect(img).toMatchObject({ status: 'active', size: data.length, checksum: md5(data), os_hash_algo: 'sha512', os_hash_value: sha512(data) });
    expect(img.os_glance_import_task).toBeUndefined();
    expect(staged(h, id)).toEqual([]);
    expect(src.requests.map((r) => r.url)).toEqual(['/cirros.img']);
    const full = (await h.req('GET', `/v2/images/${id}/tasks`)).json.tasks[0];
    expect(full.progress.phases.map((p: { phase: string }) => p.phase)).toEqual([
      'ImageLock',
      'WebDownload',
      'VerifyStaging',
      'Inspect-staged',
      'ImportToStore',
      'DeleteFromStaging',
      'CompleteTask',
    ]);
    expect(full.progress.phases[1]).toMatchObject({ phase: 'WebDownload', bytes: data.length });
  });

  it('follows redirects within max_redirects, filtering each; a chunked body (no Content-Length) is fine', async () => {
    const src = await t.serve(
      source((req, res) => {
        if (req.url === '/a') res.writeHead(302, { location: '/b' }).end();
        else if (req.url === '/b') res.writeHead(301, { location: `${src.url}/image` }).end();
        else {
          res.writeHead(200);
          res.write(data.subarray(0, 1000));
          res.end(data.subarray(1000));
        }
      }),
    );
    const h = await t.harness({ ini: filteringOff({ max_redirects: 2 }) });
    const id = await newImage(h);
    expect((await importWeb(h, id, `${src.url}/a`)).status).toBe(202);
    expect((await waitTask(h, id)).status).toBe('success');
    expect((await h.req('GET', `/v2/images/${id}`)).json).toMatchObject({ status: 'active', checksum: md5(data) });
    expect(src.requests.map((r) => r.url)).toEqual(['/a', '/b', '/image']);
  });
});

describe('web-download: DNS pinning', () => {
  it('connects to the address the filter checked, with the name in Host; DNS is asked once per check', async () => {
    const src = await t.serve(source((_req, res) => res.end('pinned')));
    const asked: string[] = [];
    const resolve: Resolver = async (name) => {
      asked.push(name);
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const h = await t.harness({ ini: filteringOff(), resolve });
    const id = await newImage(h);
    expect((await importWeb(h, id, `http://images.example.test:${src.port}/x.img`)).status).toBe(202);
    expect((await waitTask(h, id)).status).toBe('success');
    expect(src.requests[0]!.headers.host).toBe(`images.example.test:${src.port}`);
    expect(asked).toEqual(['images.example.test', 'images.example.test']);
  });

  it('a name that rebinds to a refused address between the call and the download fails the task, never connecting', async () => {
    const src = await t.serve(source((_req, res) => res.end('x')));
    const answers = ['127.0.0.1', '10.9.9.9'];
    const resolve: Resolver = async () => [{ address: answers.shift() ?? '10.9.9.9', family: 4 }];
    const h = await t.harness({ ini: filteringOff({ disallowed_hosts: ['10.9.9.9'] }), resolve });
    const id = await newImage(h);
    expect((await importWeb(h, id, `http://images.example.test:${src.port}/x.img`)).status).toBe(202);
    await expectCleanFailure(h, id, /no longer passes filtering: host 'images.example.test' resolves to an address in disallowed_hosts/);
    expect(src.requests).toEqual([]);
  });
});
