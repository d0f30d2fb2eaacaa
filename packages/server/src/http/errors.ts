import { isGlanceImportError, type GlanceImportError } from '@glance-import/core';
import { giError } from '../errors.js';
import type { FastifyReply, FastifyRequest } from 'fastify';

const TITLES: Record<number, string> = {
  300: 'Multiple Choices',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  416: 'Requested Range Not Satisfiable',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export const badRequest = (message: string) => giError('GI_API_BAD_REQUEST', { message });
export const notFound = (message: string) => giError('GI_API_NOT_FOUND', { message });
export const forbidden = (message: string) => giError('GI_API_FORBIDDEN', { message });
export const conflict = (message: string) => giError('GI_API_CONFLICT', { message });
export const unsupportedMediaType = (message: string) => giError('GI_API_UNSUPPORTED_MEDIA_TYPE', { message });
export const imageNotFound = (id: string) => notFound(`No image found with ID ${id}`);

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * Answer an error as Glance does: webob's HTML page by default (python-glanceclient reads it),
 * JSON when the client prefers JSON. Both carry our stable code: in the JSON body, in an HTML
 * comment, and in the X-Glance-Import-Error-Code header.
 */
export function sendError(request: FastifyRequest, reply: FastifyReply, err: GlanceImportError<string>): FastifyReply {
  const status = err.status ?? 500;
  const title = TITLES[status] ?? 'Error';
  reply.code(status).header('X-Glance-Import-Error-Code', err.code);
  if (status === 401 && !reply.hasHeader('WWW-Authenticate')) reply.header('WWW-Authenticate', `Keystone uri="${request.protocol}://${request.host}"`);
  if (err.code === 'GI_API_METHOD_NOT_ALLOWED') reply.header('Allow', (err.details.allowed as string[]).join(', '));
  const accept = request.headers.accept ?? '';
  if (/application\/json/.test(accept) && !/text\/html/.test(accept)) {
    return reply.type('application/json').send({ message: err.message, code: `${status} ${title}`, title, error_code: err.code, hint: err.hint });
  }
  const body = `<html>\n <head>\n  <title>${status} ${title}</title>\n </head>\n <body>\n  <h1>${status} ${title}</h1>\n  ${escapeHtml(err.message)}<br /><br />\n<!-- ${err.code}: ${escapeHtml(err.hint)} -->\n\n\n </body>\n</html>`;
  return reply.type('text/html; charset=UTF-8').send(body);
}

/** Map anything thrown by a route to a registered error; unknown errors become a logged 500. */
export function toApiError(e: unknown, requestId: string): GlanceImportError<string> {
  if (isGlanceImportError(e) && e.status) return e;
  const fe = e as { statusCode?: number; code?: string; message?: string };
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode < 500) {
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return unsupportedMediaType(`Unsupported Content-Type: ${fe.message ?? ''}`);
    if (fe.statusCode === 413) return giError('GI_API_TOO_LARGE', { message: 'The request body is too large.' });
    return badRequest(fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'Body expected in request.' : `Malformed request: ${fe.message ?? 'invalid body'}`);
  }
  return giError('GI_API_INTERNAL', { requestId });
}
