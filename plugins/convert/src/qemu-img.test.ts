import { chmodSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromRaw, rawData, workDir } from './images.fixture.js';
import { qemuImgInfo, which } from './qemu-img.js';

const PATH = process.env.PATH;
const never = new AbortController().signal;

/** A PATH holding only a fake qemu-img that reports the limits it runs under, plus `extra` tools. */
async function limitsReporter(...extra: string[]): Promise<string> {
  const dir = workDir();
  const fake = path.join(dir, 'qemu-img');
  writeFileSync(fake, '#!/bin/sh\nprintf \'{"format":"cpu=%s as=%s"}\' "$(ulimit -t)" "$(ulimit -v)"\n');
  chmodSync(fake, 0o755);
  for (const tool of extra) symlinkSync((await which(tool))!, path.join(dir, tool));
  return dir;
}

describe('qemu-img', () => {
  const dir = workDir();
  const raw = rawData(dir, 'disk.raw', 1);
  afterEach(() => {
    process.env.PATH = PATH;
  });

  it('reads qemu-img info as JSON', async () => {
    expect(await qemuImgInfo(fromRaw(raw, 'qcow2', 'disk.qcow2'), 'qcow2', never)).toMatchObject({ format: 'qcow2', 'virtual-size': 1024 * 1024 });
  });

  it('runs info under Glance’s limits (2 s CPU, 1 GiB address space) with prlimit, or ulimit without it', async () => {
    process.env.PATH = await limitsReporter('prlimit');
    expect((await qemuImgInfo(raw, 'raw', never)).format).toBe('cpu=2 as=1048576');
    process.env.PATH = await limitsReporter();
    expect((await qemuImgInfo(raw, 'raw', never)).format).toBe('cpu=2 as=1048576');
  });

  it('runs qemu-img in a process group of its own, which a terminal’s Ctrl-C (sent to the foreground group) does not reach', async () => {
    const dir = workDir();
    const fake = path.join(dir, 'qemu-img');
    // Field 5 of /proc/<pid>/stat is the process group.
    writeFileSync(fake, '#!/bin/sh\nprintf \'{"format":"%s %s"}\' "$$" "$(cut -d" " -f5 /proc/$$/stat)"\n');
    chmodSync(fake, 0o755);
    process.env.PATH = `${dir}:${PATH}`;
    const [pid, group] = (await qemuImgInfo(raw, 'raw', never)).format!.split(' ');
    expect(group).toBe(pid);
    expect(group).not.toBe(readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(' ')[4]);
  });

  it('turns qemu-img’s complaints into GI_CONVERT_QEMU_IMG_FAILED', async () => {
    await expect(qemuImgInfo(raw, 'qcow2', never)).rejects.toMatchObject({
      code: 'GI_CONVERT_QEMU_IMG_FAILED',
      message: expect.stringContaining('qemu-img info failed: qemu-img: Could not open'),
    });
  });
});
