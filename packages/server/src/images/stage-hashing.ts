import type { FastifyRequest } from 'fastify';
import type { WriteOptions } from '@glance-import/store';

/**
 * How `PUT /stage` hashes the upload as it stages it (so the import need not read it again): with
 * the configured algorithm, on worker threads when the announced length says the data is large.
 */
export function stageHashing(request: FastifyRequest, hashAlgo: string): Pick<WriteOptions, 'hashAlgo' | 'sizeHint'> {
  const length = Number(request.headers['content-length']);
  return { hashAlgo, ...(Number.isSafeInteger(length) && length > 0 ? { sizeHint: length } : {}) };
}
