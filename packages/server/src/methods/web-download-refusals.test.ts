import { afterEach, describe, expect, it } from 'vitest';
import { filteringOff, importWeb, newImage, webImportTests } from '../testing/web-import.fixture.js';
import type { Resolver } from './uri-filter.js';

const t = webImportTests();
// A test plays DNS by setting this; the servers of the others resolve names for real.
let resolve: Resolver | undefined;
afterEach(() => {
  resolve = undefined;
});

describe('web-download: refused at the import call (400, nothing started)', () => {
  async function expect400(uri: string | undefined, ini: Record<string, Record<string, unknown>>) {
    const h = await t.harness({ ini, ...(resolve ? { resolve } : {}) });
    const id = await newImage(h);
    const r = await importWeb(h, id, uri);
    expect(r.status, uri).toBe(400);
    expect(r.text).toContain(`URI for web-download does not pass filtering: ${uri ?? ''}`);
    expect(r.headers['x-glance-import-error-code']).toBe('GI_METHOD_URI_FILTERED');
    expect((await h.req('GET', `/v2/images/${id}`)).json.status).toBe('queued');
    expect((await h.req('GET', `/v2/images/${id}/tasks`)).json.tasks).toEqual([]);
    return r;
  }

  it('loopback without the operator opt-in, whatever the lists say; the reason is in the hint', async () => {
    const r = await expect400('http://127.0.0.1:8080/x.img', { import_filtering_opts: { allowed_ports: [8080], allowed_hosts: ['127.0.0.1'] } });
    expect(r.text).toContain('node-local address (loopback)');
    await expect400('http://[::1]:8080/x.img', { import_filtering_opts: { allowed_ports: [] } });
  });

  it('each filtering rule: missing URI, scheme, host allow/deny, port allow/deny', async () => {
    await expect400(undefined, filteringOff());
    await expect400('ftp://127.0.0.1/x.img', filteringOff());
    await expect400('gopher://127.0.0.1/x.img', filteringOff({ allowed_schemes: [], disallowed_schemes: ['gopher'] }));
    await expect400('http://127.0.0.1/x.img', filteringOff({ allowed_hosts: ['images.example.org'] }));
    await expect400('http://127.0.0.1/x.img', filteringOff({ disallowed_hosts: ['127.0.0.1'] }));
    await expect400('http://127.0.0.1:8080/x.img', filteringOff({ allowed_ports: [80, 443] }));
    await expect400('http://127.0.0.1:8080/x.img', filteringOff({ allowed_ports: [], disallowed_ports: [8080] }));
  });

  it('IP-encoding tricks (Glance test_web_download_ip_normalization)', async () => {
    for (const uri of ['http://2130706433:80/', 'http://017700000001:80/', 'http://0177.0.0.01:80/', 'http://127.1/', 'http://0x7f000001/']) {
      await expect400(uri, { import_filtering_opts: { allowed_ports: [80], disallowed_hosts: ['127.0.0.1'] } });
    }
  });

  it('a name that resolves to a refused address', async () => {
    resolve = async () => [{ address: '169.254.169.254', family: 4 }];
    const r = await expect400('http://metadata.example.test/latest', {});
    expect(r.text).toContain('link-local');
  });

  it("409 \"Image needs to be in 'queued' state to use 'web-download' method\"", async () => {
    const h = await t.harness({ ini: filteringOff() });
    const id = await newImage(h);
    await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'abc', headers: { 'content-type': 'application/octet-stream' } });
    const r = await importWeb(h, id, 'http://127.0.0.1/x.img');
    expect(r.status).toBe(409);
    expect(r.text).toContain("Image needs to be in 'queued' state to use 'web-download' method");
  });
});
