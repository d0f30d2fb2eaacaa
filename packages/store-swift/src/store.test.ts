import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FaultyStore, writeToStores } from '@glance-import/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSwiftStore } from './store.js';
import { auth, cuttingRelay, data, forgetToken, group, MB, md5, MiB, newId, readAll, sha512, source, SWIFT, SwiftView } from './swift.fixture.js';

// Against the reference Swift (native API, tempauth). What the store leaves in Swift is looked at
// through Swift itself, never through the store.

const swift = SwiftView.open();
// The second account (tempauth user test2:tester2), for the token test and the references file.
const swift2 = SwiftView.open('test2:tester2', 'testing2');

/** A store on a fresh container; segments of 1 MB above 1 MB unless told otherwise. */
function store(extra: Record<string, unknown> = {}, id = 'objects') {
  const container = swift.container();
  return { container, store: createSwiftStore(id, group(container, { swift_store_large_object_size: 1, swift_store_large_object_chunk_size: 1, ...extra })) };
}

describe('writing', () => {
  it('below the large-object size: one object at swift+config://ref1/<container>/<id>, hashed in the same pass, read back byte for byte', async () => {
    const { container, store: s } = store({ swift_store_large_object_size: 5 });
    const bytes = data(3 * MiB + 17);
    const id = newId();
    const added = await s.add(id, source(bytes), { expectedBytes: bytes.length });
    expect(added).toEqual({
      location: `swift+config://ref1/${container}/${id}`,
      size: bytes.length,
      checksum: md5(bytes),
      hashAlgo: 'sha512',
      hashValue: sha512(bytes),
    });
    expect(await swift.list(container)).toEqual([id]);
    const head = await swift.head(container, id);
    expect([head.status, head.headers.get('x-object-manifest'), head.headers.get('etag')]).toEqual([200, null, md5(bytes)]);
    const { stream, size } = await s.get(added.location);
    expect(size).toBe(bytes.length);
    expect((await readAll(stream)).equals(bytes)).toBe(true);
    expect(await s.exists(added.location)).toBe(true);
  });

  it("above it: segments <id>-00001... of swift_store_large_object_chunk_size (glance_store's MB of 1024000 bytes), then a DLO manifest", async () => {
    const { container, store: s } = store();
    const bytes = data(3 * MB + 1000);
    const id = newId();
    const added = await s.add(id, source(bytes), { expectedBytes: bytes.length });
    expect(added.checksum).toBe(md5(bytes));
    expect(await swift.sizes(container)).toEqual({ [id]: 0, [`${id}-00001`]: MB, [`${id}-00002`]: MB, [`${id}-00003`]: MB, [`${id}-00004`]: 1000 });
    const head = await swift.head(container, id);
    expect([head.status, head.headers.get('x-object-manifest'), head.headers.get('content-length')]).toEqual([
      200,
      `${container}/${id}-`,
      String(bytes.length),
    ]);
    expect((await readAll((await s.get(added.location)).stream)).equals(bytes)).toBe(true);
  });

  it('with the size unknown, writes segments whatever the size, as glance_store does', async () => {
    const { container, store: s } = store({ swift_store_large_object_size: 100 });
    const bytes = data(MB + 5);
    const id = newId();
    await s.add(id, source(bytes));
    expect(await swift.list(container)).toEqual([id, `${id}-00001`, `${id}-00002`]);
  });

  it('writes an empty image as an empty object', async () => {
    const { container, store: s } = store();
    const id = newId();
    const added = await s.add(id, source(Buffer.alloc(0)), { expectedBytes: 0 });
    expect(added).toMatchObject({ size: 0, checksum: md5(Buffer.alloc(0)) });
    expect(await swift.sizes(container)).toEqual({ [id]: 0 });
    expect((await readAll((await s.get(added.location)).stream)).length).toBe(0);
  });

  it('is one of the stores of a fan-out, which passes the size on and hashes once', async () => {
    const { container, store: s } = store();
    const bytes = data(2 * MB);
    const id = newId();
    const out = await writeToStores(source(bytes), [s], id, { expectedBytes: bytes.length });
    expect(out.results).toEqual([{ store: 'objects', ok: true, location: `swift+config://ref1/${container}/${id}` }]);
    expect(out.hashes.checksum).toBe(md5(bytes));
    expect(await swift.list(container)).toEqual([id, `${id}-00001`, `${id}-00002`]);
  });

  it('refuses a second write of the same image with GI_STORE_DUPLICATE before reading a byte', async () => {
    const { store: s } = store();
    const id = newId();
    await s.add(id, source(data(10)));
    let pulled = false;
    const lazy = (async function* () {
      pulled = true;
      yield Buffer.from('x');
    })();
    await expect(s.add(id, lazy)).rejects.toMatchObject({ code: 'GI_STORE_DUPLICATE', status: 409 });
    expect(pulled).toBe(false);
  });

  it('removes segments an earlier write left behind (Swift was away when it failed) before writing', async () => {
    const { container, store: s } = store();
    const id = newId();
    await swift.put(container);
    await swift.put(container, `${id}-00007`, Buffer.from('stale'));
    const bytes = data(2 * MB + 3);
    const added = await s.add(id, source(bytes), { expectedBytes: bytes.length });
    expect(await swift.list(container)).toEqual([id, `${id}-00001`, `${id}-00002`, `${id}-00003`]);
    expect((await readAll((await s.get(added.location)).stream)).equals(bytes)).toBe(true);
  });

  it('with swift_store_multiple_containers_seed, uses <container>_<first N characters of the id>', async () => {
    const { container, store: s } = store({ swift_store_multiple_containers_seed: 3 });
    const id = `ab-c${newId().slice(4)}`;
    const added = await s.add(id, source(data(10)));
    expect(added.location).toBe(`swift+config://ref1/${container}_ab-c/${id}`);
    await swift.drop(`${container}_ab-c`);
  });
});

