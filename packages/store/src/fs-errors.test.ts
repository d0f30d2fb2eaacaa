import { giError } from './errors.js';
import { describe, expect, it } from 'vitest';
import { readError, writeError } from './fs-errors.js';

const errno = (code: string) => Object.assign(new Error(`${code}: failed, open '/x'`), { code });

describe('writeError', () => {
  it.each([
    ['ENOSPC', 'GI_STORE_FULL', 413],
    ['EDQUOT', 'GI_STORE_FULL', 413],
    ['EFBIG', 'GI_STORE_FULL', 413],
    ['EACCES', 'GI_STORE_WRITE_DENIED', 503],
    ['EROFS', 'GI_STORE_WRITE_DENIED', 503],
    ['EPERM', 'GI_STORE_WRITE_DENIED', 503],
    ['ENOTDIR', 'GI_STORE_WRITE_DENIED', 503],
    ['EIO', 'GI_STORE_IO', 500],
  ])('maps %s to %s (%i)', (code, giCode, status) => {
    const e = writeError(errno(code), 'fast', '/data/img');
    expect(e).toMatchObject({ code: giCode, status, details: { store: 'fast', path: '/data/img' } });
    expect((e.cause as NodeJS.ErrnoException).code).toBe(code);
    expect(e.message).toContain(code);
  });

  it('keeps registered errors as they are', () => {
    const limit = giError('GI_STORE_TOO_LARGE', { limit: 1 });
    expect(writeError(limit, 'fast', '/x')).toBe(limit);
  });
});

describe('readError', () => {
  it('maps missing data to GI_STORE_NOT_FOUND and anything else to GI_STORE_IO', () => {
    expect(readError(errno('ENOENT'), 'fast', '/x', 'file:///x')).toMatchObject({ code: 'GI_STORE_NOT_FOUND', status: 404 });
    expect(readError(errno('EIO'), 'fast', '/x', 'file:///x')).toMatchObject({ code: 'GI_STORE_IO', status: 500 });
  });
});
