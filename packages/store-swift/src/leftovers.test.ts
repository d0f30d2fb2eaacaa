import { parseStoreOptions } from '@glance-import/store';
import { describe, expect, it } from 'vitest';
import { Transport } from './http.js';
import { sweepSegments } from './leftovers.js';
import { swiftOptions } from './options.js';
import { SwiftSession } from './session.js';
import { swiftSettings } from './settings.js';
import { createSwiftStore } from './store.js';
import { data, group, MB, MiB, newId, readAll, source, SwiftView } from './swift.fixture.js';

// What a crash leaves in Swift, and how the store clears it: against the reference Swift. A killed
// writer leaves the segments it had PUT and no manifest (the manifest is its last request); those
// are written here straight to Swift, as the killed process would have.

const swift = SwiftView.open();

function store(extra: Record<string, unknown> = {}) {
  const container = swift.container('gi-swift-leftovers');
  return {
    container,
    store: createSwiftStore('objects', group(container, { swift_store_large_object_size: 1, swift_store_large_object_chunk_size: 1, ...extra })),
  };
}

/** Segments 1..n of `id`, as a writer killed after its n-th segment leaves them. */
async function killedWrite(container: string, id: string, n: number): Promise<string[]> {
  await swift.put(container);
  const names = Array.from({ length: n }, (_, i) => `${id}-${String(i + 1).padStart(5, '0')}`);
  for (const name of names) await swift.put(container, name, data(1000));
  return names;
}

describe('discard', () => {
  it('removes the segments a killed write left; the same write then succeeds', async () => {
    const { container, store: s } = store();
    const id = newId();
    const other = newId();
    const left = await killedWrite(container, id, 3);
    const kept = await killedWrite(container, other, 1);
    expect((await s.discard!(id)).sort()).toEqual(left.map((n) => `${container}/${n}`));
    expect(await swift.list(container)).toEqual(kept);
    expect(await s.discard!(id)).toEqual([]);
    const bytes = data(2 * MB + 5);
    const added = await s.add(id, source(bytes), { expectedBytes: bytes.length });
    expect((await readAll((await s.get(added.location)).stream)).equals(bytes)).toBe(true);
  });

  it('removes a complete object no location records yet (a crash after its manifest), so the write can run again', async () => {
    const { container, store: s } = store();
    const id = newId();
    await s.add(id, source(data(2 * MB)), { expectedBytes: 2 * MB });
    await expect(s.add(id, source(data(10)))).rejects.toMatchObject({ code: 'GI_STORE_DUPLICATE' });
    expect(await s.discard!(id)).toEqual([id, `${id}-00001`, `${id}-00002`].map((n) => `${container}/${n}`));
    expect(await swift.list(container)).toEqual([]);
    const bytes = data(10);
    await s.add(id, source(bytes), { expectedBytes: bytes.length });
    expect(await swift.list(container)).toEqual([id]);
  });

  it('after an abort mid-write there is nothing to discard', async () => {
    const { container, store: s } = store();
    const id = newId();
    const ctl = new AbortController();
    const adding = s.add(id, source(data(4 * MB), { offset: 3 * MiB, run: async () => ctl.abort() }), { expectedBytes: 4 * MB, signal: ctl.signal });
    await expect(adding).rejects.toMatchObject({ code: 'GI_STORE_ABORTED' });
    expect(await s.discard!(id)).toEqual([]);
    expect(await swift.list(container)).toEqual([]);
  });

  it('finds the image in its seeded container; a missing container holds nothing', async () => {
    const { container, store: s } = store({ swift_store_multiple_containers_seed: 2 });
    const id = `ab${newId().slice(2)}`;
    expect(await s.discard!(id)).toEqual([]);
    const left = await killedWrite(`${container}_ab`, id, 2);
    expect(await s.discard!(id)).toEqual(left.map((n) => `${container}_ab/${n}`));
    expect(await swift.list(`${container}_ab`)).toEqual([]);
  });

  it('refuses an image id that is no object name', async () => {
    await expect(store().store.discard!('a/b')).rejects.toMatchObject({ code: 'GI_STORE_BAD_IMAGE_ID' });
  });
});

describe('sweepPartials', () => {
  it("removes the segments of images no import writes, never a complete image's or a kept one's", async () => {
    const { container, store: s } = store();
    const [orphan, writing, done, unrecorded] = [newId(), newId(), newId(), newId()];
    await killedWrite(container, orphan, 3);
    const live = await killedWrite(container, writing, 2);
    const complete = [done, unrecorded];
    for (const id of complete) await s.add(id, source(data(2 * MB)), { expectedBytes: 2 * MB });
    await swift.put(container, 'notes-00001', Buffer.from('not an image'));
    const before = await swift.list(container);
    const asked: string[] = [];
    const removed = await s.sweepPartials!(async (id) => (asked.push(id), id === writing));
    expect(removed.sort()).toEqual([1, 2, 3].map((n) => `${container}/${orphan}-0000${n}`));
    // Asked once per image whose segments have no object; complete images are not even asked about.
    expect(asked.sort()).toEqual([orphan, writing].sort());
    expect(await swift.list(container)).toEqual(before.filter((n) => !n.startsWith(orphan)));
    expect(await s.sweepPartials!(async () => false)).toEqual(live.map((n) => `${container}/${n}`));
    expect(await swift.list(container)).toEqual([...complete.flatMap((id) => [id, `${id}-00001`, `${id}-00002`]), 'notes-00001'].sort());
  });

  it('with a seed, sweeps every container of the store and no other', async () => {
    const { container, store: s } = store({ swift_store_multiple_containers_seed: 1 });
    const a = `a${newId().slice(1)}`;
    const b = `b${newId().slice(1)}`;
    await killedWrite(`${container}_a`, a, 1);
    await killedWrite(`${container}_b`, b, 2);
    const foreign = `${container}x_a`;
    await killedWrite(foreign, a, 1);
    expect((await s.sweepPartials!(async () => false)).sort()).toEqual([`${container}_a/${a}-00001`, `${container}_b/${b}-00001`, `${container}_b/${b}-00002`]);
    expect(await swift.list(foreign)).toEqual([`${a}-00001`]);
  });
});

describe('sweepSegments', () => {
  it("pages through the listing: an image's segments and its object on different pages are still one image", async () => {
    const { container, store: s } = store();
    const settings = swiftSettings('objects', parseStoreOptions('objects', swiftOptions, group(container)));
    const session = new SwiftSession(new Transport(settings.tls), settings.references.get(settings.defaultReference)!, settings.access);
    const [orphan, done] = [newId(), newId()].sort();
    const left = await killedWrite(container, orphan!, 5);
    await s.add(done!, source(data(3 * MB)), { expectedBytes: 3 * MB });
    const before = await swift.list(container);
    for (const pageSize of [1, 2, 3]) {
      const removed = await sweepSegments(
        session,
        (async function* () {
          yield container;
        })(),
        async () => false,
        pageSize,
      );
      expect(removed).toEqual(pageSize === 1 ? left.map((n) => `${container}/${n}`) : []);
      expect(await swift.list(container)).toEqual(before.filter((n) => !n.startsWith(orphan!)));
    }
  });
});