describe('a write that fails leaves nothing in the container', () => {
  for (const [what, extra] of [
    ['one object', { swift_store_large_object_size: 50 }],
    ['segments', {}],
  ] as const) {
    it(`a store failing mid-write (${what})`, async () => {
      const { container, store: s } = store(extra);
      const faulty = new FaultyStore(s, { afterBytes: 2 * MB + 100 });
      await expect(faulty.add(newId(), source(data(4 * MB)), { expectedBytes: 4 * MB })).rejects.toMatchObject({ code: 'GI_STORE_FULL' });
      expect(await swift.list(container)).toEqual([]);
    });

    it(`an abort (${what})`, async () => {
      const { container, store: s } = store(extra);
      const ctl = new AbortController();
      const bytes = data(4 * MB);
      const adding = s.add(
        newId(),
        source(bytes, {
          offset: 3 * MiB,
          run: async () => {
            ctl.abort(new Error('client went away'));
          },
        }),
        { expectedBytes: bytes.length, signal: ctl.signal },
      );
      await expect(adding).rejects.toMatchObject({ code: 'GI_STORE_ABORTED', message: expect.stringContaining('client went away') });
      expect(await swift.list(container)).toEqual([]);
    });

    it(`data shorter than announced (${what})`, async () => {
      const { container, store: s } = store(extra);
      await expect(s.add(newId(), source(data(3 * MB)), { expectedBytes: 3 * MB + 1 })).rejects.toMatchObject({ code: 'GI_STORE_SIZE_MISMATCH' });
      expect(await swift.list(container)).toEqual([]);
    });
  }
});

