import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { knownFileHashes } from '@glance-import/store';
import { definePlugin, defineTask, FILE_PATH, linearFlow } from '@glance-import/core';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { convert, fromRaw, MiB, qemuImg, rawData, source, staged, workDir } from './images.fixture.js';
import { convertTask } from './convert-task.js';
import { getFlow } from './index.js';
import { options } from './options.js';

describe('image_conversion', () => {
  const dir = workDir();
  const raw = rawData(dir, 'disk.raw', 8);
  const qcow2 = fromRaw(raw, 'qcow2', 'disk.qcow2');
  const image = { disk_format: 'qcow2', container_format: 'bare', size: 1234 };

  it('converts qcow2 to raw exactly as qemu-img does, and updates the image', async () => {
    const run = await convert({ file: qcow2, image });
    expect(run.ok).toBe(true);
    expect(run.filePath).toBe(path.join(run.stagingDir, `${run.image.id}.raw`));
    const expected = path.join(dir, 'expected.raw');
    qemuImg('convert', '-f', 'qcow2', '-O', 'raw', qcow2, expected);
    expect(run.readData().equals(readFileSync(expected))).toBe(true);
    expect(run.changes).toEqual({
      disk_format: { from: 'qcow2', to: 'raw' },
      virtual_size: { from: null, to: 8 * MiB },
      size: { from: 1234, to: 8 * MiB },
    });
    expect(run.progress[0]).toEqual({ phase: 'convert', bytesDone: 0, bytesTotal: 8 * MiB });
    expect(run.progress.at(-1)).toEqual({ phase: 'convert', bytesDone: 8 * MiB, bytesTotal: 8 * MiB });
    // The staged source stays until the import's final staging clean-up (see README).
    expect(source(run).equals(readFileSync(qcow2))).toBe(true);
  });

  it('converts to the configured output_format, vhd (qemu: vpc) included', async () => {
    const vhd = fromRaw(raw, 'vpc', 'disk.vhd');
    const run = await convert({ file: vhd, image: { disk_format: 'vhd' }, options: { output_format: 'qcow2' } });
    expect(run.ok).toBe(true);
    expect(run.filePath.endsWith('.qcow2')).toBe(true);
    expect(run.image).toMatchObject({ disk_format: 'qcow2', container_format: 'bare' });
    expect(JSON.parse(qemuImg('info', '--output=json', run.filePath)).format).toBe('qcow2');
    const vmdk = await convert({ file: qcow2, image, options: { output_format: 'vmdk' } });
    expect(vmdk.image.disk_format).toBe('vmdk');
  });

  it('only records the virtual size when the image already is in output_format', async () => {
    const run = await convert({ file: raw, image: { disk_format: 'raw' } });
    expect(run.ok).toBe(true);
    expect(run.filePath).toBe(path.join(run.stagingDir, run.image.id));
    expect(run.changes).toEqual({ virtual_size: { from: null, to: 8 * MiB } });
    expect(staged(run)).toEqual([run.image.id]);
  });

  it('imports an ISO declared as iso as it is, without qemu-img', async () => {
    const iso = Buffer.alloc(64 * 1024);
    iso.write('\x01CD001\x01', 32 * 1024, 'latin1');
    const file = path.join(dir, 'cd.iso');
    (await import('node:fs')).writeFileSync(file, iso);
    const run = await convert({ file, image: { disk_format: 'iso' } });
    expect(run).toMatchObject({ ok: true, changes: {} });
    expect(staged(run)).toEqual([run.image.id]);
  });

  it('reverts when a later task fails: output removed, original kept, attributes restored', async () => {
    const run = await convert({ file: qcow2, image, failAfter: true });
    expect(run.ok).toBe(false);
    expect(run.reverted).toContain('Convert_Image');
    expect(staged(run)).toEqual([run.image.id]);
    expect(source(run).equals(readFileSync(qcow2))).toBe(true);
    expect(run.changes).toEqual({});
    expect(existsSync(path.join(run.stagingDir, `${run.image.id}.raw.part`))).toBe(false);
  });

  it('is rerunnable: run again after it finished (a crash before its result was recorded), it hands back its output without converting again', async () => {
    let first = '';
    let again = '';
    let mtime = 0;
    // The task twice from the same input, as a node resuming the import runs it.
    const twice = definePlugin({
      group: 'image_conversion',
      options,
      getFlow: (ctx) => {
        const task = convertTask(ctx);
        expect(task.rerunnable).toBe(true);
        const atom = { signal: ctx.signal, flowId: ctx.taskId, atom: task.name, attempt: 1 };
        const input = { file_path: path.join(ctx.stagingDir, ctx.imageId) };
        return linearFlow(
          'twice',
          {},
          defineTask({
            name: 'Twice',
            provides: FILE_PATH,
            execute: async () => {
              first = await task.execute(input, atom);
              mtime = statSync(first).mtimeMs;
              again = await task.execute(input, atom);
              return again;
            },
          }),
        );
      },
    });
    const run = await convert({ file: qcow2, image }, twice);
    expect(run.ok).toBe(true);
    expect(again).toBe(first);
    expect(statSync(again).mtimeMs).toBe(mtime);
    expect(run.image).toMatchObject({ disk_format: 'raw', virtual_size: 8 * MiB, size: 8 * MiB });
  });

  it('declares what it accepts and produces, for config check', () => {
    expect(getFlow.meta.group).toBe('image_conversion');
    expect(getFlow.meta.formats?.produces?.({ output_format: 'qcow2', convert_timeout: 1 })).toEqual({ formats: ['qcow2'] });
    expect(getFlow.meta.formats?.accepts).toMatchObject({ compressed: false });
  });

  it('tells staging which images it will replace: a qemu-img format other than output_format, not an ISO', () => {
    const replaces = (f: string) => getFlow.meta.replacesData?.(f, { output_format: 'raw', convert_timeout: 1 });
    expect(['qcow2', 'vmdk', 'vhd', 'vdi'].map(replaces)).toEqual([true, true, true, true]);
    expect(['raw', 'iso', 'constructor'].map(replaces)).toEqual([false, false, false]);
  });
});

