import { giError } from '../errors.js';
import type { FastifyInstance } from 'fastify';
import { PATCH_V20, PATCH_V21 } from '../images/patch.js';

const malformed = () => giError('GI_API_BAD_REQUEST', { message: 'Malformed JSON in request body.' });
const tooLarge = () => giError('GI_API_TOO_LARGE', { message: 'The request body is too large.' });

/** A JSON body; empty is `undefined` (the route answers "Body expected in request."). */
function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw malformed();
  }
}

async function readText(payload: AsyncIterable<Buffer>, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Request bodies as Glance reads them: image data (octet-stream) stays a stream for the data routes;
 * the JSON-patch dialects and JSON are parsed; and a POST with any other Content-Type, or none, is
 * read as JSON too, as Glance's JSON deserializer does (`curl -d` sends x-www-form-urlencoded). Other
 * methods keep their body unread, so PATCH and the data routes answer 415 for a wrong type.
 */
export function registerBodyParsers(app: FastifyInstance, bodyLimit: number): void {
  app.addContentTypeParser('application/octet-stream', (_req, _payload, done) => done(null, undefined));
  app.addContentTypeParser([PATCH_V20, PATCH_V21], { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(String(body)));
    } catch {
      done(malformed(), undefined);
    }
  });
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJson(String(body)));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.addContentTypeParser('*', (req, payload, done) => {
    if (req.method !== 'POST') {
      done(null, undefined);
      return;
    }
    readText(payload, bodyLimit)
      .then(parseJson)
      .then(
        (body) => done(null, body),
        (e: Error) => done(e, undefined),
      );
  });
}