describe('reading', () => {
  let s: ReturnType<typeof store>['store'];
  let location: string;
  const bytes = data(3 * MB + 11);
  beforeAll(async () => {
    s = store().store;
    location = (await s.add(newId(), source(bytes), { expectedBytes: bytes.length })).location;
  });
  const range = async (start: number, end?: number) => {
    const { stream, size } = await s.get(location, { start, end });
    return [(await readAll(stream)).equals(bytes.subarray(start, end === undefined ? undefined : end + 1)), size];
  };

  it('serves byte ranges across segment boundaries (end inclusive, cut at the end), with the total size', async () => {
    expect(await range(MB - 5, MB + 5)).toEqual([true, bytes.length]);
    expect(await range(2 * MB)).toEqual([true, bytes.length]);
    expect(await range(bytes.length - 2, bytes.length + 100)).toEqual([true, bytes.length]);
    expect(await range(0, 0)).toEqual([true, bytes.length]);
  });

  it('refuses ranges that cannot be satisfied with GI_STORE_RANGE_NOT_SATISFIABLE (416) and the size', async () => {
    for (const [start, end] of [
      [bytes.length, undefined],
      [5, 4],
      [-1, 3],
    ] as const) {
      await expect(s.get(location, { start, end })).rejects.toMatchObject({
        code: 'GI_STORE_RANGE_NOT_SATISFIABLE',
        status: 416,
        details: { size: bytes.length },
      });
    }
  });

  it('answers GI_STORE_NOT_FOUND (404) for data that is gone, and reads only its own locations', async () => {
    const gone = location.replace(/[^/]+$/, newId());
    await expect(s.get(gone)).rejects.toMatchObject({ code: 'GI_STORE_NOT_FOUND', status: 404 });
    expect(await s.exists(gone)).toBe(false);
    for (const bad of ['file:///etc/passwd', 'swift+config://nope/c/o', 'swift+http://u:secret@host/c/o']) {
      const e = await s.get(bad).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'GI_STORE_BAD_LOCATION' });
      expect(JSON.stringify(e)).not.toContain('secret');
    }
  });

  it('resumes a read that breaks, from the byte it reached, up to swift_store_retry_get_count times', async () => {
    const relay = await cuttingRelay(8080, { afterBytes: MB + 5000, times: 3 });
    try {
      const container = location.split('/')[3]!;
      const through = (retries: number) =>
        createSwiftStore('objects', group(container, { swift_store_endpoint: `${relay.endpoint}/v1/AUTH_test`, swift_store_retry_get_count: retries }));
      const full = await through(2).get(location);
      expect((await readAll(full.stream)).equals(bytes)).toBe(true);
      const part = await through(2).get(location, { start: 100, end: 2 * MB });
      expect((await readAll(part.stream)).equals(bytes.subarray(100, 2 * MB + 1))).toBe(true);
      expect(relay.cuts()).toBe(3);
    } finally {
      await relay.close();
    }
  });

  it('without retries a broken read fails the stream with GI_SWIFT_READ_BROKEN', async () => {
    const relay = await cuttingRelay(8080, { afterBytes: MB, times: 1 });
    try {
      const container = location.split('/')[3]!;
      const once = createSwiftStore('objects', group(container, { swift_store_endpoint: `${relay.endpoint}/v1/AUTH_test` }));
      const { stream } = await once.get(location);
      await expect(readAll(stream)).rejects.toMatchObject({
        code: 'GI_SWIFT_READ_BROKEN',
        message: expect.stringMatching(new RegExp(`broke after \\d+ of ${bytes.length} bytes, 0 retries used`)),
      });
    } finally {
      await relay.close();
    }
  });
});

describe('deleting', () => {
  it('removes the manifest and every segment, leaving the container empty; deleting again is fine', async () => {
    const { container, store: s } = store();
    const added = await s.add(newId(), source(data(3 * MB)));
    expect((await swift.list(container)).length).toBe(4);
    await s.delete(added.location);
    expect(await swift.list(container)).toEqual([]);
    expect(await s.exists(added.location)).toBe(false);
    await expect(s.delete(added.location)).resolves.toBeUndefined();
  });

  it('removes the segments of a Static Large Object too (written by another tool)', async () => {
    const { container, store: s } = store();
    const id = newId();
    await swift.put(container);
    await swift.put(container, `${id}-seg1`, data(MB));
    const manifest = JSON.stringify([{ path: `/${container}/${id}-seg1` }]);
    const res = await swift.req('PUT', `${container}/${id}?multipart-manifest=put`, { body: manifest });
    expect(res.status).toBe(201);
    await s.delete(`swift+config://ref1/${container}/${id}`);
    expect(await swift.list(container)).toEqual([]);
  });
});

