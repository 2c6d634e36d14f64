/**
 * Typed domain errors. Services throw these; only http/error-registry.ts knows which HTTP
 * status each code becomes, and the CLI reads the same codes from the API's error body.
 * Always pass `cause` when wrapping a lower-level failure so logs keep the original.
 */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'range_not_satisfiable'
  | 'invalid_image_data'
  | 'storage_unavailable'
  | 'service_unavailable'
  | 'internal';

export class ImagoError extends Error {
  readonly code: ErrorCode;
  /** A stable, machine-readable reason (e.g. `quota.image_size_total`, `format.backing_file`). */
  readonly reason: string | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; reason?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.reason = options.reason;
  }
}

export class BadRequestError extends ImagoError {
  constructor(message: string, options?: { cause?: unknown; reason?: string }) {
    super('bad_request', message, options);
  }
}

export class UnauthorizedError extends ImagoError {
  constructor(message = 'This server could not verify that you are authorized to access the document you requested.', options?: { cause?: unknown; reason?: string }) {
    super('unauthorized', message, options);
  }
}

export class ForbiddenError extends ImagoError {
  constructor(message: string, options?: { cause?: unknown; reason?: string }) {
    super('forbidden', message, options);
  }
}

export class NotFoundError extends ImagoError {
  constructor(message: string, options?: { cause?: unknown; reason?: string }) {
    super('not_found', message, options);
  }
}

export class ConflictError extends ImagoError {
  constructor(message: string, options?: { cause?: unknown; reason?: string }) {
    super('conflict', message, options);
  }
}

export class GoneError extends ImagoError {
  constructor(message: string, options?: { cause?: unknown; reason?: string }) {
    super('gone', message, options);
  }
}

export class PayloadTooLargeError extends ImagoError {
  constructor(message: string, options?: { cause?: unknown; reason?: string }) {
    super('payload_too_large', message, options);
  }
}

export class UnsupportedMediaTypeError extends ImagoError {
  constructor(message: string, options?: { cause?: unknown; reason?: string }) {
    super('unsupported_media_type', message, options);
  }
}

export class RangeNotSatisfiableError extends ImagoError {
  readonly size: number;
  constructor(message: string, size: number, options?: { cause?: unknown; reason?: string }) {
    super('range_not_satisfiable', message, options);
    this.size = size;
  }
}

/** The uploaded bytes are not what they claim to be, or are hostile (answered 415 like Glance). */
export class InvalidImageDataError extends ImagoError {
  constructor(message: string, options: { cause?: unknown; reason: string }) {
    super('invalid_image_data', message, options);
  }
}

export class StorageUnavailableError extends ImagoError {
  constructor(message: string, options?: { cause?: unknown; reason?: string }) {
    super('storage_unavailable', message, options);
  }
}

/** A service Imago depends on (e.g. the Keystone that validates tokens) cannot be reached or failed. */
export class ServiceUnavailableError extends ImagoError {
  constructor(message: string, options?: { cause?: unknown; reason?: string }) {
    super('service_unavailable', message, options);
  }
}
