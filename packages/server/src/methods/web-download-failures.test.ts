import { describe, expect, it } from 'vitest';
import { rawSource, source } from '../testing/http-sources.fixture.js';
import { expectCleanFailure, filteringOff, importWeb, newImage, webImportTests } from '../testing/web-import.fixture.js';

const t = webImportTests();

describe('web-download: failures in the task leave the image queued, unlocked, with nothing staged', () => {
  it('a redirect to a refused host (Glance test_web_download_redirect_validation)', async () => {
    const src = await t.serve(source((_req, res) => res.writeHead(302, { location: `http://127.0.0.2:${src.port}/` }).end()));
    const h = await t.harness({ ini: filteringOff({ disallowed_hosts: ['127.0.0.2'] }) });
    const id = await newImage(h);
    expect((await importWeb(h, id, `${src.url}/`)).status).toBe(202);
    const task = await expectCleanFailure(h, id, /^Redirect to disallowed URL: http:\/\/127\.0\.0\.2:\d+\/ \(host '127\.0\.0\.2' is in disallowed_hosts\)$/);
    expect(task).toMatchObject({ result: null, error_code: 'GI_METHOD_REDIRECT_REFUSED' });
  });

  it('too many redirects', async () => {
    const src = await t.serve(source((_req, res) => res.writeHead(307, { location: '/again' }).end()));
    const h = await t.harness({ ini: filteringOff({ max_redirects: 2 }) });
    const id = await newImage(h);
    await importWeb(h, id, `${src.url}/start`);
    await expectCleanFailure(h, id, /redirected more than max_redirects \(2\) times/);
    expect(src.requests).toHaveLength(3);
  });

  it('a 404 source', async () => {
    const src = await t.serve(source((_req, res) => res.writeHead(404).end('no such image')));
    const h = await t.harness({ ini: filteringOff() });
    const id = await newImage(h);
    await importWeb(h, id, `${src.url}/missing.img`);
    await expectCleanFailure(h, id, /failed: the source answered HTTP 404 Not Found\.$/);
  });

  it('a source that stalls mid-body (read_timeout)', async () => {
    const src = await t.serve(rawSource((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(5000))));
    const h = await t.harness({ ini: filteringOff({ read_timeout: 1 }) });
    const id = await newImage(h);
    await importWeb(h, id, `${src.url}/slow.img`);
    const task = await expectCleanFailure(h, id, /the source sent nothing for 1 s/);
    expect(task).toMatchObject({ result: null, error_code: 'GI_METHOD_DOWNLOAD_TIMEOUT' });
  });

  it('a source that accepts but never completes the TLS handshake (connect_timeout)', async () => {
    const src = await t.serve(rawSource(() => {}));
    const h = await t.harness({ ini: filteringOff({ connect_timeout: 1 }) });
    const id = await newImage(h);
    await importWeb(h, id, `https://127.0.0.1:${src.port}/x.img`);
    await expectCleanFailure(h, id, /no connection within 1 s/);
  });

  it('fewer bytes than Content-Length', async () => {
    const src = await t.serve(rawSource((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n' + 'y'.repeat(60))));
    const h = await t.harness({ ini: filteringOff() });
    const id = await newImage(h);
    await importWeb(h, id, `${src.url}/short.img`);
    await expectCleanFailure(h, id, /the connection closed after 60 of the 100 bytes announced by Content-Length/);
  });

  it('more bytes than Content-Length', async () => {
    const src = await t.serve(rawSource((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n' + 'z'.repeat(25))));
    const h = await t.harness({ ini: filteringOff() });
    const id = await newImage(h);
    await importWeb(h, id, `${src.url}/long.img`);
    await expectCleanFailure(h, id, /the source sent more than the 10 bytes announced by Content-Length/);
  });

  it('a body over image_size_cap: without Content-Length while streaming, with it before reading', async () => {
    const src = await t.serve(
      source((req, res) => {
        if (req.url === '/sized') res.writeHead(200, { 'content-length': 4096 }).end(Buffer.alloc(4096));
        else {
          res.writeHead(200);
          res.write(Buffer.alloc(3000));
          res.end(Buffer.alloc(3000));
        }
      }),
    );
    const h = await t.harness({ ini: { ...filteringOff(), DEFAULT: { image_size_cap: '4000' } } });
    for (const path of ['/chunked', '/sized']) {
      const id = await newImage(h);
      await importWeb(h, id, `${src.url}${path}`);
      const task = await expectCleanFailure(h, id, /too large: it passed the limit of 4000 bytes/);
      expect(task).toMatchObject({ result: null, error_code: 'GI_STORE_TOO_LARGE' });
    }
  });
});
