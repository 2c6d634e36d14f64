/**
 * The one table that turns domain error codes into HTTP statuses, and the one serializer of
 * error bodies. The body nests the message under `error` so both openstacksdk (which reads
 * `message` from the top-level values) and glanceclient (which reads the first key's value)
 * show the server's message.
 */
import type { ErrorCode } from '../domain/errors.js';

const STATUS: Readonly<Record<ErrorCode, number>> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  invalid_image_data: 415,
  storage_unavailable: 503,
  service_unavailable: 503,
  internal: 500,
};

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 409: 'Conflict', 410: 'Gone', 411: 'Length Required', 413: 'Request Entity Too Large',
  415: 'Unsupported Media Type', 416: 'Requested Range Not Satisfiable', 500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

export interface ErrorBody {
  error: { code: number; title: string; message: string; reason?: string };
}

export function errorBody(status: number, message: string, reason?: string): ErrorBody {
  return { error: { code: status, title: TITLES[status] ?? 'Error', message, ...(reason ? { reason } : {}) } };
}
