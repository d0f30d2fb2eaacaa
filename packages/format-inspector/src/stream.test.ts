import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { create, isoBytes, qemuImg, workDir, writeBytes } from './corpus.fixture.js';
import { inspectFile } from './inspect-file.js';
import { inspectStream, StreamInspector } from './stream.js';

describe('StreamInspector', () => {
  const dir = workDir();
  const raw = writeBytes(dir, 'data.raw', Buffer.alloc(1024 * 1024, 1));
  const files = [
    create(dir, 'a.qcow2', 'qcow2', '8M'),
    create(dir, 'a.vmdk', 'vmdk', '8M'),
    create(dir, 'a.vhdx', 'vhdx', '8M'),
    create(dir, 'fixed.vhd', 'vpc', '1M', 'subformat=fixed'),
    writeBytes(dir, 'a.iso', isoBytes(40)),
    raw,
  ];
  const stream = path.join(dir, 'stream.vmdk');
  qemuImg('convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', raw, stream);
  files.push(stream);

  it('gives the same verdict whatever the chunk boundaries', async () => {
    for (const file of files) {
      const data = readFileSync(file);
      const expected = await inspectFile(file);
      for (const size of [1, 7, 511, 512, 513, 4096, 65536, data.length]) {
        if (size === 1 && data.length > 300_000) continue;
        const s = new StreamInspector();
        for (let at = 0; at < data.length; at += size) s.update(data.subarray(at, at + size));
        expect(s.result(), `${path.basename(file)} in ${size}-byte chunks`).toEqual(expected);
      }
    }
  });

  it('copies what it keeps, so a caller may reuse its buffer', async () => {
    const data = readFileSync(files[0]!);
    const buf = Buffer.alloc(4096);
    const s = new StreamInspector();
    for (let at = 0; at < data.length; at += buf.length) {
      const n = data.copy(buf, 0, at);
      s.update(buf.subarray(0, n));
      buf.fill(0xee);
    }
    expect(s.result()).toMatchObject({ format: 'qcow2', safe: true, virtualSize: 8 * 1024 * 1024 });
  });

  it('applies options per result() call and refuses data after the stream ended', () => {
    const s = new StreamInspector();
    s.update(readFileSync(files[1]!));
    expect(s.result().safe).toBe(true);
    expect(s.result({ vmdkAllowedTypes: ['streamOptimized'] }).safe).toBe(false);
    expect(s.bytesSeen).toBe(readFileSync(files[1]!).length);
    expect(() => s.update(Buffer.alloc(1))).toThrow(/after result/);
  });

  it('inspects Node and web streams, and wraps a failing stream in GI_INSPECT_READ_FAILED', async () => {
    const data = readFileSync(files[0]!);
    expect((await inspectStream(Readable.from([data]))).format).toBe('qcow2');
    expect((await inspectStream(new Blob([data]).stream())).format).toBe('qcow2');
    async function* broken() {
      yield data.subarray(0, 10);
      throw new Error('connection reset');
    }
    await expect(inspectStream(broken())).rejects.toMatchObject({ code: 'GI_INSPECT_READ_FAILED', message: expect.stringContaining('connection reset') });
  });

  it('inspects an empty stream as empty raw data', () => {
    expect(new StreamInspector().result({ declaredFormat: 'raw' })).toMatchObject({ format: 'raw', virtualSize: 0, actualSize: 0, safe: true });
  });
});