describe('tokens', () => {
  it('are cached, and renewed on a 401 without failing a write (memcached forgot them)', async () => {
    const container = swift2.container();
    const s = createSwiftStore(
      'objects',
      group(container, {
        swift_store_user: 'test2:tester2',
        swift_store_key: 'testing2',
        swift_store_large_object_size: 1,
        swift_store_large_object_chunk_size: 1,
      }),
    );
    await s.check!();
    const before = (await auth('test2:tester2', 'testing2')).token; // tempauth hands out the cached token
    const bytes = data(4 * MB);
    const added = await s.add(newId(), source(bytes, { offset: 2 * MiB, run: () => forgetToken(before) }), { expectedBytes: bytes.length });
    const after = (await auth('test2:tester2', 'testing2')).token;
    expect(after).not.toBe(before);
    expect((await readAll((await s.get(added.location)).stream)).equals(bytes)).toBe(true);
    await s.delete(added.location);
  });
});

describe('check() and bad settings: the store and the option are named, credentials never', () => {
  const secrets = ['testing', 'wrong-key', 'test:tester', 'wrongs:user'];
  const noSecret = (e: unknown) => {
    const all = JSON.stringify(e) + String((e as Error).message) + String((e as { hint?: string }).hint);
    for (const value of secrets) expect(all).not.toContain(value);
  };

  it('passes for a usable store', async () => {
    const container = swift.container();
    await swift.put(container);
    await expect(createSwiftStore('objects', group(container, { swift_store_create_container_on_put: false })).check!()).resolves.toBeUndefined();
  });

  it('wrong credentials: GI_SWIFT_AUTH_FAILED naming swift_store_user / swift_store_key', async () => {
    const e = await createSwiftStore('objects', group('x', { swift_store_user: 'wrongs:user', swift_store_key: 'wrong-key' })).check!().catch(
      (x: unknown) => x,
    );
    expect(e).toMatchObject({
      code: 'GI_SWIFT_AUTH_FAILED',
      status: 503,
      message: `Store 'objects' (swift): ${SWIFT.auth} refused the credentials (HTTP 401).`,
      hint: 'Check swift_store_user / swift_store_key; the values are not shown.',
    });
    noSecret(e);
  });

  it('an endpoint nothing listens on: GI_SWIFT_UNREACHABLE naming swift_store_auth_address', async () => {
    const e = await createSwiftStore('objects', group('x', { swift_store_auth_address: 'http://127.0.0.1:9/auth/v1.0' })).check!().catch((x: unknown) => x);
    expect(e).toMatchObject({
      code: 'GI_SWIFT_UNREACHABLE',
      message: "Store 'objects' (swift): cannot reach http://127.0.0.1:9/auth/v1.0 (swift_store_auth_address): ECONNREFUSED.",
    });
    noSecret(e);
  });

  it('a missing container without create-on-put: GI_SWIFT_NO_CONTAINER at check() and at a write, naming swift_store_create_container_on_put', async () => {
    const container = swift.container();
    const s = createSwiftStore('objects', group(container, { swift_store_create_container_on_put: false }));
    const expected = {
      code: 'GI_SWIFT_NO_CONTAINER',
      message: `Store 'objects' (swift): the container ${container} does not exist in Swift.`,
      hint: expect.stringContaining('swift_store_create_container_on_put = true in [objects]'),
    };
    await expect(s.check!()).rejects.toMatchObject(expected);
    await expect(s.add(newId(), source(data(10)))).rejects.toMatchObject(expected);
    expect((await swift.head(container)).status).toBe(404);
    // With create-on-put, check() passes and the first write creates it.
    const creating = createSwiftStore('objects', group(container));
    await creating.check!();
    await creating.add(newId(), source(data(10)));
    expect((await swift.head(container)).status).toBe(204);
  });

  it('a user without rights on the account: GI_SWIFT_DENIED', async () => {
    const s = createSwiftStore('objects', group(swift.container(), { swift_store_user: 'test:tester3', swift_store_key: 'testing3' }));
    await expect(s.add(newId(), source(data(10)))).rejects.toMatchObject({
      code: 'GI_SWIFT_DENIED',
      message: expect.stringMatching(/Swift denied HEAD container .* \(HTTP 403\)/),
    });
  });

  it('options: missing ones, Keystone v2 and multi-tenant are refused up front', () => {
    const build = (o: Record<string, unknown>) => () => createSwiftStore('objects', o);
    expect(build({ swift_store_user: 'a:b', swift_store_key: 'k' })).toThrow(
      expect.objectContaining({
        code: 'GI_SWIFT_BAD_OPTIONS',
        message: "Store 'objects' (swift): swift_store_auth_address is required (or give the accounts in swift_store_config_file).",
      }),
    );
    expect(build({ ...group('c'), swift_store_key: '' })).toThrow(
      expect.objectContaining({ message: "Store 'objects' (swift): swift_store_key is required." }),
    );
    expect(build({ ...group('c'), swift_store_auth_version: '2' })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('swift_store_auth_version is 2, but Keystone v2 no longer exists') }),
    );
    expect(build({ ...group('c'), swift_store_multi_tenant: 'true' })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('swift_store_multi_tenant is not supported') }),
    );
    expect(build({ ...group('c'), swift_store_auth_version: '3', swift_store_user: 'nocolon' })).toThrow(
      expect.objectContaining({ message: "Store 'objects' (swift): swift_store_user must be <project>:<user> with Keystone v3." }),
    );
    expect(build({ ...group('c'), swift_store_contianer: 'x' })).toThrow(
      expect.objectContaining({ code: 'GI_STORE_BAD_OPTIONS', message: expect.stringContaining("did you mean 'swift_store_container'") }),
    );
  });
});

