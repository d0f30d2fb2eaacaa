import { describe, expect, it } from 'vitest';
import { cliError } from './errors.js';
import { bufferIo } from './host.fixture.js';
import { RemoteError, reportError, UsageError } from './io.js';

const report = (e: unknown) => {
  const io = bufferIo();
  return { code: reportError(io, e), stderr: io.stderr() };
};

describe('reportError', () => {
  it('a usage error: exit 2, one line', () => {
    expect(report(new UsageError('image import needs --name'))).toEqual({ code: 2, stderr: 'usage error: image import needs --name\n' });
  });

  it("the service's refusal: its code and hint, exit 1", () => {
    expect(report(new RemoteError('GET /v2/images/x answered 404: nope', 404, 'GI_API_NOT_FOUND', 'Check the ID.'))).toEqual({
      code: 1,
      stderr: 'error GI_API_NOT_FOUND: GET /v2/images/x answered 404: nope\n  hint: Check the ID.\n',
    });
  });

  it('a coded error: code, message and hint', () => {
    const r = report(cliError('GI_CLI_UNREACHABLE', { endpoint: 'http://127.0.0.1:1', call: 'GET /v2/images', reason: 'ECONNREFUSED' }));
    expect(r).toEqual({
      code: 1,
      stderr:
        'error GI_CLI_UNREACHABLE: Cannot reach the Image API at http://127.0.0.1:1 (GET /v2/images: ECONNREFUSED).\n' +
        '  hint: Is `glance-import serve` running there? Check OS_IMAGE_URL (or --endpoint): scheme, host and port.\n',
    });
  });

  it('anything else is GI_CLI_UNEXPECTED with a hint, never a stack trace', () => {
    const r = report(new TypeError("Cannot read properties of undefined (reading 'id')"));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error GI_CLI_UNEXPECTED: Unexpected failure: Cannot read properties of undefined (reading 'id')\n" +
        '  hint: This is a bug in glance-import: run the command again with GI_DEBUG=1 to see where it failed, and report it.\n',
    );
  });
});
