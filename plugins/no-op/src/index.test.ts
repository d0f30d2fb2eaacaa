import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runPlugin } from '@glance-import/testing';
import { describe, expect, it } from 'vitest';
import { getFlow } from './index.js';

const fixture = () => {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'noop-')), 'disk.raw');
  writeFileSync(f, 'ZZZZZ');
  return f;
};

describe('no_op', () => {
  it('logs that it ran and changes nothing', async () => {
    const run = await runPlugin(getFlow, { file: fixture() });
    expect(run.ok).toBe(true);
    expect(run.logs.map((l) => l.msg)).toContain('No_op import plugin');
    expect(run.changes).toEqual({});
    expect(run.readData().toString()).toBe('ZZZZZ');
  });

  it('is reverted (and says so) when a later task fails', async () => {
    const run = await runPlugin(getFlow, { file: fixture(), failAfter: true });
    expect(run.ok).toBe(false);
    expect(run.reverted).toContain('Noop');
    expect(run.logs.map((l) => l.msg)).toContain('No_op import plugin reverted');
  });
});
