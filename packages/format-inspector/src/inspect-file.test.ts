import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { create, workDir } from './corpus.fixture.js';
import { inspectFile } from './inspect-file.js';

/** Bytes this process has read through read(2) and friends so far (Linux). */
const bytesRead = () => Number(/rchar: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))![1]);

describe('inspectFile', () => {
  const dir = workDir();

  it('reads only the regions it needs, not the whole file', async () => {
    // A 4 GiB sparse file that starts with a qcow2 header and has an MBR-less raw body.
    const file = path.join(dir, 'big.qcow2');
    const header = readFileSync(create(dir, 'small.qcow2', 'qcow2', '16G'));
    const fd = openSync(file, 'w');
    writeSync(fd, header, 0, 512, 0);
    writeSync(fd, Buffer.from('end'), 0, 3, 4 * 1024 ** 3);
    closeSync(fd);
    const before = bytesRead();
    const r = await inspectFile(file);
    const read = bytesRead() - before;
    expect(r).toMatchObject({ format: 'qcow2', virtualSize: 16 * 1024 ** 3, actualSize: 4 * 1024 ** 3 + 3, safe: true });
    expect(read).toBeLessThan(2 * 1024 * 1024);
  });

  it('throws GI_INSPECT_READ_FAILED only when the file cannot be read', async () => {
    await expect(inspectFile(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'GI_INSPECT_READ_FAILED', message: expect.stringContaining('ENOENT') });
    await expect(inspectFile(dir)).rejects.toMatchObject({ code: 'GI_INSPECT_READ_FAILED', message: expect.stringContaining('not a regular file') });
  });
});
