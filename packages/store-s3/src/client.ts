import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from './settings.js';

/**
 * The SDK client of a store. Checksums only where an operation requires them unless
 * s3_store_enable_data_integrity_protection (S3-compatible services, Swift's s3api among them,
 * refuse the aws-chunked bodies the SDK's default checksums need). Credentials are the store's own,
 * never the environment's. `retries: false` gives a client for streamed bodies, which cannot be sent twice.
 */
export function s3Client(s: S3Settings, o: { retries: boolean }): S3Client {
  const agent = { keepAlive: true, maxSockets: Math.max(50, s.threadPools * 2) };
  return new S3Client({
    endpoint: s.endpoint,
    region: s.region,
    forcePathStyle: s.forcePathStyle,
    credentials: s.credentials,
    requestChecksumCalculation: s.checksums.request,
    responseChecksumValidation: s.checksums.response,
    maxAttempts: o.retries ? 3 : 1,
    requestHandler: {
      connectionTimeout: 10_000,
      // No byte either way for this long fails the request (a hung service).
      socketTimeout: 120_000,
      httpAgent: new HttpAgent(agent),
      httpsAgent: new HttpsAgent({ ...agent, ...(s.cacert ? { ca: readFileSync(s.cacert) } : {}) }),
    },
  });
}