describe('a swift references file (swift_store_config_file)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gi-swift-refs-'));
  const file = path.join(dir, 'glance-swift.conf');
  writeFileSync(
    file,
    [
      '[ref1]',
      `auth_address = ${SWIFT.auth}`,
      'user = test:tester',
      'key = testing',
      'auth_version = 1',
      '',
      '[other]',
      `auth_address = ${SWIFT.auth}`,
      'user = test2:tester2',
      "key = 'testing2'",
      'auth_version = 1',
      '',
    ].join('\n'),
  );

  it('writes with default_swift_reference and reads each location with the account its reference names', async () => {
    const container = swift2.container();
    const refs = (ref: string) =>
      createSwiftStore('objects', {
        swift_store_config_file: file,
        default_swift_reference: ref,
        swift_store_container: container,
        swift_store_create_container_on_put: true,
      });
    const inOther = await refs('other').add(newId(), source(Buffer.from('in test2')));
    expect(inOther.location).toMatch(new RegExp(`^swift\\+config://other/${container}/`));
    // The default store reads a location of the other account, with that account's credentials.
    expect((await readAll((await refs('ref1').get(inOther.location)).stream)).toString()).toBe('in test2');
    expect(await swift.list(container)).toEqual([]); // not in test's account
    expect((await swift2.list(container)).length).toBe(2); // the size unknown: a manifest and its one segment
    await refs('ref1').delete(inOther.location);
    expect(await swift2.list(container)).toEqual([]);
  });

  it('refuses a default_swift_reference the file does not hold, and a file it cannot use', () => {
    expect(() => createSwiftStore('objects', { swift_store_config_file: file, default_swift_reference: 'ref9' })).toThrow(
      expect.objectContaining({
        code: 'GI_SWIFT_BAD_OPTIONS',
        message: `Store 'objects' (swift): default_swift_reference names 'ref9', which ${file} does not hold (it has [ref1], [other]).`,
      }),
    );
    const broken = path.join(dir, 'broken.conf');
    writeFileSync(broken, '[ref1]\nauth_address = http://x\nkey testing\n');
    const e = (() => {
      try {
        createSwiftStore('objects', { swift_store_config_file: broken });
      } catch (x) {
        return x;
      }
    })();
    expect(e).toMatchObject({
      code: 'GI_SWIFT_CONFIG_FILE',
      message: `Store 'objects' (swift): the swift references file '${broken}' (swift_store_config_file) is not an INI file (line 3).`,
    });
    expect(JSON.stringify(e)).not.toContain('testing');
    expect(() => createSwiftStore('objects', { swift_store_config_file: path.join(dir, 'none.conf') })).toThrow(
      expect.objectContaining({ code: 'GI_SWIFT_CONFIG_FILE', message: expect.stringContaining('cannot be read (ENOENT)') }),
    );
  });
});