const PATH = process.env.PATH;

describe('image_conversion to raw, hashing its output', () => {
  const dir = workDir();
  const raw = rawData(dir, 'disk.raw', 3);
  const qcow2 = fromRaw(raw, 'qcow2', 'disk.qcow2');
  const sums = (file: string) => ({
    checksum: execFileSync('md5sum', [file], { encoding: 'utf8' }).split(' ')[0],
    hashValue: execFileSync('sha512sum', [file], { encoding: 'utf8' }).split(' ')[0],
  });

  it('leaves md5 and hashAlgo of the output with it for the store write, and forgets them on revert', async () => {
    const run = await convert({ file: qcow2, image: { disk_format: 'qcow2' }, hashAlgo: 'sha512' });
    expect(run.ok).toBe(true);
    expect(await knownFileHashes(run.filePath, 'sha512')).toEqual({ size: 3 * MiB, hashAlgo: 'sha512', ...sums(raw) });
    const failed = await convert({ file: qcow2, image: { disk_format: 'qcow2' }, hashAlgo: 'sha512', failAfter: true });
    expect(failed.ok).toBe(false);
    expect(await knownFileHashes(path.join(failed.stagingDir, `${failed.image.id}.raw`), 'sha512')).toBeUndefined();
  });

  it('with a qemu-img older than 5.0 (no --target-is-zero), converts the whole image in one run as before', async () => {
    const old = workDir();
    const real = execFileSync('sh', ['-c', 'command -v qemu-img'], { encoding: 'utf8' }).trim();
    writeFileSync(
      path.join(old, 'qemu-img'),
      `#!/bin/sh\nif [ "$1" = --help ]; then echo 'convert [-n] [-p] filename output_filename'; exit 0; fi\nif [ "$2" = -n ]; then exit 9; fi\nexec ${real} "$@"\n`,
    );
    chmodSync(path.join(old, 'qemu-img'), 0o755);
    process.env.PATH = `${old}:${PATH}`;
    try {
      const run = await convert({ file: qcow2, image: { disk_format: 'qcow2' }, hashAlgo: 'sha512' });
      expect(run.ok).toBe(true);
      expect(run.readData().equals(readFileSync(raw))).toBe(true);
      expect(await knownFileHashes(run.filePath, 'sha512')).toBeUndefined();
    } finally {
      process.env.PATH = PATH;
    }
  });
});
